import { h, fill, saveBlob } from './dom.js'
import { canManagePlans, type Ctx } from './context.js'
import { confirmDialog, modal, promptText } from './dialogs.js'
import { formatDateTime } from '../i18n/index.js'
import { waitForJob } from '../api/client.js'
import { ApiError } from '../api/http.js'
import { EXPORT_FORMATS, type Plan, type PlanParams } from '../api/types.js'

/**
 * The plan list: open, automatic partition (with a progress bar from the job), copy, rename, delete,
 * compare two plans, export in every format, import an assignment CSV.
 */
export class PlansPanel {
  plans: Plan[] = []
  currentId: number | undefined
  constructor(
    private readonly el: HTMLElement,
    private readonly ctx: Ctx,
    private readonly onCompare: (a: number, b: number) => void,
  ) {}

  async reload() {
    try {
      this.plans = await this.ctx.client.listPlans()
    } catch (err) {
      this.plans = []
      this.ctx.status('error', (err as Error).message)
    }
    this.render()
  }

  render() {
    const { i18n, user } = this.ctx
    const t = i18n.t
    const manage = canManagePlans(user)
    const items = this.plans.map((p) => {
      const current = p.id === this.currentId
      const open = h('button', { type: 'button', class: 'gw-link', 'aria-current': current ? 'true' : undefined, 'data-plan': p.id, onclick: () => void this.ctx.openPlan(p.id) },
        (current ? '▶ ' : '') + p.name)
      const meta = h('div', { class: 'gw-meta' },
        `${t(`plans.status.${p.status}`)} · ${t('plans.version', { version: p.version })}` + (p.updatedAt ? ` · ${t('plans.updated', { date: formatDateTime(p.updatedAt, i18n.lang) })}` : ''))
      const actions = h('div', { class: 'gw-row' },
        manage && h('button', { type: 'button', onclick: () => void this.copy(p) }, t('plans.copy')),
        manage && h('button', { type: 'button', onclick: () => void this.rename(p) }, t('plans.rename')),
        manage && h('button', { type: 'button', class: 'gw-danger', onclick: () => void this.remove(p) }, t('plans.delete')))
      return h('li', { class: current ? 'gw-current' : '' }, open, meta, actions)
    })
    const others = this.plans.filter((p) => p.id !== this.currentId)
    const compareSel = h('select', { id: 'gw-compare-with', 'aria-label': t('plans.compareWith') },
      ...others.map((p) => h('option', { value: p.id }, `${p.name} (${t('plans.version', { version: p.version })})`)))
    const cur = this.currentId
    const exportRow = cur !== undefined && this.ctx.client.has('GET', '/api/plans/{}/export.{}')
      ? h('div', { class: 'gw-row', role: 'group', 'aria-label': t('plans.export') }, h('span', {}, t('plans.export') + ':'),
          ...EXPORT_FORMATS.map((f) => h('button', { type: 'button', 'data-export': f, onclick: () => void this.download(cur, f) }, '⤓ ' + t(`export.${f}`))))
      : null
    const compareRow = cur !== undefined && others.length
      ? h('div', { class: 'gw-row' }, h('label', { for: 'gw-compare-with' }, t('plans.compareWith')), compareSel,
          // the chosen plan is the base, the open one the other: deltas read as "what my edits changed"
          h('button', { type: 'button', id: 'gw-compare', onclick: () => this.onCompare(Number(compareSel.value), cur) }, t('plans.compare')))
      : null
    const fileInput = h('input', { type: 'file', accept: '.csv,text/csv', id: 'gw-import-file', class: 'gw-visually-hidden', onchange: (e: Event) => void this.importCsv(e) })
    fill(this.el,
      h('h2', {}, t('plans.title')),
      manage && h('div', { class: 'gw-row' },
        h('button', { type: 'button', class: 'gw-primary', id: 'gw-create', onclick: () => this.create() }, '＋ ' + t('plans.create')),
        this.ctx.client.has('POST', '/api/plans/import') && h('label', { class: 'gw-button', for: 'gw-import-file', tabindex: 0 }, '⤒ ' + t('plans.import')),
        fileInput),
      this.plans.length ? h('ul', { class: 'gw-plans' }, ...items) : h('p', {}, t('plans.empty')),
      compareRow,
      exportRow)
  }

  /** Keeps the listed version in step with the edits saved from the editor. */
  setVersion(id: number, version: number) {
    const p = this.plans.find((x) => x.id === id)
    if (!p || p.version === version) return
    p.version = version
    this.render()
  }

  private async copy(p: Plan) {
    try {
      const c = await this.ctx.client.copyPlan(p.id, this.ctx.i18n.t('plans.copyName', { name: p.name }))
      await this.reload()
      await this.ctx.openPlan(c.id)
    } catch (err) {
      this.ctx.status('error', (err as Error).message)
    }
  }

  private async rename(p: Plan) {
    const t = this.ctx.i18n.t
    const name = await promptText(this.ctx.i18n, t('plans.rename'), t('plans.renamePrompt'), p.name)
    if (!name || name === p.name) return
    try {
      await this.ctx.client.renamePlan(p.id, name)
      await this.reload()
    } catch (err) {
      this.ctx.status('error', (err as Error).message)
    }
  }

  private async remove(p: Plan) {
    const t = this.ctx.i18n.t
    if (!(await confirmDialog(this.ctx.i18n, t('plans.delete'), t('plans.deleteConfirm', { name: p.name })))) return
    try {
      await this.ctx.client.deletePlan(p.id)
      if (this.currentId === p.id) this.currentId = undefined
      await this.reload()
    } catch (err) {
      this.ctx.status('error', (err as Error).message)
    }
  }

