import { describe, expect, it } from 'vitest'
import {
  createPlanState, moveUnits, assignCell, setGridLock, setCellLock, splitGrid, mergeGrids, applyEdit,
  createHistory, record, undo, redo, canUndo, Stroke, violations, greedyColoring, gridEdgesFromUnits,
  overlappingBoxes, bandStatus, withTotals, gridLabelPoints, deviation, type PlanState, type Applied, type OpResult,
} from '../web/src/ops/index.js'
import { boxCentres } from '../web/src/ops/lasso.js'

/**
 * A 4 × 3 lattice of units (index = row * 4 + col), rook adjacency. Columns 0–1 are community 0,
 * columns 2–3 community 1. Grids: 0 = col 0, 1 = col 1, 2 = cols 2–3. Cells: 0 holds grids 0, 1; 1 holds 2.
 */
function lattice(): PlanState {
  const W = 4, H = 3
  const xadj = [0]
  const adjncy: number[] = []
  for (let r = 0; r < H; r++)
    for (let c = 0; c < W; c++) {
      if (c > 0) adjncy.push(r * W + c - 1)
      if (c < W - 1) adjncy.push(r * W + c + 1)
      if (r > 0) adjncy.push((r - 1) * W + c)
      if (r < H - 1) adjncy.push((r + 1) * W + c)
      xadj.push(adjncy.length)
    }
  const units = []
  for (let i = 0; i < W * H; i++) {
    const c = i % W
    units.push({ id: `00${i}`, community: c < 2 ? 0 : 1, population: 100 + i, households: 40, grid: c < 2 ? c : 2 })
  }
  return createPlanState({
    version: 3,
    band: { on: 'population', min: 300, max: 400 },
    cellBand: { min: 1, max: 2 },
    units,
    grids: [
      { id: 'g0', code: 'A01', community: 0, cell: 0 },
      { id: 'g1', code: 'A02', community: 0, cell: 0 },
      { id: 'g2', code: 'B01', community: 1, cell: 1 },
    ],
    cells: [
      { id: 'c0', code: 'J01', jurisdiction: 0 },
      { id: 'c1', code: 'J02', jurisdiction: 0 },
    ],
    communities: [
      { id: 'm0', code: 'M0', name: '和平社区', jurisdiction: 0 },
      { id: 'm1', code: 'M1', name: '站前社区', jurisdiction: 0 },
    ],
    jurisdictions: [{ id: 'j0', code: 'J', name: '龙华街道' }],
    adjacency: { xadj: Int32Array.from(xadj), adjncy: Int32Array.from(adjncy) },
  })
}

function ok(r: OpResult): Applied {
  if (!r.valid) throw new Error(`refused: ${r.reason}`)
  return r
}

/** The invariant every state must keep: per-grid sums equal a recount from the units. */
function expectTotalsConsistent(s: PlanState) {
  const fresh = withTotals(s)
  expect([...s.gridPopulation]).toEqual([...fresh.gridPopulation])
  expect([...s.gridHouseholds]).toEqual([...fresh.gridHouseholds])
  expect([...s.gridUnits]).toEqual([...fresh.gridUnits])
}

const snapshot = (s: PlanState) => ({
  unitGrid: [...s.unitGrid], gridCell: [...s.gridCell], grids: s.grids.map((g) => ({ ...g })),
  cells: s.cells.map((c) => ({ ...c })), pop: [...s.gridPopulation],
})

