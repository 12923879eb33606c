import type { EditorMap, MapPointer } from '../map/adapter.js'
import type { Ctx } from './context.js'
import { assignCell, bandStatus, gridWeights, mergeGrids, moveUnits, splitGrid, unitWeight } from '../ops/index.js'
import { extendLasso, unitsInRing } from '../ops/lasso.js'
import { parentFill, parentUnits, type ParentScope } from '../ops/parent-fill.js'
import { brushPreview, type BrushPreview } from '../ops/preview.js'
import { h } from './dom.js'
import { BrushTooltip, tooltipContent } from './tooltip.js'

export type Tool = 'select' | 'brush' | 'box' | 'lasso' | 'parent' | 'eraser' | 'split' | 'merge' | 'assign'

const SVG = 'http://www.w3.org/2000/svg'

/**
 * Turns pointer gestures on the map into edit operations: brush strokes (one drag = one step), box
 * selections (Shift-drag in any tool), lasso selections, parent-brush clicks, clicks. The map pans only
 * in the select tool or with Space held. Brush, eraser, lasso and parent brush show a tooltip with the
 * weight under the pointer and what the edit does to the target grid.
 */
export class Interaction {
  tool: Tool = 'select'
  brushSize = 20
  private down: MapPointer | undefined
  private boxEl = h('div', { class: 'gw-box', hidden: true })
  private brushEl = h('div', { class: 'gw-brush', hidden: true, 'aria-hidden': 'true' })
  private spaceHeld = false
  /** Parent brush: fill the grid or the community under the cursor. */
  parentScope: ParentScope = 'grid'
  private lasso: Array<[number, number]> | undefined
  private lassoEl = document.createElementNS(SVG, 'svg')
  private lassoLine = document.createElementNS(SVG, 'polyline')
  private tooltip = new BrushTooltip()
  private hoverAt: MapPointer | undefined
  private hoverQueued = false
  /** Target grid weight when the stroke started painting into it; moved weight so far (eraser). */
  private strokeBase: number | undefined
  private strokeErased = 0
  /** Wall time of the last stroke step, for the edit round-trip measurement in the browser test. */
  lastStepMs = 0

  constructor(
    private readonly map: EditorMap,
    private readonly ctx: Ctx,
    private readonly changed: () => void,
  ) {
    this.lassoEl.setAttribute('class', 'gw-lasso')
    this.lassoEl.setAttribute('aria-hidden', 'true')
    Object.assign(this.lassoEl.style, { position: 'absolute', left: '0', top: '0', width: '100%', height: '100%', pointerEvents: 'none', zIndex: '3', display: 'none' })
    Object.assign(this.lassoLine.style, { fill: 'rgba(0,80,208,.12)', stroke: '#000', strokeWidth: '2', strokeDasharray: '5 3' })
    this.lassoEl.append(this.lassoLine)
    map.canvas.append(this.boxEl, this.brushEl, this.lassoEl, this.tooltip.el)
    map.onPointer((e) => this.pointer(e))
    window.addEventListener('keydown', (e) => {
      if (e.code === 'Space' && !e.repeat && !(e.target instanceof HTMLInputElement) && !(e.target instanceof HTMLButtonElement) && !e.isComposing) {
        this.spaceHeld = true
        this.updatePan()
      }
    })
    window.addEventListener('keyup', (e) => {
      if (e.code === 'Space') {
        this.spaceHeld = false
        this.updatePan()
      }
    })
  }

  setTool(tool: Tool) {
    // P again switches the parent brush between grid and community
    if (tool === 'parent' && this.tool === 'parent') this.parentScope = this.parentScope === 'grid' ? 'community' : 'grid'
    this.tool = tool
    this.tooltip.hide()
    this.endLasso()
    const s = this.ctx.session
    if (tool === 'assign' && s) s.targetCell = s.selectedCell
    this.updatePan()
    this.brushEl.hidden = !(tool === 'brush' || tool === 'eraser')
    this.map.canvas.style.cursor = tool === 'select' ? '' : 'crosshair'
    this.changed()
  }

  setParentScope(scope: ParentScope) {
    this.parentScope = scope
    this.changed()
  }

