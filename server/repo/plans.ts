import type { Queryable } from '../db/index.js'
import type { Plan, PlanParams, PlanStatus } from '../schemas/plans.js'

const TS = (c: string) => `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

const PLAN_COLS = `p.id, p.district_id AS "districtId", p.name, p.status, p.version, p.params,
  p.copied_from AS "copiedFrom", p.created_by AS "createdBy", ${TS('p.created_at')} AS "createdAt", ${TS('p.updated_at')} AS "updatedAt",
  (SELECT count(*)::int FROM grids g WHERE g.plan_id = p.id) AS grids,
  (SELECT count(*)::int FROM cells c WHERE c.plan_id = p.id) AS cells,
  (SELECT count(*)::int FROM unit_grids ug WHERE ug.plan_id = p.id) AS "assignedUnits"`

export async function listPlans(db: Queryable, f: { district?: number; status?: PlanStatus }): Promise<Plan[]> {
  const { rows } = await db.query<Plan>(
    `SELECT ${PLAN_COLS} FROM plans p WHERE ($1::bigint IS NULL OR p.district_id = $1) AND ($2::text IS NULL OR p.status = $2) ORDER BY p.id`,
    [f.district ?? null, f.status ?? null],
  )
  return rows
}

export async function getPlan(db: Queryable, id: number): Promise<Plan | undefined> {
  return (await db.query<Plan>(`SELECT ${PLAN_COLS} FROM plans p WHERE p.id = $1`, [id])).rows[0]
}

export interface PlanHead {
  id: number
  districtId: number
  status: PlanStatus
  version: number
  params: PlanParams
}

/** The plan row, locked until the transaction ends: edits of one plan run one after another. */
export async function lockPlan(tx: Queryable, id: number): Promise<PlanHead | undefined> {
  const { rows } = await tx.query<PlanHead>(
    `SELECT id, district_id AS "districtId", status, version, params FROM plans WHERE id = $1 FOR UPDATE`,
    [id],
  )
  return rows[0]
}

export async function planHead(db: Queryable, id: number): Promise<PlanHead | undefined> {
  const { rows } = await db.query<PlanHead>(`SELECT id, district_id AS "districtId", status, version, params FROM plans WHERE id = $1`, [id])
  return rows[0]
}

export async function districtExists(db: Queryable, id: number): Promise<boolean> {
  return (await db.query('SELECT 1 FROM districts WHERE id = $1', [id])).rows.length > 0
}

export async function insertPlan(
  tx: Queryable,
  p: { districtId: number; name: string; params?: PlanParams; createdBy: number | null; copiedFrom?: number | null },
): Promise<number> {
  const { rows } = await tx.query<{ id: number }>(
    `INSERT INTO plans (district_id, name, params, created_by, copied_from) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [p.districtId, p.name, JSON.stringify(p.params ?? {}), p.createdBy, p.copiedFrom ?? null],
  )
  return rows[0].id
}

export async function updatePlanMeta(tx: Queryable, id: number, p: { name?: string; status?: PlanStatus; params?: PlanParams }) {
  await tx.query(
    `UPDATE plans SET name = COALESCE($2, name), status = COALESCE($3, status), params = COALESCE($4::jsonb, params), updated_at = now() WHERE id = $1`,
    [id, p.name ?? null, p.status ?? null, p.params ? JSON.stringify(p.params) : null],
  )
}

/** version + 1, returning the new version; `endRedo` also empties the redo stack (a new edit). */
export async function bumpVersion(tx: Queryable, id: number, endRedo = false): Promise<number> {
  const { rows } = await tx.query<{ version: number }>(
    `WITH r AS (UPDATE plan_edits SET redoable = false WHERE plan_id = $1 AND redoable AND $2)
     UPDATE plans SET version = version + 1, updated_at = now() WHERE id = $1 RETURNING version`,
    [id, endRedo],
  )
  return rows[0].version
}

