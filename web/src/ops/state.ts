import type { Adjacency, Band, CellInfo, GridInfo, PlanState } from './types.js'

export interface PlanInput {
  version: number
  band: Band
  cellBand?: { min: number; max: number }
  units: { id: string; community: number; population: number; households: number; grid: number }[]
  grids: { id: string; code: string; community: number; locked?: boolean; cell?: number }[]
  cells: { id: string; code: string; jurisdiction: number; locked?: boolean }[]
  communities?: PlanState['communities']
  jurisdictions?: PlanState['jurisdictions']
  adjacency?: Adjacency
}

/** Builds the typed-array state from plain rows once, at the edge (after loading from the API). */
export function createPlanState(input: PlanInput): PlanState {
  const n = input.units.length
  const unitCommunity = new Int32Array(n)
  const population = new Float64Array(n)
  const households = new Float64Array(n)
  const unitGrid = new Int32Array(n)
  input.units.forEach((u, i) => {
    unitCommunity[i] = u.community
    population[i] = u.population
    households[i] = u.households
    unitGrid[i] = u.grid
  })
  const grids: GridInfo[] = input.grids.map((g) => ({ id: g.id, code: g.code, community: g.community, locked: !!g.locked, removed: false }))
  const cells: CellInfo[] = input.cells.map((c) => ({ id: c.id, code: c.code, jurisdiction: c.jurisdiction, locked: !!c.locked }))
  const gridCell = Int32Array.from(input.grids, (g) => g.cell ?? -1)
  return withTotals({
    version: input.version,
    band: input.band,
    cellBand: input.cellBand ?? { min: 5, max: 6 },
    unitIds: input.units.map((u) => u.id),
    unitCommunity,
    population,
    households,
    unitGrid,
    grids,
    gridCell,
    cells,
    communities: input.communities ?? [],
    jurisdictions: input.jurisdictions ?? [],
    gridPopulation: new Float64Array(0),
    gridHouseholds: new Float64Array(0),
    gridUnits: new Int32Array(0),
    adjacency: input.adjacency,
  })
}

/** Recomputes every per-grid sum from scratch (on load; edits update sums incrementally). */
export function withTotals(s: PlanState): PlanState {
  const k = s.grids.length
  const gridPopulation = new Float64Array(k)
  const gridHouseholds = new Float64Array(k)
  const gridUnits = new Int32Array(k)
  for (let i = 0; i < s.unitGrid.length; i++) {
    const g = s.unitGrid[i]!
    if (g < 0) continue
    gridPopulation[g]! += s.population[i]!
    gridHouseholds[g]! += s.households[i]!
    gridUnits[g]!++
  }
  return { ...s, gridPopulation, gridHouseholds, gridUnits }
}

/** The weight the band is on, per grid. */
export function gridWeights(s: PlanState): Float64Array {
  return s.band.on === 'households' ? s.gridHouseholds : s.gridPopulation
}

export function unitWeight(s: PlanState, unit: number): number {
  return s.band.on === 'households' ? s.households[unit]! : s.population[unit]!
}

/** Units of one grid, in index order. O(units); use for split/zoom, not in the brush's hot path. */
export function unitsOfGrid(s: PlanState, grid: number): number[] {
  const out: number[] = []
  for (let i = 0; i < s.unitGrid.length; i++) if (s.unitGrid[i] === grid) out.push(i)
  return out
}

/** Grids of one cell (removed grids excluded). */
export function gridsOfCell(s: PlanState, cell: number): number[] {
  const out: number[] = []
  for (let g = 0; g < s.gridCell.length; g++) if (s.gridCell[g] === cell && !s.grids[g]!.removed) out.push(g)
  return out
}
