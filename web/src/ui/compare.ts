import { h, fill } from './dom.js'
import type { Ctx } from './context.js'
import type { CompareReply } from '../api/types.js'
import { formatCount, formatDecimal } from '../i18n/index.js'

const METRICS = ['grids', 'cells', 'unassigned', 'maxAbsDeviation', 'nonContiguous', 'meanPolsbyPopper', 'cellsInBand'] as const

/** Plan comparison: moved units and people, grids added/removed, metric deltas, changed units on the map. */
export class ComparePanel {
  reply: CompareReply | undefined
  private marked: string[] = []
  constructor(private readonly el: HTMLElement, private readonly ctx: Ctx) {}

  async show(a: number, b: number) {
    try {
      this.reply = await this.ctx.client.compare(a, b)
    } catch (err) {
      this.ctx.status('error', (err as Error).message)
      return
    }
    this.mark()
    this.render()
  }

  close() {
    this.reply = undefined
    this.ctx.map.setUnitStates(this.marked.map((id) => [id, { chg: false }] as const))
    this.marked = []
    this.render()
  }

  private mark() {
    const ids = (this.reply?.changes.features ?? []).map((f) => String((f as { properties?: { unitId?: unknown } }).properties?.unitId ?? ''))
    this.marked = ids.filter(Boolean)
    this.ctx.map.setUnitStates(this.marked.map((id) => [id, { chg: true }] as const))
  }

  render() {
    const r = this.reply
    this.el.hidden = !r
    if (!r) return fill(this.el)
    const { t, lang } = { t: this.ctx.i18n.t, lang: this.ctx.i18n.lang }
    const fmt = (k: string, v: number | boolean | null | undefined) =>
      typeof v !== 'number' ? String(v ?? '–') : k === 'meanPolsbyPopper' ? formatDecimal(v, lang, 3) : k === 'maxAbsDeviation' ? `${formatDecimal(v, lang, 1)}%` : formatCount(v, lang)
    const rows = METRICS.map((k) => {
      const d = r.summaryDelta[k]
      return h('tr', {}, h('th', { scope: 'row' }, t(`compare.metrics.${k}`)), h('td', {}, fmt(k, r.a.summary[k])), h('td', {}, fmt(k, r.b.summary[k])),
        h('td', {}, d === undefined ? '–' : (d > 0 ? '+' : '') + fmt(k, d)))
    })
    fill(this.el,
      h('h2', {}, t('compare.title')),
      h('ul', { class: 'gw-compare-facts', id: 'gw-compare-facts' },
        h('li', {}, `${t('compare.unitsMoved')}: `, h('strong', {}, formatCount(r.unitsMoved, lang))),
        h('li', {}, `${t('compare.peopleMoved')}: `, h('strong', {}, formatCount(r.peopleMoved, lang))),
        h('li', {}, `${t('compare.gridsAdded')}: ${r.gridsAdded.length ? r.gridsAdded.join(', ') : '0'}`),
        h('li', {}, `${t('compare.gridsRemoved')}: ${r.gridsRemoved.length ? r.gridsRemoved.join(', ') : '0'}`)),
      h('table', { class: 'gw-table' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('compare.metric')), h('th', { scope: 'col' }, `${t('compare.base')} #${r.a.planId}`), h('th', { scope: 'col' }, `${t('compare.other')} #${r.b.planId}`), h('th', { scope: 'col' }, t('compare.delta')))),
        h('tbody', {}, ...rows)),
      h('p', { class: 'gw-note' }, h('span', { class: 'gw-swatch gw-swatch-chg', 'aria-hidden': 'true' }), ' ', t('compare.showOnMap')),
      h('button', { type: 'button', id: 'gw-compare-close', onclick: () => this.close() }, '✕ ' + t('compare.close')))
  }
}
