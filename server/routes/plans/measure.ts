/**
 * Plan metrics for the API, from geo/metrics on the district's unit graph (geo/graph), so the numbers
 * agree with the CLI and the editor. The graph is built once per district and cached in memory, keyed
 * by a cheap fingerprint of the district's units and barriers (a re-import rebuilds it); weights and
 * assignments are read fresh on every call.
 */
import type { FeatureCollection, LineString, MultiLineString, MultiPolygon, Polygon } from 'geojson'
import { buildGraph } from '../../../geo/graph/index.js'
import { partPieces } from '../../../geo/graph/index.js'
import { planMetrics } from '../../../geo/metrics/index.js'
import type { Graph } from '../../../geo/types.js'
import type { Queryable } from '../../db/index.js'
import { cellList, districtFingerprint, graphInput, gridList, type CellRow, type GridRow } from '../../repo/plans.js'
import type { CellMetrics, GridMetrics, PlanParams, PlanSummaryMetrics, Violation } from '../../schemas/plans.js'

export interface DistrictGraph {
  graph: Graph
  /** unit id -> node index */
  node: Map<number, number>
  unitIds: number[]
}

const cache = new Map<number, { fingerprint: string; checkedAt: number; graph: Promise<DistrictGraph> }>()
/** A cached graph is trusted this long before its fingerprint is checked again (a re-import shows within it). */
const RECHECK_MS = 1000

/** The unit graph of a district (rook adjacency, communities as parents, hard barriers cut). */
export async function districtGraph(db: Queryable, districtId: number): Promise<DistrictGraph> {
  const recent = cache.get(districtId)
  if (recent && performance.now() - recent.checkedAt < RECHECK_MS) return recent.graph
  const fingerprint = await districtFingerprint(db, districtId)
  const hit = cache.get(districtId)
  if (hit && hit.fingerprint === fingerprint) {
    hit.checkedAt = performance.now()
    return hit.graph
  }
  const graph = (async () => {
    const input = await graphInput(db, districtId)
    const { graph } = buildGraph(input.units as FeatureCollection<Polygon | MultiPolygon | null>, {
      id: 'id',
      nest: 'community',
      barriers: input.barriers as FeatureCollection<LineString | MultiLineString | null>,
    })
    const unitIds = graph.ids.map(Number)
    return { graph, unitIds, node: new Map(unitIds.map((u, i) => [u, i])) }
  })()
  cache.set(districtId, { fingerprint, checkedAt: performance.now(), graph })
  graph.catch(() => cache.delete(districtId))
  return graph
}

export interface UnitRow {
  unitId: number
  gridId: number
  population: number
  households: number
}

/** Assignment rows with weights; only units of `grids` when given. */
export async function assignedUnits(db: Queryable, planId: number, grids: number[] | null): Promise<UnitRow[]> {
  const { rows } = await db.query<UnitRow>(
    `SELECT ug.unit_id AS "unitId", ug.grid_id AS "gridId", u.population, u.households
       FROM unit_grids ug JOIN units u ON u.id = ug.unit_id WHERE ug.plan_id = $1 AND ($2::bigint[] IS NULL OR ug.grid_id = ANY($2))`,
    [planId, grids],
  )
  return rows
}

/** Number of pieces of each of `grids` given the assignment rows. */
export function gridPieces(dg: DistrictGraph, rows: { unitId: number; gridId: number }[], grids: number[]): Map<number, number> {
  const part = new Map(grids.map((g, i) => [g, i]))
  const a = new Int32Array(dg.graph.n).fill(-1)
  const nodes: number[] = []
  for (const r of rows) {
    const p = part.get(r.gridId)
    const v = dg.node.get(r.unitId)
    if (p !== undefined && v !== undefined && a[v] < 0) (a[v] = p), nodes.push(v)
  }
  // only the nodes of these grids are visited: O(their size), not O(district)
  const pieces = partPieces(dg.graph, a, { parts: grids.length, nodes })
  return new Map(grids.map((g, i) => [g, pieces[i]]))
}

/** Assignment rows already read (and kept current) by the caller, for the grids in `grids`. */
export interface KnownUnits {
  grids: Set<number>
  units: Map<number, UnitRow>
}

export interface Measured {
  grids: GridMetrics[]
  cells: CellMetrics[]
  violations: Violation[]
  summary: PlanSummaryMetrics
}

const round = (x: number, d = 2) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : 0)

/**
 * Metrics of a plan, or of some of its grids and cells (`only`): the units of those grids and of every
 * grid in those cells are read; everything else counts as outside. The summary is only meaningful for
 * the whole plan.
 */
