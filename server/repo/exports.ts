import type { Queryable } from '../db/index.js'
import { COLUMNS, type Column, type ExportLayer, type ExportRow } from '../export/columns.js'

/** The plan's id and current version, or null when there is no such plan. */
export async function planHead(db: Queryable, planId: number): Promise<{ id: number; version: number } | null> {
  const { rows } = await db.query<{ id: number; version: number }>('SELECT id, version FROM plans WHERE id = $1', [planId])
  return rows[0] ?? null
}

/**
 * The plan's balancing weight of unit `u` (plans.params.weight: 'population', 'households' or the name of
 * a numeric field of units.attrs; default population). `p` is the plans row.
 */
export const WEIGHT_SQL = `(CASE COALESCE(p.params->>'weight', 'population')
    WHEN 'population' THEN u.population::float8
    WHEN 'households' THEN u.households::float8
    ELSE CASE WHEN jsonb_typeof(u.attrs -> (p.params->>'weight')) = 'number'
              THEN (u.attrs ->> (p.params->>'weight'))::float8 ELSE 0 END END)`

/** MultiPolygon as RFC 7946 text: exterior rings counter-clockwise, holes clockwise, 7 decimals (~1 cm). */
const geojson = (geom: string) => `ST_AsGeoJSON(ST_ForcePolygonCCW(ST_Multi(${geom})), 7)`

/** Totals over the units `u` of one part, plus their dissolved outline when `missing` (no stored geom). */
const totals = (missing: string) => `count(u.id) AS units,
           COALESCE(sum(u.population), 0)::bigint AS population,
           COALESCE(sum(u.households), 0)::bigint AS households,
           COALESCE(sum(${WEIGHT_SQL}), 0)::float8 AS weight,
           ST_CollectionExtract(ST_Union(u.geom) FILTER (WHERE ${missing}), 3) AS geom`

// Each page: $1 plan id, $2 the version being exported, $3 last key of the previous page, $4 page size.
// The version guard in every page means an export never mixes two versions of a plan: once the plan
// moves on, pages come back empty and the caller sees the version change.
const PAGE: Record<ExportLayer, string> = {
  // Units carry only their grid id here; grid code, cell and lock come from gridLookup (a few thousand
  // grids read once per export), which keeps this per-page query to two joins.
  units: `SELECT u.id AS key, u.ext_id AS unit_id, u.name, ug.grid_id, cm.code AS community, u.population,
                 u.households, ${WEIGHT_SQL} AS weight, ${geojson('u.geom')} AS geometry,
                 -- filled in from gridLookup; present here so every row object has its final shape
                 NULL::text AS parent, NULL::text AS grid_code, NULL::bigint AS cell_id, NULL::text AS cell_code,
                 false AS locked
            FROM plans p
            JOIN units u ON u.district_id = p.district_id
            -- ug.unit_id > $3 lets a merge join start at this page, not at the first unit of the plan
            LEFT JOIN unit_grids ug ON ug.plan_id = p.id AND ug.unit_id = u.id AND ug.unit_id > $3
            LEFT JOIN communities cm ON cm.id = u.community_id
           WHERE p.id = $1 AND p.version = $2 AND u.id > $3
           ORDER BY u.id LIMIT $4`,
  grids: `SELECT g.id AS key, g.id AS grid_id, g.code, g.name, c.code AS parent, c.id AS cell_id, cm.code AS community,
                 s.units, s.population, s.households, s.weight, g.locked,
                 ${geojson('COALESCE(g.geom, s.geom)')} AS geometry
            FROM plans p
            JOIN grids g ON g.plan_id = p.id
            LEFT JOIN communities cm ON cm.id = g.community_id
            LEFT JOIN grid_cells gc ON gc.plan_id = p.id AND gc.grid_id = g.id
            LEFT JOIN cells c ON c.id = gc.cell_id
            CROSS JOIN LATERAL (
              SELECT ${totals('g.geom IS NULL')}
                FROM unit_grids ug JOIN units u ON u.id = ug.unit_id
               WHERE ug.plan_id = p.id AND ug.grid_id = g.id) s
           WHERE p.id = $1 AND p.version = $2 AND g.id > $3
           ORDER BY g.id LIMIT $4`,
  cells: `SELECT c.id AS key, c.id AS cell_id, c.code, c.name, j.code AS parent, s.grids, s.units, s.population,
                 s.households, s.weight, c.locked,
                 ${geojson('COALESCE(c.geom, s.geom)')} AS geometry
            FROM plans p
            JOIN cells c ON c.plan_id = p.id
            LEFT JOIN jurisdictions j ON j.id = c.jurisdiction_id
            CROSS JOIN LATERAL (
              SELECT count(DISTINCT gc.grid_id) AS grids, ${totals('c.geom IS NULL')}
                FROM grid_cells gc
                LEFT JOIN unit_grids ug ON ug.plan_id = gc.plan_id AND ug.grid_id = gc.grid_id
                LEFT JOIN units u ON u.id = ug.unit_id
               WHERE gc.plan_id = p.id AND gc.cell_id = c.id) s
           WHERE p.id = $1 AND p.version = $2 AND c.id > $3
           ORDER BY c.id LIMIT $4`,
}

