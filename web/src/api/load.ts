import { createPlanState, type PlanInput } from '../ops/state.js'
import type { PlanState, WeightName } from '../ops/types.js'
import type { PlanDetail } from './types.js'

type Props = Record<string, unknown>
const str = (v: unknown) => (v === null || v === undefined ? '' : String(v))
const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0) || 0)

export interface LoadedPlan {
  state: PlanState
  /** lng/lat box of each unit, 4 numbers per unit (NaN when it has no geometry). */
  unitBoxes: Float64Array
  /** External unit id (the one in CSVs, leading zeros kept) of each unit. */
  unitExtIds: string[]
  /** Units whose database id could not be matched (they cannot be painted). */
  unmatched: number
}

/**
 * Builds the editor state from the plan API:
 * - GET /api/plans/:id (grids with communityId/cellId/locked, cells with jurisdictionId/locked);
 * - GET /api/plans/:id/assignments (database unit ids → grid ids, ordered by unit id);
 * - GET /api/plans/:id/export.geojson?layer=units (every unit of the district ordered by database id, with
 *   ext id, population, households, community code, grid_id and geometry).
 * The export carries no database unit id, so assigned units are matched in order against the assignment
 * list (both ordered by unit id) and each match is checked by its grid. Pure: runs in Node tests.
 */
export function planStateFromApi(
  plan: PlanDetail,
  assignments: { units: number[]; grids: number[] },
  units: GeoJSON.FeatureCollection,
): LoadedPlan {
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

  // communities: units name them by code, grids by database id; tie them through the grids' units
  const communities: { id: string; code: string; name: string; jurisdiction: number }[] = []
  const byCode = new Map<string, number>()
  const communityOfCode = (code: string) => {
    if (!code) return -1
    let c = byCode.get(code)
    if (c === undefined) {
      byCode.set(code, (c = communities.length))
      communities.push({ id: '', code, name: code, jurisdiction: -1 })
    }
    return c
  }

  const n = units.features.length
  const unitBoxes = new Float64Array(n * 4).fill(NaN)
  const unitExtIds: string[] = []
  const rows: PlanInput['units'] = []
  let k = 0
  let unmatched = 0
  units.features.forEach((f, i) => {
    const p = f.properties as Props
    const ext = str(p.unit_id ?? f.id)
    unitExtIds.push(ext)
    const gridDb = p.grid_id === null || p.grid_id === undefined ? null : num(p.grid_id)
    let id = `ext:${ext}`
    if (gridDb !== null) {
      // the next assigned unit in database-id order must be this one, in the same grid
      if (k < assignments.units.length && assignments.grids[k] === gridDb) id = String(assignments.units[k])
      else unmatched++
      k++
    } else unmatched++
    const grid = gridDb === null ? -1 : (gridIndex.get(gridDb) ?? -1)
    const community = communityOfCode(str(p.community))
    if (grid >= 0 && community >= 0) {
      const g = plan.gridList[grid]!
      const cm = communities[community]!
      if (!cm.id && g.communityId !== null) cm.id = String(g.communityId)
      const cell = g.cellId === null ? -1 : (cellIndex.get(g.cellId) ?? -1)
      if (cm.jurisdiction < 0 && cell >= 0) cm.jurisdiction = cells[cell]!.jurisdiction
    }
    rows.push({ id, community, population: num(p.population), households: num(p.households), grid })
    box(f.geometry, unitBoxes, i)
  })

  const communityOfId = new Map(communities.filter((c) => c.id).map((c, _, __) => [c.id, byCode.get(c.code)!]))
  const grids: PlanInput['grids'] = plan.gridList.map((g) => ({
    id: String(g.id),
    code: g.code,
    community: g.communityId === null ? -1 : (communityOfId.get(String(g.communityId)) ?? -1),
    locked: g.locked,
    cell: g.cellId === null ? -1 : (cellIndex.get(g.cellId) ?? -1),
  }))

  const weight: WeightName = plan.params?.weight === 'households' ? 'households' : 'population'
  const state = createPlanState({
    version: plan.version,
    band: { on: weight, min: plan.params?.min ?? 0, max: plan.params?.max ?? Number.MAX_SAFE_INTEGER },
    cellBand: { min: plan.params?.cellMin ?? 5, max: plan.params?.cellMax ?? 6 },
    units: rows,
    grids,
    cells,
    communities,
    jurisdictions,
  })
  return { state, unitBoxes, unitExtIds, unmatched }
}

function box(g: GeoJSON.Geometry | null, out: Float64Array, i: number) {
  if (!g || !('coordinates' in g)) return
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      const x = c[0] as number, y = c[1] as number
      if (x < x0) x0 = x
      if (y < y0) y0 = y
      if (x > x1) x1 = x
      if (y > y1) y1 = y
    } else if (Array.isArray(c)) for (const d of c) walk(d)
  }
  walk(g.coordinates)
  if (x0 <= x1) out.set([x0, y0, x1, y1], i * 4)
}
