import { h, fill } from './dom.js'
import { icon } from './icons.js'
import type { Ctx } from './context.js'
import { BandChart } from './chart.js'
import { bandStatus, cellTotals, deviation, violations, type Violation } from '../ops/live.js'
import { gridWeights } from '../ops/state.js'
import { formatCount, formatPercent } from '../i18n/index.js'
import type { PlanState } from '../ops/types.js'

/**
 * The live panel: the selected grid's and cell's numbers, every grid's weight against the band, and the
 * violations with "zoom to". Updates are batched to one per animation frame, so during a stroke the
 * bars move with the brush without redrawing more than 60 times a second.
 */
export class LivePanel {
  private chart: BandChart | undefined
  private chartEl = h('div', { class: 'gw-chart', role: 'img' })
  private numbersEl = h('div', { class: 'gw-numbers', 'aria-live': 'polite', id: 'gw-numbers' })
  private violationsEl = h('div', { class: 'gw-violations', id: 'gw-violations' })
  private summaryEl = h('p', { class: 'gw-summary', id: 'gw-summary' })
  private queued = false
  /** Server-reported problems the client cannot compute (contiguity without adjacency, barriers). */
  serverViolations: Array<{ code: string; gridId?: number; cellId?: number; message: string }> = []

  constructor(
    private readonly el: HTMLElement,
    private readonly ctx: Ctx,
    private readonly zoomTo: (v: { grid?: number; cell?: number; unit?: number }) => void,
  ) {}

  render() {
    const t = this.ctx.i18n.t
    this.chartEl.setAttribute('aria-label', t('live.chartTitle'))
    fill(this.el,
      h('h2', {}, t('live.title')),
      this.summaryEl,
      this.numbersEl,
      h('h3', {}, t('live.chartTitle')),
      this.chartEl,
      h('h3', {}, t('violations.title')),
      this.violationsEl)
    if (!this.chart) this.chart = new BandChart(this.chartEl, this.ctx.i18n, (g) => this.ctx.session?.select(g))
    this.update()
  }

  /** Schedules one refresh on the next frame. */
  update() {
    if (this.queued) return
    this.queued = true
    requestAnimationFrame(() => {
      this.queued = false
      this.draw()
    })
  }

  private draw() {
    const s = this.ctx.session
    const t = this.ctx.i18n.t
    if (!s) {
      fill(this.numbersEl, t('live.nothingSelected'))
      fill(this.violationsEl)
      fill(this.summaryEl)
      return
    }
    const st = s.state
    const vs = violations(st)
    const live = st.grids.filter((g) => !g.removed).length
    const inBand = vs.filter((v) => v.kind === 'out-of-band').length
    fill(this.summaryEl, t('live.summary', { grids: live, cells: st.cells.length, inBand: live - inBand }))
    this.drawNumbers(st, s.selectedGrid, s.selectedCell)
    this.chart?.update(st, s.selectedGrid)
    this.drawViolations(st, vs)
  }

  private amount(st: PlanState, n: number): string {
    const lang = this.ctx.i18n.lang
    return `${formatCount(n, lang)} ${this.ctx.i18n.t(st.band.on === 'households' ? 'units.households' : 'units.people')}`
  }