  setBrushSize(px: number) {
    this.brushSize = px
    this.brushEl.style.width = this.brushEl.style.height = `${px}px`
    this.changed()
  }

  private updatePan() {
    this.map.setPanEnabled(this.tool === 'select' || this.spaceHeld)
  }

  private get painting() {
    return this.tool === 'brush' || this.tool === 'eraser'
  }

  private brushBox(e: MapPointer): [[number, number], [number, number]] {
    const r = this.brushSize / 2
    return [[e.x - r, e.y - r], [e.x + r, e.y + r]]
  }

  private pointer(e: MapPointer) {
    const s = this.ctx.session
    if (e.type === 'move' && this.painting) {
      this.brushEl.hidden = false
      this.brushEl.style.width = this.brushEl.style.height = `${this.brushSize}px`
      this.brushEl.style.transform = `translate(${e.x - this.brushSize / 2}px, ${e.y - this.brushSize / 2}px)`
    }
    if (e.type === 'leave') {
      this.brushEl.hidden = true
      this.tooltip.hide()
    }
    if (!s || this.spaceHeld) return
    if (e.type === 'move') this.hover(e)
    const boxing = (this.down?.shiftKey ?? e.shiftKey) || this.tool === 'box' || this.tool === 'split'
    switch (e.type) {
      case 'down':
        if (e.button !== 0) return
        this.down = e
        if (this.tool === 'lasso' && !e.shiftKey) {
          this.lasso = [[e.x, e.y]]
          this.lassoEl.style.display = ''
          this.drawLasso()
        } else if (boxing && this.tool !== 'select') {
          this.boxEl.hidden = false
          this.drawBox(e, e)
        } else if (boxing && this.tool === 'select' && e.shiftKey) {
          this.map.setPanEnabled(false)
          this.boxEl.hidden = false
          this.drawBox(e, e)
        } else if (this.painting) {
          s.beginStroke()
          this.strokeBase = undefined
          this.strokeErased = 0
          this.paintAt(e)
        }
        break
      case 'move':
        if (!this.down) return
        if (this.lasso) {
          if (extendLasso(this.lasso, e.x, e.y)) this.drawLasso()
        } else if (!this.boxEl.hidden) this.drawBox(this.down, e)
        else if (this.painting && s.stroking) this.paintAt(e)
        break
      case 'up': {
        const start = this.down
        this.down = undefined
        if (!start) return
        if (this.lasso) {
          const ring = this.lasso
          this.endLasso()
          this.lassoDone(ring)
        } else if (!this.boxEl.hidden) {
          this.boxEl.hidden = true
          this.updatePan()
          this.boxDone(start, e)
        } else if (s.stroking) {
          s.endStroke()
          this.strokeBase = undefined
        }
        break
      }
      case 'click':
        if (this.painting || this.tool === 'box' || this.tool === 'split' || this.tool === 'lasso') return
        this.click(e)
        break
    }
  }

  private drawBox(a: MapPointer, b: MapPointer) {
    const x = Math.min(a.x, b.x), y = Math.min(a.y, b.y)
    Object.assign(this.boxEl.style, { transform: `translate(${x}px, ${y}px)`, width: `${Math.abs(a.x - b.x)}px`, height: `${Math.abs(a.y - b.y)}px` })
  }

  private target(ids: string[]): number {
    const s = this.ctx.session!
    if (this.tool === 'eraser') return -1
    if (s.targetGrid >= 0) return s.targetGrid
    // no target yet: the grid the stroke starts in
    const u = ids.map((id) => s.unitIndex.get(id)).find((x) => x !== undefined)
    const g = u === undefined ? -1 : s.state.unitGrid[u]!
    if (g >= 0) s.targetGrid = g
    return g
  }

  private paintAt(e: MapPointer) {
    const s = this.ctx.session!
    const t0 = performance.now()
    const [a, b] = this.brushBox(e)
    const ids = this.map.unitsInBox(a, b)
    const grid = this.target(ids)
    if (grid < 0 && this.tool !== 'eraser') return
    if (grid >= 0 && this.strokeBase === undefined) this.strokeBase = gridWeights(s.state)[grid]!
    const r = s.strokePaint(ids, grid)
    if (r && !r.valid && r.reason !== 'no-change') this.ctx.status('warn', this.reasonText(r.reason, r.suggestion))
    if (r?.valid && grid < 0) for (const u of r.touchedUnits) this.strokeErased += unitWeight(s.state, u)
    this.lastStepMs = performance.now() - t0
  }