describe('moveUnits', () => {
  it('moves units, updates both grids, and its inverse restores the state exactly', () => {
    const s = lattice()
    const r = ok(moveUnits(s, { units: [1, 5], grid: 0 }))
    expect(r.state.unitGrid[1]).toBe(0)
    expect(r.state.gridPopulation[0]).toBe(s.gridPopulation[0]! + 101 + 105)
    expect(r.state.gridPopulation[1]).toBe(s.gridPopulation[1]! - 101 - 105)
    expect(r.touchedGrids.sort()).toEqual([0, 1])
    expectTotalsConsistent(r.state)
    expect(snapshot(applyEdit(r.state, r.inverse).state)).toEqual(snapshot(s))
    // the input state is untouched (pure)
    expect(s.unitGrid[1]).toBe(1)
  })
  it('refuses a locked target with a suggestion, and skips units of locked grids', () => {
    const s = ok(setGridLock(lattice(), { grids: [1], locked: true })).state
    expect(moveUnits(s, { units: [0], grid: 1 })).toEqual({ valid: false, reason: 'grid-locked', suggestion: 'suggestLock' })
    expect(moveUnits(s, { units: [1, 5], grid: 0 })).toMatchObject({ valid: false, reason: 'source-locked' })
    const r = ok(moveUnits(s, { units: [1, 4], grid: -1 }))
    expect(r.edit).toEqual({ op: 'set-unit-grids', units: [4], grids: [-1] })
  })
  it('keeps a stroke inside the target grid community', () => {
    const s = lattice()
    expect(moveUnits(s, { units: [2], grid: 1 })).toMatchObject({ valid: false, reason: 'cross-community', suggestion: 'suggestCommunity' })
    expect(ok(moveUnits(s, { units: [2, 5], grid: 0 })).touchedUnits).toEqual([5])
  })
  it('reports empty selections, no-ops and unknown grids', () => {
    const s = lattice()
    expect(moveUnits(s, { units: [], grid: 0 })).toMatchObject({ reason: 'empty-selection' })
    expect(moveUnits(s, { units: [0], grid: 0 })).toMatchObject({ reason: 'no-change' })
    expect(moveUnits(s, { units: [0], grid: 9 })).toMatchObject({ reason: 'unknown-grid' })
  })
  it('erases (grid -1) into unassigned units, counted as a violation', () => {
    const r = ok(moveUnits(lattice(), { units: [0, 4], grid: -1 }))
    expect(r.state.gridUnits[0]).toBe(1)
    expect(violations(r.state)).toContainEqual({ kind: 'unassigned', count: 2, first: 0 })
  })
})

describe('assignCell', () => {
  it('moves a grid to another cell and flags the cell sizes', () => {
    const s = lattice()
    const r = ok(assignCell(s, { grids: [1], cell: 1 }))
    expect([...r.state.gridCell]).toEqual([0, 1, 1])
    expect(snapshot(applyEdit(r.state, r.inverse).state)).toEqual(snapshot(s))
  })
  it('respects locked cells, jurisdictions and the police user jurisdiction', () => {
    const s = lattice()
    const locked = ok(setCellLock(s, { cells: [0], locked: true })).state
    expect(assignCell(locked, { grids: [2], cell: 0 })).toMatchObject({ reason: 'cell-locked' })
    expect(assignCell(locked, { grids: [1], cell: 1 })).toMatchObject({ reason: 'cell-locked' })
    expect(assignCell(s, { grids: [1], cell: 1, onlyJurisdiction: 5 })).toMatchObject({ reason: 'forbidden' })
    const twoJ = { ...s, cells: [s.cells[0]!, { ...s.cells[1]!, jurisdiction: 1 }] }
    expect(assignCell(twoJ, { grids: [0], cell: 1 })).toMatchObject({ reason: 'cross-jurisdiction' })
  })
})

describe('split and merge', () => {
  it('splits units off into a new grid in the same cell, and undo removes it again', () => {
    const s = lattice()
    const r = ok(splitGrid(s, { grid: 2, units: [3, 7, 11] }))
    expect(r.state.grids).toHaveLength(4)
    expect(r.state.grids[3]).toMatchObject({ code: 'B01-2', community: 1, removed: false })
    expect(r.state.gridCell[3]).toBe(1)
    expect(r.state.gridUnits[3]).toBe(3)
    expectTotalsConsistent(r.state)
    const back = applyEdit(r.state, r.inverse).state
    expect(back.grids[3]!.removed).toBe(true)
    expect([...back.unitGrid]).toEqual([...s.unitGrid])
    // redo brings the same index back
    const again = applyEdit(back, r.edit).state
    expect(again.grids[3]!.removed).toBe(false)
    expect(again.gridUnits[3]).toBe(3)
    expect(splitGrid(s, { grid: 0, units: [0, 4, 8] })).toMatchObject({ reason: 'split-all' })
  })
  it('merges two touching grids of one community and refuses across communities', () => {
    const s = lattice()
    const r = ok(mergeGrids(s, { into: 0, from: 1 }))
    expect(r.state.grids[1]!.removed).toBe(true)
    expect(r.state.gridUnits[0]).toBe(6)
    expect(r.state.gridCell[1]).toBe(-1)
    expect(snapshot(applyEdit(r.state, r.inverse).state)).toEqual(snapshot(s))
    expect(mergeGrids(s, { into: 1, from: 2 })).toMatchObject({ reason: 'cross-community' })
    expect(mergeGrids(s, { into: 1, from: 1 })).toMatchObject({ reason: 'same-grid' })
  })
  it('refuses grids that do not touch', () => {
    const s = lattice()
    const anyCommunity = { ...s, grids: s.grids.map((g) => ({ ...g, community: -1 })) }
    // grid 0 is column 0, grid 2 columns 2–3: column 1 lies between them
    expect(mergeGrids(anyCommunity, { into: 2, from: 0 })).toMatchObject({ reason: 'not-adjacent' })
    expect(mergeGrids(anyCommunity, { into: 2, from: 1 }).valid).toBe(true)
  })
})