export async function deletePlan(tx: Queryable, id: number): Promise<void> {
  await tx.query('DELETE FROM plans WHERE id = $1', [id])
}

/** Copies grids, cells and both assignments of plan `from` into the empty plan `to`, matching by code. */
export async function copyPlanContents(tx: Queryable, from: number, to: number): Promise<void> {
  await tx.query(
    `INSERT INTO grids (plan_id, community_id, code, name, locked, geom) SELECT $2, community_id, code, name, locked, geom FROM grids WHERE plan_id = $1`,
    [from, to],
  )
  await tx.query(
    `INSERT INTO cells (plan_id, jurisdiction_id, code, name, locked, geom) SELECT $2, jurisdiction_id, code, name, locked, geom FROM cells WHERE plan_id = $1`,
    [from, to],
  )
  await tx.query(
    `INSERT INTO unit_grids (plan_id, unit_id, grid_id)
     SELECT $2, ug.unit_id, g2.id FROM unit_grids ug JOIN grids g1 ON g1.id = ug.grid_id JOIN grids g2 ON g2.plan_id = $2 AND g2.code = g1.code
      WHERE ug.plan_id = $1`,
    [from, to],
  )
  await tx.query(
    `INSERT INTO grid_cells (plan_id, grid_id, cell_id)
     SELECT $2, g2.id, c2.id FROM grid_cells gc
       JOIN grids g1 ON g1.id = gc.grid_id JOIN grids g2 ON g2.plan_id = $2 AND g2.code = g1.code
       JOIN cells c1 ON c1.id = gc.cell_id JOIN cells c2 ON c2.plan_id = $2 AND c2.code = c1.code
      WHERE gc.plan_id = $1`,
    [from, to],
  )
}

export interface GridRow {
  id: number
  code: string
  name: string | null
  communityId: number | null
  cellId: number | null
  locked: boolean
  jurisdictionId: number | null
}
export interface CellRow {
  id: number
  code: string
  name: string | null
  jurisdictionId: number | null
  locked: boolean
}

/** Grids of a plan; with `ids`, only those, plus (with `inCells`) every grid of those cells. */
export async function gridList(db: Queryable, planId: number, ids?: number[], inCells?: number[]): Promise<GridRow[]> {
  const { rows } = await db.query<GridRow>(
    `SELECT g.id, g.code, g.name, g.community_id AS "communityId", gc.cell_id AS "cellId", g.locked, c.jurisdiction_id AS "jurisdictionId"
       FROM grids g LEFT JOIN grid_cells gc ON gc.grid_id = g.id LEFT JOIN communities c ON c.id = g.community_id
      WHERE g.plan_id = $1 AND ($2::bigint[] IS NULL OR g.id = ANY($2) OR gc.cell_id = ANY($3::bigint[])) ORDER BY g.code, g.id`,
    [planId, ids ?? null, inCells ?? []],
  )
  return rows
}

export async function cellList(db: Queryable, planId: number, ids?: number[]): Promise<CellRow[]> {
  const { rows } = await db.query<CellRow>(
    `SELECT id, code, name, jurisdiction_id AS "jurisdictionId", locked FROM cells
      WHERE plan_id = $1 AND ($2::bigint[] IS NULL OR id = ANY($2)) ORDER BY code, id`,
    [planId, ids ?? null],
  )
  return rows
}

/** Unit → grid pairs of a plan; only those of `grids` when given. */
export async function assignments(db: Queryable, planId: number, grids?: number[]): Promise<{ unitId: number; gridId: number }[]> {
  const { rows } = await db.query<{ unitId: number; gridId: number }>(
    `SELECT unit_id AS "unitId", grid_id AS "gridId" FROM unit_grids WHERE plan_id = $1 AND ($2::bigint[] IS NULL OR grid_id = ANY($2)) ORDER BY unit_id`,
    [planId, grids ?? null],
  )
  return rows
}

