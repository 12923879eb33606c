import { createPlanState, type PlanInput } from '../ops/state.js'
import type { PlanState, WeightName } from '../ops/types.js'
import type { Plan } from './types.js'

type Props = Record<string, unknown>
const str = (v: unknown) => (v === null || v === undefined ? '' : String(v))
const num = (v: unknown) => (typeof v === 'number' ? v : Number(v ?? 0) || 0)

/**
 * Builds the editor state from the three GeoJSON layers of a plan (the export route's columns, see
 * server/export/columns.ts): units (unit_id, grid_id, cell_id, community, population, households),
 * grids (grid_id, code, community, cell_id, locked) and cells (cell_id, code, parent = jurisdiction code,
 * locked). Geometry is ignored here: the map draws vector tiles. Pure: runs in Node tests.
 */
export function planStateFromLayers(plan: Plan, units: GeoJSON.FeatureCollection, grids: GeoJSON.FeatureCollection, cells: GeoJSON.FeatureCollection): PlanState {
  const communities: { id: string; code: string; name: string; jurisdiction: number }[] = []
  const communityIndex = new Map<string, number>()
  const jurisdictions: { id: string; code: string; name: string }[] = []
  const jurisdictionIndex = new Map<string, number>()
  const jurisdictionOf = (code: string) => {
    if (!code) return -1
    let j = jurisdictionIndex.get(code)
    if (j === undefined) {
      jurisdictionIndex.set(code, (j = jurisdictions.length))
      jurisdictions.push({ id: code, code, name: code })
    }
    return j
  }
  const communityOf = (code: string, jurisdiction = -1) => {
    if (!code) return -1
    let c = communityIndex.get(code)
    if (c === undefined) {
      communityIndex.set(code, (c = communities.length))
      communities.push({ id: code, code, name: code, jurisdiction })
    } else if (jurisdiction >= 0 && communities[c]!.jurisdiction < 0) communities[c]!.jurisdiction = jurisdiction
    return c
  }

  const cellRows = cells.features.map((f) => f.properties as Props)
  const cellIndex = new Map<string, number>()
  const cellList: PlanInput['cells'] = cellRows.map((p, i) => {
    cellIndex.set(str(p.cell_id), i)
    return { id: str(p.cell_id), code: str(p.code), jurisdiction: jurisdictionOf(str(p.parent)), locked: p.locked === true }
  })

  const gridRows = grids.features.map((f) => f.properties as Props)
  const gridIndex = new Map<string, number>()
  const gridList: PlanInput['grids'] = gridRows.map((p, i) => {
    gridIndex.set(str(p.grid_id), i)
    const cell = cellIndex.get(str(p.cell_id)) ?? -1
    const j = cell >= 0 ? cellList[cell]!.jurisdiction : -1
    return { id: str(p.grid_id), code: str(p.code), community: communityOf(str(p.community), j), locked: p.locked === true, cell }
  })

  const unitList: PlanInput['units'] = units.features.map((f) => {
    const p = f.properties as Props
    return {
      id: str(p.unit_id ?? f.id),
      community: communityOf(str(p.community)),
      population: num(p.population),
      households: num(p.households),
      grid: gridIndex.get(str(p.grid_id)) ?? -1,
    }
  })

  const weight: WeightName = plan.params?.weight === 'households' ? 'households' : 'population'
  return createPlanState({
    version: plan.version,
    band: { on: weight, min: plan.params?.min ?? 0, max: plan.params?.max ?? Number.MAX_SAFE_INTEGER },
    cellBand: { min: plan.params?.cellMin ?? 5, max: plan.params?.cellMax ?? 6 },
    units: unitList,
    grids: gridList,
    cells: cellList,
    communities,
    jurisdictions,
  })
}
