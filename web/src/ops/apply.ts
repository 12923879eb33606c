import type { Edit, GridInfo, PlanState } from './types.js'

export interface ApplyResult {
  state: PlanState
  inverse: Edit
  touchedUnits: number[]
  touchedGrids: number[]
}

/**
 * Applies a primitive edit without validation and returns the edit that undoes it. Inverses list their
 * entries in reverse order so that an edit naming one unit twice still undoes exactly.
 * Cost is O(entries) plus one copy of the touched arrays (typed-array copies of 10k units take ~µs).
 */
export function applyEdit(s: PlanState, e: Edit): ApplyResult {
  switch (e.op) {
    case 'set-unit-grids':
      return setUnitGrids(s, e.units, e.grids)
    case 'set-grid-cells': {
      const gridCell = s.gridCell.slice()
      const old = e.grids.map((g, i) => {
        const o = gridCell[g]!
        gridCell[g] = e.cells[i]!
        return o
      })
      return done({ ...s, gridCell }, { op: 'set-grid-cells', grids: [...e.grids].reverse(), cells: old.reverse() }, [], e.grids)
    }
    case 'set-grid-locks': {
      const grids = s.grids.slice()
      const old = e.grids.map((g, i) => {
        const o = grids[g]!.locked
        grids[g] = { ...grids[g]!, locked: e.locked[i]! }
        return o
      })
      return done({ ...s, grids }, { op: 'set-grid-locks', grids: [...e.grids].reverse(), locked: old.reverse() }, [], e.grids)
    }
    case 'set-cell-locks': {
      const cells = s.cells.slice()
      const old = e.cells.map((c, i) => {
        const o = cells[c]!.locked
        cells[c] = { ...cells[c]!, locked: e.locked[i]! }
        return o
      })
      return done({ ...s, cells }, { op: 'set-cell-locks', cells: [...e.cells].reverse(), locked: old.reverse() }, [], [])
    }
    case 'add-grid': {
      if (e.grid < s.grids.length) {
        // Redo of a split whose grid an undo only marked removed: bring the same index back.
        const grids = s.grids.slice()
        grids[e.grid] = { ...grids[e.grid]!, code: e.code, community: e.community, removed: false }
        return done({ ...s, grids }, { op: 'remove-grid', grid: e.grid }, [], [e.grid])
      }
      if (e.grid !== s.grids.length) throw new Error(`add-grid: index ${e.grid} must be ${s.grids.length} (the next free one)`)
      const g: GridInfo = { id: '', code: e.code, community: e.community, locked: false, removed: false }
      return done(
        {
          ...s,
          grids: [...s.grids, g],
          gridCell: grow(s.gridCell, -1),
          gridPopulation: grow(s.gridPopulation, 0),
          gridHouseholds: grow(s.gridHouseholds, 0),
          gridUnits: grow(s.gridUnits, 0),
        },
        { op: 'remove-grid', grid: e.grid },
        [],
        [e.grid],
      )
    }
    case 'remove-grid':
    case 'restore-grid': {
      const grids = s.grids.slice()
      grids[e.grid] = { ...grids[e.grid]!, removed: e.op === 'remove-grid' }
      return done({ ...s, grids }, { op: e.op === 'remove-grid' ? 'restore-grid' : 'remove-grid', grid: e.grid }, [], [e.grid])
    }
    case 'batch': {
      let state = s
      const inverses: Edit[] = []
      const units = new Set<number>()
      const grids = new Set<number>()
      for (const sub of e.edits) {
        const r = applyEdit(state, sub)
        state = r.state
        inverses.push(r.inverse)
        for (const u of r.touchedUnits) units.add(u)
        for (const g of r.touchedGrids) grids.add(g)
      }
      return done(state, { op: 'batch', edits: inverses.reverse() }, [...units], [...grids])
    }
  }
}

function done(state: PlanState, inverse: Edit, touchedUnits: number[], touchedGrids: number[]): ApplyResult {
  return { state, inverse, touchedUnits, touchedGrids }
}

function grow<T extends Int32Array | Float64Array>(a: T, fill: number): T {
  const b = new (a.constructor as { new (n: number): T })(a.length + 1)
  b.set(a)
  b[a.length] = fill
  return b
}

function setUnitGrids(s: PlanState, units: number[], target: number[]): ApplyResult {
  const unitGrid = s.unitGrid.slice()
  const pop = s.gridPopulation.slice()
  const hh = s.gridHouseholds.slice()
  const cnt = s.gridUnits.slice()
  const old: number[] = []
  const touchedGrids = new Set<number>()
  units.forEach((u, i) => {
    const from = unitGrid[u]!
    const to = target[i]!
    old.push(from)
    if (from === to) return
    if (from >= 0) {
      pop[from]! -= s.population[u]!
      hh[from]! -= s.households[u]!
      cnt[from]!--
      touchedGrids.add(from)
    }
    if (to >= 0) {
      pop[to]! += s.population[u]!
      hh[to]! += s.households[u]!
      cnt[to]!++
      touchedGrids.add(to)
    }
    unitGrid[u] = to
  })
  return done(
    { ...s, unitGrid, gridPopulation: pop, gridHouseholds: hh, gridUnits: cnt },
    { op: 'set-unit-grids', units: [...units].reverse(), grids: old.reverse() },
    units,
    [...touchedGrids],
  )
}