export async function gridCellPairs(db: Queryable, planId: number): Promise<{ gridId: number; cellId: number }[]> {
  return (await db.query<{ gridId: number; cellId: number }>(`SELECT grid_id AS "gridId", cell_id AS "cellId" FROM grid_cells WHERE plan_id = $1`, [planId]))
    .rows
}

export interface UnitInfo {
  id: number
  extId: string
  communityId: number | null
  jurisdictionId: number | null
  population: number
  households: number
}

export async function unitsOfDistrict(db: Queryable, districtId: number): Promise<UnitInfo[]> {
  const { rows } = await db.query<UnitInfo>(
    `SELECT u.id, u.ext_id AS "extId", u.community_id AS "communityId", c.jurisdiction_id AS "jurisdictionId", u.population, u.households
       FROM units u LEFT JOIN communities c ON c.id = u.community_id WHERE u.district_id = $1 ORDER BY u.id`,
    [districtId],
  )
  return rows
}

export async function unitsById(db: Queryable, districtId: number, ids: number[]): Promise<UnitInfo[]> {
  const { rows } = await db.query<UnitInfo>(
    `SELECT u.id, u.ext_id AS "extId", u.community_id AS "communityId", c.jurisdiction_id AS "jurisdictionId", u.population, u.households
       FROM units u LEFT JOIN communities c ON c.id = u.community_id WHERE u.district_id = $1 AND u.id = ANY($2::bigint[])`,
    [districtId, ids],
  )
  return rows
}

export async function communityOf(db: Queryable, id: number): Promise<{ id: number; jurisdictionId: number; districtId: number } | undefined> {
  const { rows } = await db.query<{ id: number; jurisdictionId: number; districtId: number }>(
    `SELECT c.id, c.jurisdiction_id AS "jurisdictionId", j.district_id AS "districtId" FROM communities c JOIN jurisdictions j ON j.id = c.jurisdiction_id WHERE c.id = $1`,
    [id],
  )
  return rows[0]
}

export async function jurisdictionOf(db: Queryable, id: number): Promise<{ id: number; districtId: number } | undefined> {
  const { rows } = await db.query<{ id: number; districtId: number }>(`SELECT id, district_id AS "districtId" FROM jurisdictions WHERE id = $1`, [id])
  return rows[0]
}

/** Cheap change detector for the cached unit graph of a district. */
export async function districtFingerprint(db: Queryable, districtId: number): Promise<string> {
  const { rows } = await db.query<{ f: string }>(`SELECT ${districtFingerprintSql('$1')} AS f`, [districtId])
  return rows[0].f
}

/** The SQL expression of districtFingerprint for the district id `district` (a parameter or a column). */
export const districtFingerprintSql = (district: string) => `concat_ws(':',
        (SELECT concat_ws(',', count(*), max(id), sum(coalesce(community_id, 0))) FROM units WHERE district_id = ${district}),
        (SELECT concat_ws(',', count(*), max(id), sum(CASE WHEN hard THEN 1 ELSE 0 END)) FROM barriers WHERE district_id = ${district}))`

/** Units (id, community) and hard barriers of a district as GeoJSON, for building the unit graph. */
export async function graphInput(db: Queryable, districtId: number) {
  const units = await db.query<{ id: number; community: number | null; geometry: unknown }>(
    `SELECT id, community_id AS community, ST_AsGeoJSON(geom)::json AS geometry FROM units WHERE district_id = $1 ORDER BY id`,
    [districtId],
  )
  const barriers = await db.query<{ geometry: unknown; hard: boolean }>(
    `SELECT ST_AsGeoJSON(geom)::json AS geometry, hard FROM barriers WHERE district_id = $1 ORDER BY id`,
    [districtId],
  )
  return {
    units: {
      type: 'FeatureCollection' as const,
      features: units.rows.map((r) => ({ type: 'Feature' as const, geometry: r.geometry, properties: { id: String(r.id), community: r.community === null ? null : String(r.community) } })),
    },
    barriers: {
      type: 'FeatureCollection' as const,
      features: barriers.rows.map((r) => ({ type: 'Feature' as const, geometry: r.geometry, properties: { hard: r.hard } })),
    },
  }
}