export async function measurePlan(
  db: Queryable,
  plan: { id: number; districtId: number; params: PlanParams },
  only?: { grids: number[]; cells: number[]; cellRows?: CellRow[]; gridRows?: GridRow[] },
  graph?: DistrictGraph,
  known?: KnownUnits,
): Promise<Measured> {
  const dg = graph ?? (await districtGraph(db, plan.districtId))
  let grids: GridRow[]
  let cells: CellRow[]
  if (only) {
    cells = only.cellRows ?? (only.cells.length ? await cellList(db, plan.id, only.cells) : [])
    grids = only.gridRows ?? (await gridList(db, plan.id, only.grids, cells.map((c) => c.id)))
  } else {
    ;[grids, cells] = await Promise.all([gridList(db, plan.id), cellList(db, plan.id)])
  }
  let rows: UnitRow[]
  if (only && known) {
    // only the grids the caller has not read are fetched
    const ids = new Set(grids.map((g) => g.id))
    const missing = [...ids].filter((g) => !known.grids.has(g))
    rows = [...known.units.values()].filter((r) => ids.has(r.gridId))
    if (missing.length) rows = rows.concat(await assignedUnits(db, plan.id, missing))
  } else rows = await assignedUnits(db, plan.id, only ? grids.map((g) => g.id) : null)
  return computeMetrics(dg, plan.params, grids, cells, rows, only ? new Set(only.grids) : null, !only)
}