  // ---- lasso ----

  private drawLasso() {
    this.lassoLine.setAttribute('points', (this.lasso ?? []).map(([x, y]) => `${x},${y}`).join(' '))
  }

  private endLasso() {
    this.lasso = undefined
    this.lassoEl.style.display = 'none'
    this.lassoLine.setAttribute('points', '')
  }

  /** Units whose centre lies inside a lasso drawn in screen points (the ring is tested in lng/lat). */
  lassoUnits(screenRing: ReadonlyArray<readonly [number, number]>): number[] {
    const s = this.ctx.session
    if (!s || screenRing.length < 3) return []
    return unitsInRing(screenRing.map((p) => this.map.unproject([p[0], p[1]])), this.centres())
  }

  private centreCache: { session: object; centres: Float64Array; complete: boolean } | undefined

  /** Centres (lng, lat) of the session's unit boxes, cached until the session changes or missing boxes may have arrived. */
  private centres(): Float64Array {
    const s = this.ctx.session!
    const c = this.centreCache
    if (c && c.session === s && c.complete) return c.centres
    const n = s.state.unitIds.length
    const centres = new Float64Array(n * 2).fill(NaN)
    let complete = true
    for (let u = 0; u < n; u++) {
      const b = s.boxOfUnits([u])
      if (!b) {
        complete = false
        continue
      }
      centres[u * 2] = (b[0] + b[2]) / 2
      centres[u * 2 + 1] = (b[1] + b[3]) / 2
    }
    this.centreCache = { session: s, centres, complete }
    return centres
  }

  private lassoDone(ring: Array<[number, number]>) {
    const s = this.ctx.session!
    const units = this.lassoUnits(ring)
    if (ring.length < 3) return
    const grid = this.target(units.map((u) => s.state.unitIds[u]!))
    if (grid < 0) {
      this.ctx.status('info', this.ctx.i18n.t('tooltip.pickTarget'))
      return
    }
    s.commit(moveUnits(s.state, { units, grid }))
  }

  reasonText(reason: string, suggestion?: string): string {
    const t = this.ctx.i18n.t
    return t(`reasons.${reason}` as 'reasons.no-change') + (suggestion ? ` — ${t(`reasons.${suggestion}` as 'reasons.suggestLock')}` : '')
  }

  private boxDone(a: MapPointer, b: MapPointer) {
    const s = this.ctx.session!
    const ids = this.map.unitsInBox([a.x, a.y], [b.x, b.y])
    const units = ids.map((id) => s.unitIndex.get(id)).filter((u): u is number => u !== undefined)
    if (this.tool === 'split') {
      s.commit(splitGrid(s.state, { grid: s.selectedGrid, units }))
      return
    }
    if (this.tool === 'select') {
      // Shift-drag in select: select the grid most of the boxed units belong to
      const g = units.length ? s.state.unitGrid[units[0]!]! : -1
      s.select(g)
      return
    }
    const grid = this.target(ids)
    s.commit(moveUnits(s.state, { units, grid: this.tool === 'eraser' ? -1 : grid }))
  }

  private click(e: MapPointer) {
    const s = this.ctx.session!
    const id = this.map.unitAt(e.x, e.y)
    const u = id === undefined ? undefined : s.unitIndex.get(id)
    const g = u === undefined ? -1 : s.state.unitGrid[u]!
    switch (this.tool) {
      case 'parent': {
        if (u === undefined) return
        if (s.targetGrid < 0) {
          this.ctx.status('info', this.ctx.i18n.t('tooltip.pickTarget'))
          return
        }
        s.commit(parentFill(s.state, { unit: u, scope: this.parentScope, grid: s.targetGrid }))
        this.hover(e)
        break
      }
      case 'select':
        s.select(g)
        s.targetGrid = g
        this.changed()
        break
      case 'merge':
        if (g >= 0 && s.selectedGrid >= 0) s.commit(mergeGrids(s.state, { into: s.selectedGrid, from: g }))
        break
      case 'assign': {
        if (g < 0) return
        const onlyJurisdiction = this.ctx.user?.role === 'police' ? this.policeJurisdiction() : undefined
        s.commit(assignCell(s.state, { grids: [g], cell: s.targetCell, onlyJurisdiction }))
        break
      }
    }
  }