/** GeoJSON geometry and ext id of units, for the compare view. */
export async function unitGeometries(db: Queryable, ids: number[]): Promise<{ id: number; extId: string; geometry: unknown }[]> {
  const { rows } = await db.query<{ id: number; extId: string; geometry: unknown }>(
    `SELECT id, ext_id AS "extId", ST_AsGeoJSON(geom, 7)::json AS geometry FROM units WHERE id = ANY($1::bigint[]) ORDER BY id`,
    [ids],
  )
  return rows
}

// ---- import of a hand-made division ----

/** Creates grids and cells by code and assigns units; rows are already validated. */
export async function importDivision(
  tx: Queryable,
  planId: number,
  grids: { code: string; communityId: number | null; cellCode: string | null }[],
  cells: { code: string; jurisdictionId: number | null }[],
  units: { unitId: number; gridCode: string }[],
): Promise<void> {
  if (cells.length) {
    await tx.query(
      `INSERT INTO cells (plan_id, code, jurisdiction_id) SELECT $1, c, j FROM unnest($2::text[], $3::bigint[]) AS t(c, j)`,
      [planId, cells.map((c) => c.code), cells.map((c) => c.jurisdictionId)],
    )
  }
  await tx.query(
    `INSERT INTO grids (plan_id, code, community_id) SELECT $1, c, m FROM unnest($2::text[], $3::bigint[]) AS t(c, m)`,
    [planId, grids.map((g) => g.code), grids.map((g) => g.communityId)],
  )
  await tx.query(
    `INSERT INTO unit_grids (plan_id, unit_id, grid_id)
     SELECT $1, t.u, g.id FROM unnest($2::bigint[], $3::text[]) AS t(u, c) JOIN grids g ON g.plan_id = $1 AND g.code = t.c`,
    [planId, units.map((u) => u.unitId), units.map((u) => u.gridCode)],
  )
  const withCell = grids.filter((g) => g.cellCode !== null)
  if (withCell.length) {
    await tx.query(
      `INSERT INTO grid_cells (plan_id, grid_id, cell_id)
       SELECT $1, g.id, c.id FROM unnest($2::text[], $3::text[]) AS t(gc, cc)
         JOIN grids g ON g.plan_id = $1 AND g.code = t.gc JOIN cells c ON c.plan_id = $1 AND c.code = t.cc`,
      [planId, withCell.map((g) => g.code), withCell.map((g) => g.cellCode)],
    )
  }
}

/** Recomputes the dissolved outlines of the given grids and cells from their units. */
export async function refreshGeometry(tx: Queryable, planId: number, grids: number[] | null, cells: number[] | null): Promise<void> {
  await tx.query(
    `UPDATE grids g SET geom = (
        SELECT ST_Multi(ST_CollectionExtract(ST_Union(u.geom), 3)) FROM unit_grids ug JOIN units u ON u.id = ug.unit_id WHERE ug.plan_id = g.plan_id AND ug.grid_id = g.id)
      WHERE g.plan_id = $1 AND ($2::bigint[] IS NULL OR g.id = ANY($2))`,
    [planId, grids],
  )
  await tx.query(
    `UPDATE cells c SET geom = (
        SELECT ST_Multi(ST_CollectionExtract(ST_Union(g.geom), 3)) FROM grid_cells gc JOIN grids g ON g.id = gc.grid_id WHERE gc.plan_id = c.plan_id AND gc.cell_id = c.id)
      WHERE c.plan_id = $1 AND ($2::bigint[] IS NULL OR c.id = ANY($2))`,
    [planId, cells],
  )
}

/** Marks outlines of the given grids and cells stale (NULL): readers dissolve them from units until refreshed. */
export async function clearOutlines(tx: Queryable, planId: number, grids: number[], cells: number[]): Promise<void> {
  await tx.query(
    `WITH g AS (UPDATE grids SET geom = NULL WHERE plan_id = $1 AND id = ANY($2::bigint[]) AND geom IS NOT NULL)
     UPDATE cells SET geom = NULL WHERE plan_id = $1 AND id = ANY($3::bigint[]) AND geom IS NOT NULL`,
    [planId, grids, cells],
  )
}