  private drawNumbers(st: PlanState, grid: number, cell: number) {
    const t = this.ctx.i18n.t
    const lang = this.ctx.i18n.lang
    if (grid < 0 && cell < 0) {
      fill(this.numbersEl, t('live.nothingSelected'))
      return
    }
    const rows: HTMLElement[] = []
    const row = (k: string, v: string, attrs: Record<string, string> = {}) => rows.push(h('div', { class: 'gw-kv', ...attrs }, h('span', {}, k), h('strong', {}, v)))
    if (grid >= 0) {
      const g = st.grids[grid]!
      const w = gridWeights(st)[grid]!
      const b = bandStatus(w, st.gridUnits[grid]!, st.band)
      rows.push(h('h3', { 'data-grid-code': g.code }, `${t('live.grid')} ${g.code}`, g.locked ? h('span', { class: 'gw-badge' }, icon('lock'), ' ' + t('live.locked')) : ''))
      row(t('live.population'), formatCount(st.gridPopulation[grid]!, lang), { 'data-field': 'grid-population' })
      row(t('live.households'), formatCount(st.gridHouseholds[grid]!, lang), { 'data-field': 'grid-households' })
      row(t('live.units'), formatCount(st.gridUnits[grid]!, lang))
      row(t('live.deviation'), formatPercent(deviation(w, st.band), lang))
      if (st.band.max < Number.MAX_SAFE_INTEGER) row(t('live.band'), t('live.bandValue', { min: formatCount(st.band.min, lang), max: formatCount(st.band.max, lang) }))
      const mark = b.status === 'ok' ? '✓' : b.status === 'under' || b.status === 'empty' ? '▲' : '▼'
      const text = b.status === 'ok' ? t('live.ok') : b.status === 'over' ? t('live.over', { amount: this.amount(st, b.amount) }) : t('live.under', { amount: this.amount(st, b.amount) })
      rows.push(h('p', { class: `gw-status gw-${b.status}`, 'data-field': 'grid-status' }, h('span', { 'aria-hidden': 'true' }, mark + ' '), text))
    }
    if (cell >= 0) {
      const c = st.cells[cell]!
      const tot = cellTotals(st, cell)
      const ok = tot.grids >= st.cellBand.min && tot.grids <= st.cellBand.max
      rows.push(h('h3', { 'data-cell-code': c.code }, `${t('live.cell')} ${c.code}`, c.locked ? h('span', { class: 'gw-badge' }, icon('lock'), ' ' + t('live.locked')) : ''))
      row(t('live.grids'), `${tot.grids} ${ok ? '✓' : '⚠'}`, { 'data-field': 'cell-grids' })
      row(t('live.population'), formatCount(tot.population, lang), { 'data-field': 'cell-population' })
      row(t('live.households'), formatCount(tot.households, lang))
    }
    fill(this.numbersEl, ...rows)
  }

  private drawViolations(st: PlanState, vs: Violation[]) {
    const t = this.ctx.i18n.t
    const lang = this.ctx.i18n.lang
    const code = (g: number) => st.grids[g]?.code ?? '?'
    const band = st.band.max < Number.MAX_SAFE_INTEGER ? t('live.bandValue', { min: formatCount(st.band.min, lang), max: formatCount(st.band.max, lang) }) : ''
    const items: HTMLElement[] = []
    const add = (icon: string, text: string, target: { grid?: number; cell?: number; unit?: number }) =>
      items.push(h('li', {}, h('span', { 'aria-hidden': 'true' }, icon + ' '), text, ' ', h('button', { type: 'button', class: 'gw-link', onclick: () => this.zoomTo(target) }, t('violations.zoomTo'))))
    for (const v of vs.slice(0, 200)) {
      switch (v.kind) {
        case 'out-of-band':
          add(v.status === 'over' ? '▼' : '▲', t('violations.outOfBand', { code: code(v.grid), weight: formatCount(v.weight, lang), band }), { grid: v.grid })
          break
        case 'non-contiguous':
          add('⧉', t('violations.nonContiguous', { code: code(v.grid), pieces: v.pieces }), { grid: v.grid })
          break
        case 'crosses-parent':
          add('⤫', t('violations.crossesParent', { code: code(v.grid) }), { grid: v.grid })
          break
        case 'cell-size':
          add('▦', t('violations.cellSize', { code: st.cells[v.cell]!.code, count: v.count, min: st.cellBand.min, max: st.cellBand.max }), { cell: v.cell })
          break
        case 'cell-jurisdiction':
          add('⤫', t('violations.cellJurisdiction', { code: st.cells[v.cell]!.code }), { cell: v.cell })
          break
        case 'unassigned':
          add('○', t('violations.unassigned', { count: v.count }), { unit: v.first })
          break
      }
    }
    // contiguity comes from the server when the client has no unit adjacency
    if (!st.adjacency) {
      const gridById = new Map(st.grids.map((g, i) => [g.id, i]))
      for (const v of this.serverViolations.filter((x) => x.code === 'not-contiguous')) {
        const g = gridById.get(String(v.gridId))
        if (g !== undefined) add('⧉', v.message, { grid: g })
      }
    }
    fill(this.violationsEl, items.length ? h('ul', {}, ...items) : h('p', {}, '✓ ' + t('violations.none')))
  }
}
