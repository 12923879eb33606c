import { h, fill } from './dom.js'
import type { I18n } from '../i18n/index.js'
import { SHORTCUT_ROWS } from './keys.js'

/** Modal dialogs on <dialog> (focus trapped, Escape closes, keyboard reachable). */
export function modal(title: string, body: Node[], actions: HTMLButtonElement[], opts: { id?: string; onClose?: () => void } = {}): HTMLDialogElement {
  const d = h('dialog', { class: 'gw-dialog', id: opts.id, 'aria-labelledby': `${opts.id ?? 'dlg'}-title` },
    h('h2', { id: `${opts.id ?? 'dlg'}-title` }, title),
    ...body,
    h('div', { class: 'gw-actions' }, ...actions))
  document.body.append(d)
  d.addEventListener('close', () => {
    d.remove()
    opts.onClose?.()
  })
  d.showModal()
  ;(actions[actions.length - 1] ?? d).focus()
  return d
}

/** "Someone else changed this plan" with a reload button; the only way out is to reload. */
export function showConflict(i18n: I18n, version: number | undefined, reload: () => void) {
  document.getElementById('gw-conflict')?.remove()
  const btn = h('button', { class: 'gw-primary', type: 'button' }, '⟳ ' + i18n.t('conflict.reload'))
  const d = modal(i18n.t('conflict.title'), [h('p', { role: 'alert' }, '⚠ ' + i18n.t('conflict.body', { version: version ?? '?' }))], [btn], { id: 'gw-conflict' })
  d.addEventListener('cancel', (e) => e.preventDefault())
  btn.addEventListener('click', () => {
    d.close()
    reload()
  })
}

export function showShortcuts(i18n: I18n) {
  const open = document.getElementById('gw-shortcuts') as HTMLDialogElement | null
  if (open) {
    open.close()
    return
  }
  const rows = SHORTCUT_ROWS.map(([k, what]) => h('tr', {}, h('th', { scope: 'row' }, h('kbd', {}, k)), h('td', {}, i18n.t(`shortcuts.${what}`))))
  const close = h('button', { type: 'button' }, i18n.t('shortcuts.close'))
  const d = modal(i18n.t('shortcuts.title'), [h('table', { class: 'gw-keys' }, h('tbody', {}, ...rows))], [close], { id: 'gw-shortcuts' })
  close.addEventListener('click', () => d.close())
}

/** A text prompt as a dialog (window.prompt is blocked in some embedded browsers and cannot be styled). */
export function promptText(i18n: I18n, title: string, label: string, value: string): Promise<string | null> {
  return new Promise((resolve) => {
    const input = h('input', { type: 'text', value, 'aria-label': label, class: 'gw-wide' })
    const ok = h('button', { class: 'gw-primary', type: 'submit' }, 'OK')
    const cancel = h('button', { type: 'button' }, i18n.t('plans.cancel'))
    let result: string | null = null
    const form = h('form', { method: 'dialog' }, h('label', {}, label, input))
    const d = modal(title, [form], [cancel, ok], { onClose: () => resolve(result) })
    form.addEventListener('submit', (e) => {
      e.preventDefault()
      result = input.value.trim() || null
      d.close()
    })
    ok.addEventListener('click', () => form.requestSubmit())
    cancel.addEventListener('click', () => d.close())
    input.focus()
    input.select()
  })
}

export function confirmDialog(i18n: I18n, title: string, text: string): Promise<boolean> {
  return new Promise((resolve) => {
    let yes = false
    const ok = h('button', { class: 'gw-danger', type: 'button' }, title)
    const cancel = h('button', { type: 'button' }, i18n.t('plans.cancel'))
    const d = modal(title, [h('p', {}, text)], [cancel, ok], { onClose: () => resolve(yes) })
    ok.addEventListener('click', () => {
      yes = true
      d.close()
    })
    cancel.addEventListener('click', () => d.close())
    cancel.focus()
  })
}

/** The status line: text plus an icon, so the kind of message never depends on colour alone. */
let toastTimer: ReturnType<typeof setTimeout> | undefined
export function toast(el: HTMLElement, kind: 'info' | 'ok' | 'warn' | 'error', text: string) {
  const icon = { info: 'ℹ', ok: '✓', warn: '⚠', error: '✖' }[kind]
  el.dataset.kind = kind
  fill(el, h('span', { 'aria-hidden': 'true', class: 'gw-icon' }, icon), ' ', text)
  // errors stay until the next message; the rest fade after a few seconds
  clearTimeout(toastTimer)
  if (kind !== 'error') toastTimer = setTimeout(() => fill(el), 6000)
}