/** The cells `cells` plus every cell holding one of `grids`. */
export async function cellsTouching(tx: Queryable, planId: number, grids: number[], cells: number[]): Promise<CellRow[]> {
  const { rows } = await tx.query<CellRow>(
    `SELECT id, code, name, jurisdiction_id AS "jurisdictionId", locked FROM cells
      WHERE plan_id = $1 AND (id = ANY($3::bigint[]) OR id IN (SELECT cell_id FROM grid_cells WHERE plan_id = $1 AND grid_id = ANY($2::bigint[])))
      ORDER BY code, id`,
    [planId, grids, cells],
  )
  return rows
}

export interface EditUnit {
  id: number
  communityId: number | null
  gridId: number | null
  gridCode: string | null
  gridLocked: boolean | null
}

/** Units of the district among `ids`, with their current grid in the plan (one round trip for edit checks). */
export async function unitsForEdit(tx: Queryable, planId: number, districtId: number, ids: number[]): Promise<EditUnit[]> {
  const { rows } = await tx.query<EditUnit>(
    `SELECT u.id, u.community_id AS "communityId", ug.grid_id AS "gridId", g.code AS "gridCode", g.locked AS "gridLocked"
       FROM units u LEFT JOIN unit_grids ug ON ug.plan_id = $1 AND ug.unit_id = u.id LEFT JOIN grids g ON g.id = ug.grid_id
      WHERE u.district_id = $2 AND u.id = ANY($3::bigint[])`,
    [planId, districtId, ids],
  )
  return rows
}

/** Dissolves the outlines that are NULL (call with the plan row locked). */
export async function refreshMissingOutlines(tx: Queryable, planId: number): Promise<void> {
  await tx.query(
    `UPDATE grids g SET geom = (
        SELECT ST_Multi(ST_CollectionExtract(ST_Union(u.geom), 3)) FROM unit_grids ug JOIN units u ON u.id = ug.unit_id WHERE ug.plan_id = g.plan_id AND ug.grid_id = g.id)
      WHERE g.plan_id = $1 AND g.geom IS NULL`,
    [planId],
  )
  await tx.query(
    `UPDATE cells c SET geom = (
        SELECT ST_Multi(ST_CollectionExtract(ST_Union(g.geom), 3)) FROM grid_cells gc JOIN grids g ON g.id = gc.grid_id WHERE gc.plan_id = c.plan_id AND gc.cell_id = c.id)
      WHERE c.plan_id = $1 AND c.geom IS NULL`,
    [planId],
  )
}

export interface UnitColumns {
  id: number[]
  extId: string[]
  population: number[]
  households: number[]
  community: (number | null)[]
  grid: (number | null)[]
}

/** Every unit of the plan's district in id order, with its grid in the plan (null when unassigned), as parallel columns. */
export async function unitColumns(db: Queryable, planId: number, districtId: number): Promise<UnitColumns> {
  const { rows } = await db.query<{ id: number; extId: string; population: number; households: number; community: number | null; grid: number | null }>(
    `SELECT u.id, u.ext_id AS "extId", u.population, u.households, u.community_id AS community, ug.grid_id AS grid
       FROM units u LEFT JOIN unit_grids ug ON ug.plan_id = $1 AND ug.unit_id = u.id
      WHERE u.district_id = $2 ORDER BY u.id`,
    [planId, districtId],
  )
  const c: UnitColumns = { id: [], extId: [], population: [], households: [], community: [], grid: [] }
  for (const r of rows) {
    c.id.push(r.id)
    c.extId.push(r.extId)
    c.population.push(r.population)
    c.households.push(r.households)
    c.community.push(r.community)
    c.grid.push(r.grid)
  }
  return c
}
