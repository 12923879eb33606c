import {
  applyEdit, bandStatus, createHistory, deviation, greedyColoring, gridEdgesFromUnits, gridLabelPoints, gridWeights, moveUnits, overlappingBoxes,
  record, redo as redoStep, undo as undoStep, Stroke, GRID_PALETTE, type Applied, type Edit, type History, type OpResult,
  type PlanState, type Refused, type Step,
} from '../ops/index.js'
import { boxCentres } from '../ops/lasso.js'
import { toServerEdits } from '../api/edits.js'
import { ConflictError } from '../api/http.js'
import type { Client } from '../api/client.js'
import type { EditorMap, UnitState } from '../map/adapter.js'

export type Change = 'state' | 'selection' | 'history' | 'saved'

/**
 * The editing session of one plan: state, history, selection, the brush stroke in progress, and the
 * queue that saves edits to the server in order. Painting only touches feature state of the units that
 * changed; outlines are refreshed once per saved edit.
 */
export class EditorSession {
  state: PlanState
  history: History = createHistory(100)
  selectedGrid = -1
  selectedCell = -1
  /** The grid the brush paints into and the cell grids are assigned to. */
  targetGrid = -1
  targetCell = -1
  readonly unitIndex = new Map<string, number>()
  private gridColour: Int32Array = new Int32Array(0)
  /** lng/lat box of each unit (4 numbers per unit), once the plan's topology has arrived. */
  private unitBoxes: Float64Array | undefined
  /** Centre of each unit's box (2 numbers per unit, NaN when unknown): lasso selection and grid labels. */
  unitCentres: Float64Array | undefined
  private stroke: Stroke | undefined
  private listeners = new Set<(c: Change) => void>()
  private saving: Promise<void> = Promise.resolve()
  /** Edits waiting for or being saved. */
  pending = 0

  constructor(
    readonly planId: number,
    state: PlanState,
    private readonly map: EditorMap,
    private readonly client: Client | undefined,
    private readonly hooks: { onRefused: (r: Refused) => void; onConflict: (version?: number) => void; onSaveError: (e: unknown) => void; unitBoxes?: Float64Array; saved?: (version: number) => void },
  ) {
    this.unitBoxes = hooks.unitBoxes
    this.unitCentres = hooks.unitBoxes && boxCentres(hooks.unitBoxes)
    this.state = state
    state.unitIds.forEach((id, i) => this.unitIndex.set(id, i))
    this.recolour()
    this.relabel()
  }

  on(fn: (c: Change) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }
  private emit(c: Change) {
    for (const l of this.listeners) l(c)
  }

  /**
   * The units' lng/lat boxes (4 numbers per unit, NaN when unknown) and rook adjacency arrived, in the
   * state's unit order: extents for zooming, true-neighbour colours, live contiguity. One recolour and
   * one repaint for both.
   */
  setTopology(boxes: Float64Array, adjacency: { xadj: Int32Array; adjncy: Int32Array }) {
    const n = this.state.unitIds.length
    if (boxes.length !== n * 4 || adjacency.xadj.length !== n + 1) return
    this.unitBoxes = boxes
    this.unitCentres = boxCentres(boxes)
    this.state = { ...this.state, adjacency }
    this.recolour()
    this.paintAll()
    this.relabel()
    this.emit('state')
  }

  /** Grid code labels at one point per grid (on one of its units), once the units' boxes are known. */
  private relabel() {
    if (!this.unitCentres) return
    const at = gridLabelPoints(this.state, this.unitCentres)
    const labels: Array<{ code: string; at: [number, number] }> = []
    this.state.grids.forEach((g, i) => {
      if (!g.removed && Number.isFinite(at[i * 2]!)) labels.push({ code: g.code, at: [at[i * 2]!, at[i * 2 + 1]!] })
    })
    this.map.setGridLabels(labels)
  }

  /** Colours grids so neighbours differ: from the unit adjacency when known, else from grid extents. */
  recolour() {
    const s = this.state
    let edges: Array<[number, number]>
    if (s.adjacency) edges = gridEdgesFromUnits(s.adjacency.xadj, s.adjacency.adjncy, s.unitGrid)
    else if (this.unitBoxes) edges = overlappingBoxes(this.gridBoxes(), 1e-6)
    else edges = s.grids.map((_, i) => [i, i + 1] as [number, number]).slice(0, -1)
    this.gridColour = greedyColoring(s.grids.length, edges)
  }

