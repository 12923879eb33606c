import { h, fill } from './dom.js'
import type { Ctx } from './context.js'
import { ApiError } from '../api/http.js'
import type { LoginReply } from '../api/types.js'

/** The login form; on success hands the token and user to the app. */
export function renderLogin(el: HTMLElement, ctx: Ctx, done: (r: LoginReply) => void) {
  const t = ctx.i18n.t
  const user = h('input', { id: 'gw-username', name: 'username', type: 'text', autocomplete: 'username', required: true })
  const pass = h('input', { id: 'gw-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true })
  const msg = h('p', { class: 'gw-error', role: 'alert' })
  const submit = h('button', { class: 'gw-primary', type: 'submit', id: 'gw-login-submit' }, t('login.submit'))
  const form = h('form', { class: 'gw-login', 'aria-labelledby': 'gw-login-title' },
    h('h2', { id: 'gw-login-title' }, t('login.title')),
    h('label', { for: 'gw-username' }, t('login.username')), user,
    h('label', { for: 'gw-password' }, t('login.password')), pass,
    submit, msg)
  form.addEventListener('submit', async (e) => {
    e.preventDefault()
    submit.disabled = true
    fill(msg)
    try {
      done(await ctx.client.login(user.value.trim(), pass.value))
    } catch (err) {
      fill(msg, '✖ ' + (err instanceof ApiError && (err.status === 401 || err.status === 400) ? t('login.failed') : err instanceof ApiError && err.status === 404 ? t('login.unavailable') : t('errors.network')))
    } finally {
      submit.disabled = false
    }
  })
  fill(el, form)
  user.focus()
}