describe('undo history', () => {
  it('keeps at least 50 steps and undoes/redoes them all in order', () => {
    let s = lattice()
    const start = snapshot(s)
    let h = createHistory(60)
    const states: ReturnType<typeof snapshot>[] = [start]
    for (let i = 0; i < 55; i++) {
      // alternate unit 5 and unit 9 between grids 0 and 1
      const u = i % 2 ? 9 : 5
      const r = ok(moveUnits(s, { units: [u], grid: s.unitGrid[u] === 0 ? 1 : 0 }))
      s = r.state
      h = record(h, { edit: r.edit, inverse: r.inverse })
      states.push(snapshot(s))
    }
    expect(h.past).toHaveLength(55)
    for (let i = 54; i >= 0; i--) {
      const u = undo(h, s)!
      h = u.history
      s = u.result.state
      expect(snapshot(s)).toEqual(states[i])
    }
    expect(canUndo(h)).toBe(false)
    for (let i = 1; i <= 55; i++) {
      const r = redo(h, s)!
      h = r.history
      s = r.result.state
      expect(snapshot(s)).toEqual(states[i])
    }
  })
  it('drops the oldest steps beyond the limit and clears redo on a new step', () => {
    let h = createHistory(3)
    const step = { edit: { op: 'batch' as const, edits: [] }, inverse: { op: 'batch' as const, edits: [] } }
    for (let i = 0; i < 5; i++) h = record(h, step)
    expect(h.past).toHaveLength(3)
    const u = undo(h, lattice())!
    expect(u.history.future).toHaveLength(1)
    expect(record(u.history, step).future).toHaveLength(0)
  })
  it('folds one brush drag into one step that undoes the whole drag', () => {
    const s = lattice()
    const stroke = new Stroke(s)
    for (const units of [[1], [5], [5, 9], [1]]) {
      const r = moveUnits(stroke.state, { units, grid: 0 })
      if (r.valid) stroke.add(r)
    }
    // live numbers moved during the stroke
    expect(stroke.state.gridPopulation[0]).toBe(s.gridPopulation[0]! + 101 + 105 + 109)
    // painting unit 9 back during the same drag drops it from the step
    const back = ok(moveUnits(stroke.state, { units: [9], grid: 1 }))
    stroke.add(back)
    const step = stroke.finish()!
    expect(step.edit).toEqual({ op: 'set-unit-grids', units: [1, 5], grids: [0, 0] })
    let h = record(createHistory(), step)
    const u = undo(h, stroke.state)!
    expect(snapshot(u.result.state)).toEqual(snapshot(s))
    h = u.history
    expect(h.past).toHaveLength(0)
    expect(new Stroke(s).finish()).toBeUndefined()
  })
})