export function computeMetrics(
  dg: DistrictGraph,
  params: PlanParams,
  grids: GridRow[],
  cells: CellRow[],
  rows: UnitRow[],
  reportGrids: Set<number> | null,
  wholePlan: boolean,
): Measured {
  const { graph } = dg
  const n = graph.n
  const gridIdx = new Map(grids.map((g, i) => [g.id, i]))
  const cellIdx = new Map(cells.map((c, i) => [c.id, i]))
  const gridAssign = new Int32Array(n).fill(-1)
  const cellAssign = new Int32Array(n).fill(-1)
  const pop = new Float64Array(n)
  const hh = new Float64Array(n)
  // Nodes in a grid: for some grids (an edit), metrics visit only these instead of the whole district.
  const nodes: number[] = []
  for (const r of rows) {
    const v = dg.node.get(r.unitId)
    if (v === undefined) continue
    pop[v] = r.population
    hh[v] = r.households
    const gi = gridIdx.get(r.gridId)
    if (gi === undefined) continue
    if (gridAssign[v] < 0) nodes.push(v)
    gridAssign[v] = gi
    const c = grids[gi].cellId
    const ci = c === null ? undefined : cellIdx.get(c)
    if (ci !== undefined) cellAssign[v] = ci
  }
  const byHouseholds = params.weight === 'households'
  const weights = byHouseholds ? hh : pop
  const band = { min: params.min, max: params.max, target: params.target }
  nodes.sort((a, b) => a - b) // the same summation order as a pass over every node
  const only = wholePlan ? undefined : nodes
  const gm = planMetrics(graph, gridAssign, weights, { households: hh, ...band, parts: grids.length, nodes: only })
  const cm = planMetrics(graph, cellAssign, weights, { households: hh, parts: cells.length, nodes: only })
  const popOf = (parts: Int32Array, k: number) => {
    const s = new Float64Array(k)
    for (const v of nodes) if (parts[v] >= 0) s[parts[v]] += pop[v]
    return s
  }
  const gridPop = popOf(gridAssign, grids.length)
  const cellPop = popOf(cellAssign, cells.length)

  const cellMin = params.cellMin ?? 5
  const cellMax = params.cellMax ?? 6
  const gridsPerCell = new Int32Array(cells.length)
  const crossesJur = new Uint8Array(cells.length)
  for (const g of grids) {
    const ci = g.cellId === null ? undefined : cellIdx.get(g.cellId)
    if (ci === undefined) continue
    gridsPerCell[ci]++
    if (g.jurisdictionId !== null && cells[ci].jurisdictionId !== null && g.jurisdictionId !== cells[ci].jurisdictionId) crossesJur[ci] = 1
  }

  const violations: Violation[] = []
  const gridOut: GridMetrics[] = []
  grids.forEach((g, i) => {
    const p = gm.parts[i]
    const m: GridMetrics = {
      gridId: g.id,
      code: g.code,
      communityId: g.communityId,
      cellId: g.cellId,
      locked: g.locked,
      units: p.units,
      population: gridPop[i],
      households: p.households ?? 0,
      weight: p.weight,
      deviation: p.deviation === null ? null : round(p.deviation),
      inBand: p.units === 0 ? null : p.inBand,
      area: round(p.area, 1),
      perimeter: round(p.perimeter, 1),
      polsbyPopper: round(p.polsbyPopper, 4),
      pieces: p.pieces,
      crossesCommunity: p.crossesParent,
      crossings: p.crossings,
    }
    if (reportGrids && !reportGrids.has(g.id)) return
    gridOut.push(m)
    const what = `Grid ${g.code}`
    if (p.units === 0) violations.push({ code: 'empty-grid', gridId: g.id, message: `${what} has no units; merge or delete it.` })
    if (p.pieces > 1) violations.push({ code: 'not-contiguous', gridId: g.id, message: `${what} is in ${p.pieces} pieces; move the detached units to a neighbouring grid.` })
    if (p.crossesParent) violations.push({ code: 'cross-community', gridId: g.id, message: `${what} has units of several communities.` })
    else if (p.crossings > 0) violations.push({ code: 'crosses-barrier', gridId: g.id, message: `${what} crosses a hard barrier (main road, river or railway) ${p.crossings} time(s).` })
    if (p.units > 0 && p.inBand === false) {
      const unit = byHouseholds ? 'households' : 'people'
      const msg =
        params.min !== undefined && p.weight < params.min
          ? `${what} needs ${Math.ceil(params.min - p.weight)} more ${unit} to reach the band.`
          : `${what} has ${Math.ceil(p.weight - (params.max ?? p.weight))} ${unit} too many for the band.`
      violations.push({ code: 'out-of-band', gridId: g.id, message: msg })
    }
    if (cells.length && wholePlan && g.cellId === null) violations.push({ code: 'no-cell', gridId: g.id, message: `${what} is in no police cell.` })
  })
  const cellOut: CellMetrics[] = cells.map((c, i) => {
    const p = cm.parts[i]
    const inBand = gridsPerCell[i] >= cellMin && gridsPerCell[i] <= cellMax
    const what = `Police cell ${c.code}`
    if (!inBand) violations.push({ code: 'cell-size', cellId: c.id, message: `${what} has ${gridsPerCell[i]} grids; it should have ${cellMin}–${cellMax}.` })
    if (p.pieces > 1) violations.push({ code: 'cell-not-contiguous', cellId: c.id, message: `${what} is in ${p.pieces} pieces.` })
    if (crossesJur[i]) violations.push({ code: 'cross-jurisdiction', cellId: c.id, message: `${what} has grids of another jurisdiction.` })
    return {
      cellId: c.id,
      code: c.code,
      jurisdictionId: c.jurisdictionId,
      locked: c.locked,
      grids: gridsPerCell[i],
      units: p.units,
      population: cellPop[i],
      households: p.households ?? 0,
      pieces: p.pieces,
      inBand,
      crossesJurisdiction: crossesJur[i] === 1,
    }
  })
  if (wholePlan && gm.summary.unassigned > 0) {
    const ids: number[] = []
    for (let v = 0; v < n && ids.length < 100; v++) if (gridAssign[v] < 0) ids.push(dg.unitIds[v])
    violations.unshift({ code: 'unassigned', unitIds: ids, message: `${gm.summary.unassigned} unit(s) are in no grid (the first ${ids.length} are listed).` })
  }
  const s = gm.summary
  let totalPop = 0, totalHh = 0
  for (let v = 0; v < n; v++) if (gridAssign[v] >= 0) (totalPop += pop[v]), (totalHh += hh[v])
  const summary: PlanSummaryMetrics = {
    grids: grids.length,
    cells: cells.length,
    units: n,
    unassigned: s.unassigned,
    population: totalPop,
    households: totalHh,
    target: round(s.target),
    minWeight: round(s.minWeight, 3),
    maxWeight: round(s.maxWeight, 3),
    inBandShare: s.inBandShare === null ? null : round(s.inBandShare, 4),
    maxAbsDeviation: round(s.maxAbsDeviation),
    nonContiguous: s.nonContiguous,
    meanPolsbyPopper: round(s.meanPolsbyPopper, 4),
    cutLength: round(s.cutLength, 1),
    cellsInBand: cellOut.filter((c) => c.inBand).length,
    valid: violations.length === 0,
  }
  return { grids: gridOut, cells: cellOut, violations, summary }
}

/** Builds (or checks) the district graph outside any transaction. */
export async function warm(db: Queryable, districtId: number): Promise<DistrictGraph> {
  return districtGraph(db, districtId)
}
