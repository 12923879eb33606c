/**
 * Keyboard shortcuts as a pure mapping from a key event to a command, so it is unit-tested in Node.
 * Nothing fires in text fields or while an input method is composing (Chinese IMEs use Enter, Space
 * and letters), or with Alt held.
 */
export type Command = 'undo' | 'redo' | 'brush' | 'select' | 'box' | 'eraser' | 'lasso' | 'parent' | 'smaller' | 'larger' | 'help' | 'escape'

export interface KeyLike {
  key: string
  ctrlKey: boolean
  metaKey: boolean
  shiftKey: boolean
  altKey: boolean
  isComposing: boolean
  /** keyCode 229 marks IME processing in some browsers even when isComposing is false. */
  keyCode?: number
  target: { tagName?: string; isContentEditable?: boolean; type?: string } | null
}

const TEXT_INPUTS = new Set(['text', 'search', 'password', 'email', 'number', 'url', 'tel', ''])

export function inTextField(t: KeyLike['target']): boolean {
  if (!t) return false
  if (t.isContentEditable) return true
  const tag = (t.tagName ?? '').toUpperCase()
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true
  return tag === 'INPUT' && TEXT_INPUTS.has((t.type ?? '').toLowerCase())
}

export function commandFor(e: KeyLike): Command | undefined {
  if (e.isComposing || e.keyCode === 229) return undefined
  if (inTextField(e.target)) return undefined
  if (e.altKey) return undefined
  const mod = e.ctrlKey || e.metaKey
  const k = e.key.length === 1 ? e.key.toLowerCase() : e.key
  if (mod) {
    if (k === 'z') return e.shiftKey ? 'redo' : 'undo'
    if (k === 'y' && e.ctrlKey) return 'redo'
    return undefined
  }
  switch (k) {
    case 'b':
      return 'brush'
    case 'v':
      return 'select'
    case 'r':
      return 'box'
    case 'e':
      return 'eraser'
    case 'l':
      return 'lasso'
    case 'p':
      return 'parent'
    case '[':
      return 'smaller'
    case ']':
      return 'larger'
    case '?':
      return 'help'
    case 'Escape':
      return 'escape'
  }
  return undefined
}

/** The shortcut sheet's rows: keys as shown, and the i18n key of what they do. */
export const SHORTCUT_ROWS: Array<[string, 'brush' | 'select' | 'box' | 'eraser' | 'lasso' | 'parent' | 'smaller' | 'larger' | 'undo' | 'redo' | 'pan' | 'help']> = [
  ['B', 'brush'],
  ['V', 'select'],
  ['R / Shift+drag', 'box'],
  ['E', 'eraser'],
  ['L', 'lasso'],
  ['P', 'parent'],
  ['[', 'smaller'],
  [']', 'larger'],
  ['Ctrl/⌘+Z', 'undo'],
  ['Ctrl/⌘+Shift+Z, Ctrl+Y', 'redo'],
  ['Space+drag', 'pan'],
  ['?', 'help'],
]

/** Brush sizes in screen pixels (the square's side); `[` and `]` step through them. */
export const BRUSH_SIZES = [1, 10, 20, 40, 80] as const
export function stepBrush(size: number, dir: -1 | 1): number {
  const i = BRUSH_SIZES.findIndex((s) => s >= size)
  const at = i < 0 ? BRUSH_SIZES.length - 1 : i
  return BRUSH_SIZES[Math.max(0, Math.min(BRUSH_SIZES.length - 1, at + dir))]!
}