/** One page of a layer's features, in key order after `after`; empty at the end or once the version moved on. */
export async function exportPage(db: Queryable, layer: ExportLayer, planId: number, version: number, after: number, limit: number) {
  const { rows } = await db.query<ExportRow>(PAGE[layer], [planId, version, after, limit])
  return rows
}

/**
 * A column of row `f` as JSON text, the way JSON.stringify writes export/values.ts's columnValue: text as
 * a JSON string (to_json escapes exactly what JSON.stringify does: quote, backslash, control characters),
 * numbers as numbers, null for a missing or non-finite number. A float that holds an integer is written
 * without a fraction ("200", as JavaScript writes 200); other floats as PostgreSQL's shortest round-trip
 * text, which is JavaScript's too between 1e-4 and 1e15 (outside that range the same number is written in
 * exponent form, e.g. 1e-05 where JavaScript writes 0.00001).
 */
function jsonValue(col: Column): string {
  const v = `f.${col.name}`
  switch (col.kind) {
    case 'text':
      return `COALESCE(to_json(${v}::text)::text, 'null')`
    case 'int':
      return `COALESCE(${v}::bigint::text, 'null')`
    case 'float':
      return `CASE WHEN ${v} IS NULL OR ${v}::float8 IN ('NaN', 'Infinity', '-Infinity') THEN 'null'
                   WHEN ${v}::float8 = trunc(${v}::float8) AND abs(${v}::float8) < 1e15 THEN trunc(${v}::float8)::bigint::text
                   ELSE ${v}::float8::text END`
    case 'bool':
      return `CASE WHEN ${v} IS NULL THEN 'null' WHEN ${v} THEN 'true' ELSE 'false' END`
  }
}

// The units page of the GeoJSON text export: PAGE.units with the grid, cell and lock joined (what
// gridLookup supplies to the row-by-row exports), in the column names of COLUMNS.units.
const UNITS_FULL = `SELECT u.id AS key, u.ext_id AS unit_id, u.name, g.code AS parent, ug.grid_id, g.code AS grid_code,
                 c.id AS cell_id, c.code AS cell_code, cm.code AS community, u.population, u.households,
                 ${WEIGHT_SQL} AS weight, COALESCE(g.locked, false) AS locked, ${geojson('u.geom')} AS geometry
            FROM plans p
            JOIN units u ON u.district_id = p.district_id
            LEFT JOIN unit_grids ug ON ug.plan_id = p.id AND ug.unit_id = u.id AND ug.unit_id > $3
            LEFT JOIN grids g ON g.id = ug.grid_id
            LEFT JOIN grid_cells gc ON gc.plan_id = p.id AND gc.grid_id = ug.grid_id
            LEFT JOIN cells c ON c.id = gc.cell_id
            LEFT JOIN communities cm ON cm.id = u.community_id
           WHERE p.id = $1 AND p.version = $2 AND u.id > $3
           ORDER BY u.id LIMIT $4`

/**
 * One page of a layer as GeoJSON text built by the database: the features, one per line, joined by
 * ",\n", exactly as export/geojson.ts writes them; with the number of features and the last key.
 */
const GEOJSON_PAGE = Object.fromEntries(
  (['units', 'grids', 'cells'] as const).map((layer) => {
    const cols = COLUMNS[layer]
    const props = cols.map((c, i) => `'${i ? ',' : ''}"${c.name}":' || ${jsonValue(c)}`).join(' || ')
    const feature = `'{"type":"Feature","id":' || ${jsonValue(cols[0])} || ',"geometry":' || COALESCE(f.geometry, 'null')
                     || ',"properties":{' || ${props} || '}}'`
    return [layer, `SELECT count(*)::int AS n, max(f.key) AS last, string_agg(${feature}, E',\n' ORDER BY f.key) AS text
                      FROM (${layer === 'units' ? UNITS_FULL : PAGE[layer]}) f`]
  }),
) as Record<ExportLayer, string>

/** One page of GeoJSON feature text in key order after `after` (n = 0: the end, or the version moved on). */
export async function geojsonPage(db: Queryable, layer: ExportLayer, planId: number, version: number, after: number, limit: number) {
  const { rows } = await db.query<{ n: number; last: number | null; text: string | null }>(GEOJSON_PAGE[layer], [planId, version, after, limit])
  return { n: rows[0].n, last: Number(rows[0].last ?? after), text: rows[0].text ?? '' }
}