  /** Bounding box of each grid (lng/lat) from its units' boxes; undefined for empty grids. */
  gridBoxes(): Array<[number, number, number, number] | undefined> {
    const b = this.unitBoxes
    const out: Array<[number, number, number, number] | undefined> = this.state.grids.map(() => undefined)
    if (!b) return out
    this.state.unitGrid.forEach((g, u) => {
      if (g < 0 || !Number.isFinite(b[u * 4]!)) return
      const cur = out[g]
      const x0 = b[u * 4]!, y0 = b[u * 4 + 1]!, x1 = b[u * 4 + 2]!, y1 = b[u * 4 + 3]!
      out[g] = cur ? [Math.min(cur[0], x0), Math.min(cur[1], y0), Math.max(cur[2], x1), Math.max(cur[3], y1)] : [x0, y0, x1, y1]
    })
    return out
  }

  /** How many units have no box (none arrived for them); diagnostics. */
  unitsWithoutBox(): number {
    const b = this.unitBoxes
    if (!b) return this.state.unitIds.length
    let n = 0
    for (let u = 0; u < this.state.unitIds.length; u++) if (!Number.isFinite(b[u * 4]!)) n++
    return n
  }

  boxOfUnits(units: number[]): [number, number, number, number] | undefined {
    const b = this.unitBoxes
    if (!b || units.length === 0) return undefined
    const r: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity]
    for (const u of units) {
      // a unit without geometry (NaN box) does not widen the extent
      if (!Number.isFinite(b[u * 4]!)) continue
      r[0] = Math.min(r[0], b[u * 4]!)
      r[1] = Math.min(r[1], b[u * 4 + 1]!)
      r[2] = Math.max(r[2], b[u * 4 + 2]!)
      r[3] = Math.max(r[3], b[u * 4 + 3]!)
    }
    return Number.isFinite(r[0]) ? r : undefined
  }

  colourOf(grid: number): number {
    return grid < 0 ? -1 : (this.gridColour[grid] ?? grid) % GRID_PALETTE.length
  }

  /** Deviation class −3..3 of a grid (±5 %, ±15 %, beyond), for the choropleth. */
  deviationClass(grid: number): number {
    if (grid < 0) return 99
    const d = deviation(gridWeights(this.state)[grid]!, this.state.band)
    if (d === null) return 0
    const a = Math.abs(d)
    const k = a <= 5 ? 0 : a <= 15 ? 1 : a <= 30 ? 2 : 3
    return Math.sign(d) * k
  }

  private unitState(u: number): UnitState {
    const g = this.state.unitGrid[u]!
    return { c: this.colourOf(g), dev: this.deviationClass(g), sel: g >= 0 && g === this.selectedGrid }
  }

  /** Repaints every unit (after loading or undoing a structural change). */
  paintAll() {
    const ids = this.state.unitIds
    this.map.setUnitStates(ids.map((id, u) => [id, this.unitState(u)] as const))
    this.map.setGridStates(this.state.grids.map((g) => [g.id, { locked: g.locked, sel: false }] as const).filter(([id]) => id !== ''))
    if (this.selectedGrid >= 0) this.map.setGridStates([[this.state.grids[this.selectedGrid]!.id, { sel: true }]])
  }

  private paintUnits(units: number[], grids: number[]) {
    // deviation classes of the grids that changed weight affect all their units; only repaint those in deviation mode
    this.map.setUnitStates(units.map((u) => [this.state.unitIds[u]!, this.unitState(u)] as const))
    const locked = grids.filter((g) => this.state.grids[g]?.id).map((g) => [this.state.grids[g]!.id, { locked: this.state.grids[g]!.locked }] as const)
    this.map.setGridStates(locked)
  }

  select(grid: number, cell = grid >= 0 ? this.state.gridCell[grid]! : -1) {
    const prevGrid = this.selectedGrid
    const prevCell = this.selectedCell
    this.selectedGrid = grid
    this.selectedCell = cell
    const gridUnits = (g: number) => (g < 0 ? [] : this.state.unitGrid.reduce<number[]>((a, x, u) => (x === g ? (a.push(u), a) : a), []))
    this.paintUnits([...gridUnits(prevGrid), ...gridUnits(grid)], [])
    const gs: Array<readonly [string, { sel: boolean }]> = []
    if (prevGrid >= 0 && this.state.grids[prevGrid]) gs.push([this.state.grids[prevGrid]!.id, { sel: false }])
    if (grid >= 0) gs.push([this.state.grids[grid]!.id, { sel: true }])
    this.map.setGridStates(gs)
    const cs: Array<readonly [string, { sel: boolean }]> = []
    if (prevCell >= 0 && this.state.cells[prevCell]) cs.push([this.state.cells[prevCell]!.id, { sel: false }])
    if (cell >= 0) cs.push([this.state.cells[cell]!.id, { sel: true }])
    this.map.setCellStates(cs)
    this.emit('selection')
  }

  // ---- brush strokes: one drag = one step ----

  beginStroke() {
    this.stroke = new Stroke(this.state)
  }

  /** Paints units (by map id) into `grid` (-1 = eraser) as part of the current stroke. */
  strokePaint(ids: string[], grid: number): OpResult | undefined {
    if (!this.stroke) this.beginStroke()
    const units = ids.map((id) => this.unitIndex.get(id)).filter((u): u is number => u !== undefined)
    if (!units.length) return undefined
    const r = moveUnits(this.stroke!.state, { units, grid })
    if (!r.valid) return r
    this.stroke!.add(r)
    this.state = r.state
    this.paintUnits(r.touchedUnits, r.touchedGrids)
    this.emit('state')
    return r
  }

  endStroke() {
    const stroke = this.stroke
    this.stroke = undefined
    const step = stroke?.finish()
    if (!step || !stroke) return
    // the state before the stroke is needed to name the source grids of the moved units
    const before = applyEdit(this.state, step.inverse).state
    this.history = record(this.history, step)
    this.emit('history')
    this.save(before, step.edit)
  }

  get stroking(): boolean {
    return !!this.stroke
  }

  // ---- single operations ----

  /** Commits the result of any edit operation as one step, or reports why it was refused. */
  commit(r: OpResult): boolean {
    if (!r.valid) {
      this.hooks.onRefused(r)
      return false
    }
    const before = this.state
    this.apply(r)
    this.history = record(this.history, { edit: r.edit, inverse: r.inverse })
    this.emit('history')
    this.save(before, r.edit)
    return true
  }

  private apply(r: Pick<Applied, 'state' | 'touchedUnits' | 'touchedGrids'>) {
    const structural = r.state.grids.length !== this.state.grids.length || r.state.grids.some((g, i) => g.removed !== this.state.grids[i]?.removed)
    this.state = r.state
    if (structural) {
      this.recolour()
      this.paintAll()
    } else this.paintUnits(r.touchedUnits, r.touchedGrids)
    this.relabel()
    this.emit('state')
  }

  undo() {
    if (this.stroke) return
    const u = undoStep(this.history, this.state)
    if (!u) return
    const before = this.state
    this.history = u.history
    this.apply(u.result)
    this.emit('history')
    this.save(before, u.replayed)
  }

  redo() {
    if (this.stroke) return
    const r = redoStep(this.history, this.state)
    if (!r) return
    const before = this.state
    this.history = r.history
    this.apply(r.result)
    this.emit('history')
    this.save(before, r.replayed)
  }

  // ---- saving ----

  /** Sends the edit's server requests in order, each on the version the previous one produced. */
  private save(before: PlanState, edit: Edit) {
    if (!this.client) return
    const requests = toServerEdits(before, edit)
    if (!requests.length) return
    this.pending++
    this.emit('saved')
    this.saving = this.saving.then(async () => {
      try {
        for (const body of requests) {
          const reply = await this.client!.edit(this.planId, this.state.version, body)
          let grids = this.state.grids
          // a split on the server made a grid: give the local one its id (the last grid with no id)
          if (reply.createdGrids?.length) {
            const fresh = grids.map((g, i) => (g.id === '' ? i : -1)).filter((i) => i >= 0)
            grids = grids.map((g, i) => {
              const k = fresh.indexOf(i)
              return k >= 0 && reply.createdGrids![k] !== undefined ? { ...g, id: String(reply.createdGrids![k]) } : g
            })
          }
          this.state = { ...this.state, version: reply.version, grids }
        }
        this.hooks.saved?.(this.state.version)
      } catch (err) {
        if (err instanceof ConflictError) this.hooks.onConflict(err.version)
        else this.hooks.onSaveError(err)
        // later edits were made on a state the server refused: drop them; the UI reloads the plan
        this.saving = Promise.resolve()
        this.pending = 0
        this.emit('saved')
        throw err
      } finally {
        if (this.pending > 0) this.pending--
        this.emit('saved')
      }
    }).catch(() => undefined)
  }

  /** Resolves when every edit so far is saved (or failed). */
  flushed(): Promise<void> {
    return this.saving
  }

  // ---- numbers ----

  gridStatus(g: number) {
    return bandStatus(gridWeights(this.state)[g]!, this.state.gridUnits[g]!, this.state.band)
  }
}

export type { Step }
