import type { EditorMap, MapPointer } from '../map/adapter.js'
import type { Ctx } from './context.js'
import { assignCell, bandStatus, gridWeights, mergeGrids, moveUnits, splitGrid, unitWeight } from '../ops/index.js'
import { parentFill, parentUnits, type ParentScope } from '../ops/parent-fill.js'
import { brushPreview, type BrushPreview } from '../ops/preview.js'
import { h } from './dom.js'
import { BrushTooltip, tooltipContent } from './tooltip.js'
import { Lasso } from './lasso.js'

export type Tool = 'select' | 'brush' | 'box' | 'lasso' | 'parent' | 'eraser' | 'split' | 'merge' | 'assign'

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
  private readonly lasso: Lasso
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
    this.lasso = new Lasso(map)
    map.canvas.append(this.boxEl, this.brushEl, this.lasso.el, this.tooltip.el)
    map.onPointer((e) => this.pointer(e))
    window.addEventListener('keydown', (e) => {
      if (e.code === 'Space' && !e.repeat && !(e.target instanceof HTMLInputElement) && !(e.target instanceof HTMLButtonElement) && !e.isComposing) {
        this.spaceHeld = true
        this.tooltip.hide()
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
    this.lasso.end()
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
          this.lasso.start(e.x, e.y)
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
        if (this.lasso.points) this.lasso.extend(e.x, e.y)
        else if (!this.boxEl.hidden) this.drawBox(this.down, e)
        else if (this.painting && s.stroking) this.paintAt(e)
        break
      case 'up': {
        const start = this.down
        this.down = undefined
        if (!start) return
        if (this.lasso.points) this.lassoDone(this.lasso.end())
        else if (!this.boxEl.hidden) {
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

  private lassoDone(ring: Array<[number, number]>) {
    const s = this.ctx.session!
    if (ring.length < 3) return
    const units = this.lasso.units(s, ring)
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

  /** Whether the current tool shows the tooltip. */
  private get hasTooltip() {
    return this.painting || this.tool === 'parent' || this.tool === 'lasso'
  }

  /** Schedules a tooltip update for the pointer at `e`, at most once per animation frame. */
  private hover(e: MapPointer) {
    if (!this.hasTooltip) return
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
    let units: number[]
    if (this.tool === 'lasso') {
      if (!this.lasso.points) return undefined
      units = this.lasso.units(s, this.lasso.points)
    } else if (this.tool === 'parent') {
      const id = this.map.unitAt(e.x, e.y)
      const u = id === undefined ? undefined : s.unitIndex.get(id)
      units = u === undefined ? [] : parentUnits(st, u, this.parentScope)
    } else {
      const [a, b] = this.brushBox(e as MapPointer)
      units = this.map.unitsInBox(a, b).map((id) => s.unitIndex.get(id)).filter((u): u is number => u !== undefined)
    }
    // as in target(): without a target grid, brush and lasso paint into the grid of the first unit they meet
    const grid = eraser ? -1 : s.targetGrid >= 0 ? s.targetGrid : this.tool === 'parent' || !units.length ? -1 : st.unitGrid[units[0]!]!
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
    // the tool may have changed since this update was scheduled
    const p = this.hasTooltip && !this.spaceHeld ? this.previewAt(e) : undefined
    if (!s || !p) return this.tooltip.hide()
    const noTarget = p.grid < 0 && this.tool !== 'eraser'
    const content = tooltipContent(this.ctx.i18n, p.preview, {
      code: p.grid >= 0 ? s.state.grids[p.grid]?.code : undefined,
      weightOn: s.state.band.on,
      noTarget,
      reason: (r) => this.reasonText(r),
      source: this.tool === 'lasso' ? 'lasso' : this.tool === 'parent' ? this.parentScope : 'brush',
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