export interface GridInfo {
  code: string
  locked: boolean
  cell_id: number | null
  cell_code: string | null
}

/** Every grid of the plan at `version` with its cell, by grid id; null when the plan has moved on. */
export async function gridLookup(db: Queryable, planId: number, version: number): Promise<Map<number, GridInfo> | null> {
  const { rows } = await db.query<GridInfo & { id: number; version: number }>(
    `SELECT p.version, g.id, g.code, g.locked, c.id AS cell_id, c.code AS cell_code
       FROM plans p
       LEFT JOIN grids g ON g.plan_id = p.id
       LEFT JOIN grid_cells gc ON gc.plan_id = p.id AND gc.grid_id = g.id
       LEFT JOIN cells c ON c.id = gc.cell_id
      WHERE p.id = $1`,
    [planId],
  )
  if (!rows.length || rows[0].version !== version) return null
  const out = new Map<number, GridInfo>()
  for (const r of rows) if (r.id !== null) out.set(Number(r.id), { code: r.code, locked: r.locked, cell_id: r.cell_id, cell_code: r.cell_code })
  return out
}

export interface AssignmentRow {
  key: number
  unit_id: string
  grid_id: number | null
  grid_code: string | null
  cell_code: string | null
}

/** One page of the unit -> grid assignment (every unit of the district; unassigned ones with a null grid). */
export async function assignmentPage(db: Queryable, planId: number, version: number, after: number, limit: number) {
  const { rows } = await db.query<{ key: number; unit_id: string; grid_id: number | null }>(
    `SELECT u.id AS key, u.ext_id AS unit_id, ug.grid_id
       FROM plans p
       JOIN units u ON u.district_id = p.district_id
       LEFT JOIN unit_grids ug ON ug.plan_id = p.id AND ug.unit_id = u.id AND ug.unit_id > $3
      WHERE p.id = $1 AND p.version = $2 AND u.id > $3
      ORDER BY u.id LIMIT $4`,
    [planId, version, after, limit],
  )
  return rows
}

const COUNT: Record<ExportLayer, string> = {
  units: 'SELECT count(*) AS n FROM plans p JOIN units u ON u.district_id = p.district_id WHERE p.id = $1',
  grids: 'SELECT count(*) AS n FROM grids WHERE plan_id = $1',
  cells: 'SELECT count(*) AS n FROM cells WHERE plan_id = $1',
}

/** How many features a layer export will hold (FlatGeobuf writes it in its header). */
export async function exportCount(db: Queryable, layer: ExportLayer, planId: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>(COUNT[layer], [planId])
  return Number(rows[0]?.n ?? 0)
}

const WIDTHS: Record<ExportLayer, string> = {
  units: `SELECT max(octet_length(u.ext_id)) AS unit_id, max(octet_length(u.name)) AS name,
                 max(octet_length(cm.code)) AS community,
                 (SELECT max(octet_length(code)) FROM grids WHERE plan_id = $1) AS parent,
                 (SELECT max(octet_length(code)) FROM grids WHERE plan_id = $1) AS grid_code,
                 (SELECT max(octet_length(code)) FROM cells WHERE plan_id = $1) AS cell_code
            FROM plans p JOIN units u ON u.district_id = p.district_id
            LEFT JOIN communities cm ON cm.id = u.community_id
           WHERE p.id = $1`,
  grids: `SELECT max(octet_length(g.code)) AS code, max(octet_length(g.name)) AS name,
                 (SELECT max(octet_length(code)) FROM cells WHERE plan_id = $1) AS parent,
                 max(octet_length(cm.code)) AS community
            FROM grids g LEFT JOIN communities cm ON cm.id = g.community_id WHERE g.plan_id = $1`,
  cells: `SELECT max(octet_length(c.code)) AS code, max(octet_length(c.name)) AS name, max(octet_length(j.code)) AS parent
            FROM cells c LEFT JOIN jurisdictions j ON j.id = c.jurisdiction_id WHERE c.plan_id = $1`,
}

/** Longest UTF-8 byte length of each text column of a layer (fixed-width .dbf fields are sized from it). */
export async function exportTextWidths(db: Queryable, layer: ExportLayer, planId: number): Promise<Record<string, number>> {
  const { rows } = await db.query<Record<string, number | null>>(WIDTHS[layer], [planId])
  const out: Record<string, number> = {}
  for (const [k, v] of Object.entries(rows[0] ?? {})) out[k] = Number(v ?? 0)
  return out
}
