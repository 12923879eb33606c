import type { EditorMap, MapPointer } from '../map/adapter.js'
import type { Ctx } from './context.js'
import { assignCell, mergeGrids, moveUnits, splitGrid } from '../ops/index.js'
import { h } from './dom.js'

export type Tool = 'select' | 'brush' | 'box' | 'eraser' | 'split' | 'merge' | 'assign'

/**
 * Turns pointer gestures on the map into edit operations: brush strokes (one drag = one step), box
 * selections (Shift-drag in any tool), clicks. The map pans only in the select tool or with Space held.
 */
export class Interaction {
  tool: Tool = 'select'
  brushSize = 20
  private down: MapPointer | undefined
  private boxEl = h('div', { class: 'gw-box', hidden: true })
  private brushEl = h('div', { class: 'gw-brush', hidden: true, 'aria-hidden': 'true' })
  private spaceHeld = false
  /** Wall time of the last stroke step, for the edit round-trip measurement in the browser test. */
  lastStepMs = 0

  constructor(
    private readonly map: EditorMap,
    private readonly ctx: Ctx,
    private readonly changed: () => void,
  ) {
    map.canvas.append(this.boxEl, this.brushEl)
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
    this.tool = tool
    const s = this.ctx.session
    if (tool === 'assign' && s) s.targetCell = s.selectedCell
    this.updatePan()
    this.brushEl.hidden = !(tool === 'brush' || tool === 'eraser')
    this.map.canvas.style.cursor = tool === 'select' ? '' : 'crosshair'
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
    if (e.type === 'leave') this.brushEl.hidden = true
    if (!s || this.spaceHeld) return
    const boxing = (this.down?.shiftKey ?? e.shiftKey) || this.tool === 'box' || this.tool === 'split'
    switch (e.type) {
      case 'down':
        if (e.button !== 0) return
        this.down = e
        if (boxing && this.tool !== 'select') {
          this.boxEl.hidden = false
          this.drawBox(e, e)
        } else if (boxing && this.tool === 'select' && e.shiftKey) {
          this.map.setPanEnabled(false)
          this.boxEl.hidden = false
          this.drawBox(e, e)
        } else if (this.painting) {
          s.beginStroke()
          this.paintAt(e)
        }
        break
      case 'move':
        if (!this.down) return
        if (!this.boxEl.hidden) this.drawBox(this.down, e)
        else if (this.painting && s.stroking) this.paintAt(e)
        break
      case 'up': {
        const start = this.down
        this.down = undefined
        if (!start) return
        if (!this.boxEl.hidden) {
          this.boxEl.hidden = true
          this.updatePan()
          this.boxDone(start, e)
        } else if (s.stroking) s.endStroke()
        break
      }
      case 'click':
        if (this.painting || this.tool === 'box' || this.tool === 'split') return
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
    const r = s.strokePaint(ids, grid)
    if (r && !r.valid && r.reason !== 'no-change') this.ctx.status('warn', this.reasonText(r.reason, r.suggestion))
    this.lastStepMs = performance.now() - t0
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

  /** The police user's jurisdiction as an index of the plan state (-2 when it has none there: nothing allowed). */
  private policeJurisdiction(): number {
    const s = this.ctx.session!
    const id = String(this.ctx.user?.jurisdictionId ?? '')
    const j = s.state.jurisdictions.findIndex((x) => x.id === id)
    return j >= 0 ? j : -2
  }
}
