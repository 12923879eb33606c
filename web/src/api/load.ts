import { createPlanState, type PlanInput } from '../ops/state.js'
import type { PlanState, WeightName } from '../ops/types.js'
import type { PlanDetail, PlanUnits } from './types.js'

export interface LoadedPlan {
  state: PlanState
  /** External unit id (the one in CSVs, leading zeros kept) of each unit. */
  unitExtIds: string[]
}

/**
 * Builds the editor state from the plan API, without any geometry:
 * - GET /api/plans/:id (grids with communityId/cellId/locked, cells with jurisdictionId/locked);
 * - GET /api/plans/:id/units (every unit of the district in id order: database id, ext id, weights,
 *   community id and grid id, null when unassigned).
 * Every unit keeps its database id, so unassigned units can be painted too. Pure: runs in Node tests.
 */
export function planStateFromApi(plan: PlanDetail, units: PlanUnits): LoadedPlan {
  const gridIndex = new Map<number, number>()
  plan.gridList.forEach((g, i) => gridIndex.set(g.id, i))
  const cellIndex = new Map<number, number>()
  plan.cellList.forEach((c, i) => cellIndex.set(c.id, i))
  const jurisdictions: { id: string; code: string; name: string }[] = []
  const jIndex = new Map<number, number>()
  const jOf = (id: number | null) => {
    if (id === null) return -1
    let j = jIndex.get(id)
    if (j === undefined) {
      jIndex.set(id, (j = jurisdictions.length))
      jurisdictions.push({ id: String(id), code: String(id), name: String(id) })
    }
    return j
  }
  const cells: PlanInput['cells'] = plan.cellList.map((c) => ({ id: String(c.id), code: c.code, jurisdiction: jOf(c.jurisdictionId), locked: c.locked }))

  // communities by database id; a community's jurisdiction is that of a cell holding one of its grids
  const communities: { id: string; code: string; name: string; jurisdiction: number }[] = []
  const cIndex = new Map<number, number>()
  const communityOf = (id: number | null) => {
    if (id === null) return -1
    let c = cIndex.get(id)
    if (c === undefined) {
      cIndex.set(id, (c = communities.length))
      communities.push({ id: String(id), code: String(id), name: String(id), jurisdiction: -1 })
    }
    return c
  }

  const u = units.units
  const rows: PlanInput['units'] = u.id.map((id, i) => {
    const gridDb = u.grid[i] ?? null
    return {
      id: String(id),
      community: communityOf(u.community[i] ?? null),
      population: u.population[i] ?? 0,
      households: u.households[i] ?? 0,
      grid: gridDb === null ? -1 : (gridIndex.get(gridDb) ?? -1),
    }
  })

  const grids: PlanInput['grids'] = plan.gridList.map((g) => {
    const community = communityOf(g.communityId)
    const cell = g.cellId === null ? -1 : (cellIndex.get(g.cellId) ?? -1)
    if (community >= 0 && cell >= 0 && communities[community]!.jurisdiction < 0) communities[community]!.jurisdiction = cells[cell]!.jurisdiction
    return { id: String(g.id), code: g.code, community, locked: g.locked, cell }
  })

  const weight: WeightName = plan.params?.weight === 'households' ? 'households' : 'population'
  const state = createPlanState({
    version: units.version,
    band: { on: weight, min: plan.params?.min ?? 0, max: plan.params?.max ?? Number.MAX_SAFE_INTEGER },
    cellBand: { min: plan.params?.cellMin ?? 5, max: plan.params?.cellMax ?? 6 },
    units: rows,
    grids,
    cells,
    communities,
    jurisdictions,
  })
  return { state, unitExtIds: u.extId.slice() }
}