  // ---- the tooltip ----

  /** Schedules a tooltip update for the pointer at `e`, at most once per animation frame. */
  private hover(e: MapPointer) {
    if (!(this.painting || this.tool === 'parent' || this.tool === 'lasso')) return
    this.hoverAt = e
    if (this.hoverQueued) return
    this.hoverQueued = true
    requestAnimationFrame(() => {
      this.hoverQueued = false
      if (this.hoverAt) this.updateTooltip(this.hoverAt)
    })
  }

  /** The preview the tooltip shows at a pointer position; undefined when there is nothing to say. */
  previewAt(e: { x: number; y: number }): { preview: BrushPreview | undefined; grid: number } | undefined {
    const s = this.ctx.session
    if (!s) return undefined
    const st = s.state
    const eraser = this.tool === 'eraser'
    const grid = eraser ? -1 : s.targetGrid
    let units: number[]
    if (this.tool === 'lasso') {
      if (!this.lasso) return undefined
      units = this.lassoUnits(this.lasso)
    } else if (this.tool === 'parent') {
      const id = this.map.unitAt(e.x, e.y)
      const u = id === undefined ? undefined : s.unitIndex.get(id)
      units = u === undefined ? [] : parentUnits(st, u, this.parentScope)
    } else {
      const [a, b] = this.brushBox(e as MapPointer)
      units = this.map.unitsInBox(a, b).map((id) => s.unitIndex.get(id)).filter((u): u is number => u !== undefined)
    }
    if (s.stroking && this.strokeBase !== undefined && grid >= 0) {
      // during a stroke: what the stroke has done so far to the target grid
      let under = 0
      for (const u of units) under += unitWeight(st, u)
      const after = gridWeights(st)[grid]!
      const status = bandStatus(after, st.gridUnits[grid]!, st.band).status
      return { grid, preview: { valid: true, under, units: units.length, moved: after - this.strokeBase, movedUnits: 0, grid, before: this.strokeBase, after, status } }
    }
    if (s.stroking && eraser) {
      let under = 0
      for (const u of units) under += unitWeight(st, u)
      return { grid, preview: { valid: true, under, units: units.length, moved: this.strokeErased, movedUnits: 0, grid: -1, before: 0, after: 0, status: 'ok' } }
    }
    if (!units.length) return { grid, preview: undefined }
    if (grid < 0 && !eraser) {
      let under = 0
      for (const u of units) under += unitWeight(st, u)
      return { grid, preview: { valid: false, under, units: units.length, grid, reason: 'no-change' } }
    }
    return { grid, preview: brushPreview(st, units, grid) }
  }

  private updateTooltip(e: MapPointer) {
    const s = this.ctx.session
    const p = this.previewAt(e)
    if (!s || !p) return this.tooltip.hide()
    const noTarget = p.grid < 0 && this.tool !== 'eraser'
    const content = tooltipContent(this.ctx.i18n, p.preview, {
      code: p.grid >= 0 ? s.state.grids[p.grid]?.code : undefined,
      weightOn: s.state.band.on,
      noTarget,
      reason: (r) => this.reasonText(r),
    })
    if (!content) return this.tooltip.hide()
    const size = this.map.size
    this.tooltip.show(content, e.x, e.y, size.width, size.height)
  }

  /** The tooltip's text as shown (for the browser test), or null when hidden. */
  tooltipText(): string | null {
    return this.tooltip.text()
  }

  /** The police user's jurisdiction as an index of the plan state (-2 when it has none there: nothing allowed). */
  private policeJurisdiction(): number {
    const s = this.ctx.session!
    const id = String(this.ctx.user?.jurisdictionId ?? '')
    const j = s.state.jurisdictions.findIndex((x) => x.id === id)
    return j >= 0 ? j : -2
  }
}
