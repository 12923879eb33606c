import { h, fill } from './dom.js'
import { icon } from './icons.js'
import { canAssignCells, canEditGrids, type Ctx } from './context.js'
import type { Interaction, Tool } from './interaction.js'
import { BRUSH_SIZES } from './keys.js'
import { setCellLock, setGridLock, canUndo, canRedo } from '../ops/index.js'
import { showShortcuts } from './dialogs.js'

const TOOL_ICONS: Record<Tool, string> = { select: '↖', brush: '●', box: '▭', lasso: '◌', parent: '▣', eraser: '⌫', split: '✂', merge: '⊕', assign: '▦' }
const TOOL_KEYS: Partial<Record<Tool, string>> = { select: 'V', brush: 'B', box: 'R', lasso: 'L', parent: 'P', eraser: 'E' }

/** Tool buttons (pressed state via aria-pressed), brush size, lock buttons, undo/redo. */
export function renderToolbar(el: HTMLElement, ctx: Ctx, ia: Interaction) {
  const t = ctx.i18n.t
  const s = ctx.session
  const editGrids = canEditGrids(ctx.user)
  const tools: Tool[] = editGrids ? ['select', 'brush', 'box', 'lasso', 'parent', 'eraser', 'split', 'merge', 'assign'] : canAssignCells(ctx.user) ? ['select', 'assign'] : ['select']
  const name: Record<Tool, string> = {
    select: t('tools.select'), brush: t('tools.brush'), box: t('tools.box'), lasso: t('tools.lasso'), parent: t('tools.parent'), eraser: t('tools.eraser'),
    split: t('tools.split'), merge: t('tools.merge'), assign: t('tools.assignCell'),
  }
  const toolButtons = tools.map((tool) =>
    h('button', { type: 'button', class: 'gw-tool', 'data-tool': tool, 'aria-pressed': String(ia.tool === tool), title: name[tool] + (TOOL_KEYS[tool] ? ` (${TOOL_KEYS[tool]})` : ''), disabled: !s, onclick: () => ia.setTool(tool) },
      h('span', { 'aria-hidden': 'true' }, TOOL_ICONS[tool]), ' ', name[tool]))
  const size = h('select', { id: 'gw-brush-size', 'aria-label': t('tools.brushSize'), onchange: (e: Event) => ia.setBrushSize(Number((e.target as HTMLSelectElement).value)) },
    ...BRUSH_SIZES.map((px) => h('option', { value: px, selected: px === ia.brushSize }, t('tools.brushSizeValue', { size: px }))))
  const scope = ia.tool === 'parent'
    ? [h('label', { for: 'gw-parent-scope' }, t('tools.parentScope')),
      h('select', { id: 'gw-parent-scope', onchange: (e: Event) => ia.setParentScope((e.target as HTMLSelectElement).value === 'community' ? 'community' : 'grid') },
        h('option', { value: 'grid', selected: ia.parentScope === 'grid' }, t('tools.scopeGrid')),
        h('option', { value: 'community', selected: ia.parentScope === 'community' }, t('tools.scopeCommunity')))]
    : []
  const sel = s && s.selectedGrid >= 0 ? s.state.grids[s.selectedGrid] : undefined
  const target = s && s.targetGrid >= 0 ? s.state.grids[s.targetGrid]?.code : undefined
  const targetCell = s && s.targetCell >= 0 ? s.state.cells[s.targetCell]?.code : undefined
  const lockBtn = (label: string, ic: 'lock' | 'unlock' | 'cell', fn: () => void, disabled: boolean, id?: string) =>
    h('button', { type: 'button', id, disabled: disabled || !s, onclick: fn }, ic === 'cell' ? h('span', { 'aria-hidden': 'true' }, '▦') : icon(ic), ' ', label)
  fill(el,
    h('div', { class: 'gw-row', role: 'toolbar', 'aria-label': t('tools.title') }, ...toolButtons),
    h('div', { class: 'gw-row' },
      h('label', { for: 'gw-brush-size' }, t('tools.brushSize')), size, ...scope,
      h('span', { class: 'gw-target', id: 'gw-target' }, `${t('tools.targetGrid')}: ${target ?? '—'}`),
      ia.tool === 'assign' ? h('span', { class: 'gw-target', id: 'gw-target-cell' }, `${t('tools.targetCell')}: ${targetCell ?? '—'}`) : null),
    h('div', { class: 'gw-row' },
      editGrids && lockBtn(sel?.locked ? t('tools.unlock') : t('tools.lock'), sel?.locked ? 'unlock' : 'lock', () => s && s.commit(setGridLock(s.state, { grids: [s.selectedGrid], locked: !sel!.locked })), !sel, 'gw-lock'),
      editGrids && lockBtn(t('tools.lockAll'), 'lock', () => s && s.commit(setGridLock(s.state, { grids: 'all', locked: true })), false),
      editGrids && lockBtn(t('tools.unlockAll'), 'unlock', () => s && s.commit(setGridLock(s.state, { grids: 'all', locked: false })), false),
      canAssignCells(ctx.user) && s && s.selectedCell >= 0 && lockBtn(s.state.cells[s.selectedCell]!.locked ? t('tools.unlockCell') : t('tools.lockCell'), 'cell',
        () => s.commit(setCellLock(s.state, { cells: [s.selectedCell], locked: !s.state.cells[s.selectedCell]!.locked })), false),
      h('button', { type: 'button', id: 'gw-undo', disabled: !s || !canUndo(s.history), title: `${t('tools.undo')} (Ctrl/⌘+Z)`, onclick: () => s?.undo() }, h('span', { 'aria-hidden': 'true' }, '↶'), ' ', t('tools.undo')),
      h('button', { type: 'button', id: 'gw-redo', disabled: !s || !canRedo(s.history), title: `${t('tools.redo')} (Ctrl/⌘+Shift+Z)`, onclick: () => s?.redo() }, h('span', { 'aria-hidden': 'true' }, '↷'), ' ', t('tools.redo')),
      h('button', { type: 'button', id: 'gw-help', onclick: () => showShortcuts(ctx.i18n), title: '?' }, '? ', t('tools.shortcuts'))),
    !editGrids && ctx.user ? h('p', { class: 'gw-note' }, 'ℹ ' + (ctx.user.role === 'police' ? t('tools.policeOnly') : t('tools.readOnly'))) : null)
}