describe('live numbers', () => {
  it('says how much to add or remove', () => {
    expect(bandStatus(180, 3, { min: 300, max: 400 })).toEqual({ status: 'under', amount: 120 })
    expect(bandStatus(450, 3, { min: 300, max: 400 })).toEqual({ status: 'over', amount: 50 })
    expect(bandStatus(350, 3, { min: 300, max: 400 })).toEqual({ status: 'ok', amount: 0 })
    expect(bandStatus(0, 0, { min: 300, max: 400 }).status).toBe('empty')
  })
  it('lists out-of-band, non-contiguous, crossing and cell-size violations', () => {
    const s = lattice()
    // grid 2 holds 6 units ~ 6 × 106 > 400; cells of 2 and 1 grids within 1–2
    const v = violations(s)
    expect(v).toContainEqual(expect.objectContaining({ kind: 'out-of-band', grid: 2, status: 'over' }))
    expect(v.some((x) => x.kind === 'cell-size')).toBe(false)
    // cut grid 1 in two: move its middle unit 5 to grid 0 -> units 1 and 9 no longer touch
    const cut = ok(moveUnits(s, { units: [5], grid: 0 })).state
    expect(violations(cut)).toContainEqual({ kind: 'non-contiguous', grid: 1, pieces: 2 })
    const cross = { ...cut, unitGrid: Int32Array.from(cut.unitGrid, (g, u) => (u === 2 ? 1 : g)) }
    expect(violations(withTotals(cross))).toContainEqual({ kind: 'crosses-parent', grid: 1 })
    const crowded = ok(assignCell(s, { grids: [2], cell: 0 })).state
    expect(violations(crowded)).toContainEqual({ kind: 'cell-size', cell: 0, count: 3 })
    expect(violations(crowded)).toContainEqual({ kind: 'cell-size', cell: 1, count: 0 })
  })
})

describe('grid colouring', () => {
  it('gives touching grids different colours', () => {
    const s = lattice()
    const edges = gridEdgesFromUnits(s.adjacency!.xadj, s.adjacency!.adjncy, s.unitGrid)
    expect(edges.sort()).toEqual([[0, 1], [1, 2]])
    const c = greedyColoring(3, edges)
    for (const [a, b] of edges) expect(c[a]).not.toBe(c[b])
    expect(Math.max(...c)).toBeLessThanOrEqual(1)
  })
  it('colours a wheel properly and finds touching boxes', () => {
    const n = 7
    const edges: Array<[number, number]> = []
    for (let i = 1; i < n; i++) edges.push([0, i], [i, i === n - 1 ? 1 : i + 1])
    const c = greedyColoring(n, edges)
    for (const [a, b] of edges) expect(c[a]).not.toBe(c[b])
    expect(overlappingBoxes([[0, 0, 1, 1], [1, 0, 2, 1], [5, 5, 6, 6], undefined])).toEqual([[0, 1]])
  })
})

describe('gridLabelPoints', () => {
  /** Unit boxes of unit squares at integer cells (x, y). */
  const boxesOf = (cells: Array<[number, number]>) => Float64Array.from(cells.flatMap(([x, y]) => [x, y, x + 1, y + 1]))

  it('puts one point per grid on a unit of that grid, even when the mean lies outside an L-shaped grid', () => {
    // grid 0: an L of 5 units whose mean centre (1.3, 1.3) is the notch at cell (1, 1), held by grid 1
    const cells: Array<[number, number]> = [[0, 0], [1, 0], [2, 0], [0, 1], [0, 2], [1, 1], [2, 1], [1, 2], [2, 2]]
    const unitGrid = Int32Array.from([0, 0, 0, 0, 0, 1, 1, 1, 1])
    const grids = [0, 1, 2].map((i) => ({ id: String(i), code: `G${i}`, community: 0, locked: false, removed: i === 2 }))
    const at = gridLabelPoints({ unitGrid, grids }, boxCentres(boxesOf(cells)))
    const cellAt = (g: number) => cells.findIndex(([x, y]) => x + 0.5 === at[g * 2] && y + 0.5 === at[g * 2 + 1])
    expect(unitGrid[cellAt(0)]).toBe(0)
    expect(unitGrid[cellAt(1)]).toBe(1)
    // grid 2 has no units: no point
    expect(Number.isNaN(at[4])).toBe(true)
  })

  it('skips units without a box and unassigned units', () => {
    const boxes = Float64Array.from([NaN, NaN, NaN, NaN, 5, 5, 6, 6, 100, 100, 101, 101])
    const at = gridLabelPoints({ unitGrid: Int32Array.from([0, 0, -1]), grids: [{ id: '1', code: 'A', community: 0, locked: false, removed: false }] }, boxCentres(boxes))
    expect([...at]).toEqual([5.5, 5.5])
  })
})

describe('deviation', () => {
  it('is measured from the band middle, and is null for a plan without limits (an imported division)', () => {
    expect(deviation(1100, { min: 800, max: 1200 })).toBe(10)
    expect(deviation(963, { min: 0, max: Number.MAX_SAFE_INTEGER })).toBeNull()
    expect(deviation(5, { min: 0, max: 0 })).toBeNull()
  })
})