  private async download(id: number, format: (typeof EXPORT_FORMATS)[number]) {
    try {
      const { blob, name } = await this.ctx.client.download(id, format)
      saveBlob(blob, name)
      this.ctx.status('ok', `${this.ctx.i18n.t('plans.export')}: ${name}`)
    } catch (err) {
      this.ctx.status('error', (err as Error).message)
    }
  }

  private districtId(): number {
    const p = this.plans.find((x) => x.id === this.currentId) ?? this.plans[0]
    return p?.districtId ?? 1
  }

  private async importCsv(e: Event) {
    const input = e.target as HTMLInputElement
    const file = input.files?.[0]
    input.value = ''
    if (!file) return
    const t = this.ctx.i18n.t
    try {
      const csv = await file.text()
      const r = await this.ctx.client.importPlan({ districtId: this.districtId(), name: file.name.replace(/\.csv$/i, ''), csv })
      this.ctx.status('ok', t('plans.importDone', { count: r.import.rows }))
      await this.reload()
      await this.ctx.openPlan(r.plan.id)
    } catch (err) {
      const d = err instanceof ApiError ? (err.body?.details as { rows?: Array<{ line: number; reason: string; field?: string; value?: string }> } | undefined) : undefined
      if (d?.rows?.length) {
        const list = h('ul', { class: 'gw-bad-rows' }, ...d.rows.slice(0, 50).map((r) => h('li', {}, t('plans.importRow', { row: r.line, reason: `${r.field ?? ''} ${r.value ?? ''} — ${r.reason}` }))))
        const close = h('button', { type: 'button' }, t('shortcuts.close'))
        const dlg = modal(t('plans.importBad', { count: d.rows.length }), [list], [close])
        close.addEventListener('click', () => dlg.close())
      } else this.ctx.status('error', (err as Error).message)
    }
  }

  /** Automatic partition: a new plan, then the partition job with a progress bar. */
  private create() {
    const t = this.ctx.i18n.t
    const field = (id: string, label: string, value: string | number, type = 'number') =>
      h('label', { for: id }, label, h('input', { id, name: id, type, value: String(value), ...(type === 'number' ? { min: 0 } : {}) }))
    const weight = h('select', { id: 'gw-new-weight', name: 'weight' }, h('option', { value: 'population' }, t('live.population')), h('option', { value: 'households' }, t('live.households')))
    const progress = h('progress', { max: 1, value: 0, id: 'gw-progress', 'aria-label': t('plans.progress', { percent: '' }) })
    const progressText = h('span', { role: 'status', id: 'gw-progress-text' })
    const start = h('button', { type: 'button', class: 'gw-primary', id: 'gw-start' }, t('plans.start'))
    const cancel = h('button', { type: 'button' }, t('plans.cancel'))
    const today = formatDateTime(new Date(), this.ctx.i18n.lang)
    const form = h('div', { class: 'gw-form' },
      field('gw-new-name', t('plans.name'), t('plans.defaultName', { date: today }), 'text'),
      h('label', { for: 'gw-new-weight' }, t('plans.bandOn'), weight),
      field('gw-new-min', t('plans.min'), 600), field('gw-new-max', t('plans.max'), 1000),
      field('gw-new-cellmin', t('plans.cellMin'), 5), field('gw-new-cellmax', t('plans.cellMax'), 6),
      field('gw-new-seed', t('plans.seed'), 1),
      h('div', { class: 'gw-progress-row' }, progress, progressText))
    const d = modal(t('plans.createTitle'), [form], [cancel, start], { id: 'gw-create-dialog' })
    const abort = new AbortController()
    cancel.addEventListener('click', () => {
      abort.abort()
      d.close()
    })
    const val = (id: string) => (form.querySelector(`#${id}`) as HTMLInputElement).value
    start.addEventListener('click', async () => {
      start.disabled = true
      const params: PlanParams = {
        weight: weight.value as 'population' | 'households',
        min: Number(val('gw-new-min')), max: Number(val('gw-new-max')),
        cellMin: Number(val('gw-new-cellmin')), cellMax: Number(val('gw-new-cellmax')), seed: Number(val('gw-new-seed')),
      }
      try {
        const plan = await this.ctx.client.createPlan({ districtId: this.districtId(), name: val('gw-new-name') || 'plan', params })
        if (!this.ctx.client.has('POST', '/api/plans/{}/jobs')) {
          progressText.textContent = '⚠ ' + t('plans.notAvailable')
          await this.reload()
          return
        }
        // grids first, then police cells from them: two jobs, one progress bar (0–80 %, 80–100 %)
        const stages: Array<['partition' | 'cells', { min?: number; max?: number; seed?: number }, number, number]> = [
          ['partition', { min: params.min, max: params.max, seed: params.seed }, 0, 0.8],
          ['cells', { min: params.cellMin, max: params.cellMax, seed: params.seed }, 0.8, 0.2],
        ]
        for (const [kind, p, offset, share] of stages) {
          const job = await this.ctx.client.startJob(plan.id, kind, p)
          cancel.onclick = () => void this.ctx.client.cancelJob(job.id).catch(() => undefined)
          const end = await waitForJob(this.ctx.client, job.id, (j) => {
            const v = offset + share * j.progress
            progress.value = v
            progressText.textContent = t('plans.progress', { percent: `${Math.round(v * 100)}%` })
          }, { signal: abort.signal })
          if (end.state !== 'succeeded') {
            progressText.textContent = '✖ ' + t('plans.jobFailed', { message: end.error ?? end.state })
            start.disabled = false
            return
          }
        }
        d.close()
        await this.reload()
        await this.ctx.openPlan(plan.id)
      } catch (err) {
        progressText.textContent = '✖ ' + (err as Error).message
        start.disabled = false
      }
    })
  }
}
