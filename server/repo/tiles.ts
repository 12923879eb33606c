import type { Feature } from 'geojson'
import type { Queryable } from '../db/index.js'
import { WEIGHT_SQL } from './exports.js'
import { districtFingerprintSql } from './plans.js'
import { userWithHashSql } from './users.js'
import { BASE_TILE_LAYERS, BUFFER, EXTENT, type BaseTileLayer, type PlanTileLayer } from '../tiles/layers.js'
import type { UserWithHash } from '../plugins/auth.js'

// Grid and cell outlines are clipped (geomOut) in a materialised CTE, once each, and the totals are
// summed only for the outlines left in the tile.
// Properties every plan layer carries in its tiles (null ones are left out of the tile):
// units: unit_id, name, grid_id, grid_code, cell_id, cell_code, weight, households, locked
// grids: grid_id, grid_code, name, cell_id, cell_code, weight, households, units, locked
// cells: cell_id, cell_code, name, weight, households, grids, units, locked
// The feature id is the database id (unit, grid or cell), for MapLibre feature state.

/**
 * The `outline` CTE of the grids or cells layer (`table`, aliased t; `toUnitGrids` joins t to its unit_grids
 * rows, ug): stored outlines where there are some, otherwise the union of the units near the tile. Outlines
 * are NULL only for a moment after an edit (routes/plans/outlines.ts), so the dissolving branch is gated on
 * there being one (a one-time filter): otherwise it would still walk every unit in the tile.
 */
function outlines(table: 'grids' | 'cells', toUnitGrids: string, filter: (g: string) => string, geomOut: (g: string) => string): string {
  return `WITH outline AS MATERIALIZED (
                SELECT o.id, ${geomOut('o.geom')} AS geom FROM (
                  SELECT t.id, t.geom FROM ${table} t WHERE t.plan_id = $1 AND t.geom IS NOT NULL AND ${filter('t.geom')}
                  UNION ALL
                  SELECT t.id, ST_Union(u.geom) FROM ${table} t
                    ${toUnitGrids}
                    JOIN units u ON u.id = ug.unit_id
                   WHERE t.plan_id = $1 AND t.geom IS NULL AND ${filter('u.geom')}
                     AND EXISTS (SELECT 1 FROM ${table} s WHERE s.plan_id = $1 AND s.geom IS NULL)
                   GROUP BY t.id) o)`
}

/** `geom` column expression and FROM/WHERE of each plan layer, restricted by `filter(geomExpr)`. */
function planLayerSql(layer: PlanTileLayer, filter: (g: string) => string, geomOut: (g: string) => string): string {
  switch (layer) {
    case 'units':
      return `SELECT u.id AS fid, u.ext_id AS unit_id, u.name, g.id AS grid_id, g.code AS grid_code, c.id AS cell_id,
                     c.code AS cell_code, ${WEIGHT_SQL} AS weight, u.households, COALESCE(g.locked, false) AS locked,
                     ${geomOut('u.geom')} AS geom
                FROM plans p
                JOIN units u ON u.district_id = p.district_id
                LEFT JOIN unit_grids ug ON ug.plan_id = p.id AND ug.unit_id = u.id
                LEFT JOIN grids g ON g.id = ug.grid_id
                LEFT JOIN grid_cells gc ON gc.plan_id = p.id AND gc.grid_id = ug.grid_id
                LEFT JOIN cells c ON c.id = gc.cell_id
               WHERE p.id = $1 AND ${filter('u.geom')}`
    case 'grids':
      return `${outlines('grids', `JOIN unit_grids ug ON ug.plan_id = t.plan_id AND ug.grid_id = t.id`, filter, geomOut)}
              SELECT g.id AS fid, g.id AS grid_id, g.code AS grid_code, g.name, c.id AS cell_id, c.code AS cell_code,
                     s.weight, s.households, s.units, g.locked, o.geom
                FROM outline o
                JOIN grids g ON g.id = o.id
                JOIN plans p ON p.id = g.plan_id
                LEFT JOIN grid_cells gc ON gc.plan_id = g.plan_id AND gc.grid_id = g.id
                LEFT JOIN cells c ON c.id = gc.cell_id
                CROSS JOIN LATERAL (
                  SELECT COALESCE(sum(${WEIGHT_SQL}), 0)::float8 AS weight, COALESCE(sum(u.households), 0)::bigint AS households,
                         count(u.id) AS units
                    FROM unit_grids ug JOIN units u ON u.id = ug.unit_id
                   WHERE ug.plan_id = g.plan_id AND ug.grid_id = g.id) s
               WHERE o.geom IS NOT NULL`
    case 'cells':
      return `${outlines(
        'cells',
        `JOIN grid_cells gc ON gc.plan_id = t.plan_id AND gc.cell_id = t.id
                    JOIN unit_grids ug ON ug.plan_id = gc.plan_id AND ug.grid_id = gc.grid_id`,
        filter,
        geomOut,
      )}
              SELECT c.id AS fid, c.id AS cell_id, c.code AS cell_code, c.name, s.weight, s.households, s.grids, s.units,
                     c.locked, o.geom
                FROM outline o
                JOIN cells c ON c.id = o.id
                JOIN plans p ON p.id = c.plan_id
                CROSS JOIN LATERAL (
                  SELECT COALESCE(sum(${WEIGHT_SQL}), 0)::float8 AS weight, COALESCE(sum(u.households), 0)::bigint AS households,
                         count(DISTINCT gc.grid_id) AS grids, count(u.id) AS units
                    FROM grid_cells gc
                    LEFT JOIN unit_grids ug ON ug.plan_id = gc.plan_id AND ug.grid_id = gc.grid_id
                    LEFT JOIN units u ON u.id = ug.unit_id
                   WHERE gc.plan_id = c.plan_id AND gc.cell_id = c.id) s
               WHERE o.geom IS NOT NULL`
  }
}

function baseLayerSql(layer: BaseTileLayer, filter: (g: string) => string, geomOut: (g: string) => string): string {
  switch (layer) {
    case 'jurisdictions':
      return `SELECT j.id AS fid, j.code, j.name, j.kind, ${geomOut('j.geom')} AS geom FROM jurisdictions j WHERE ${filter('j.geom')}`
    case 'communities':
      return `SELECT cm.id AS fid, cm.code, cm.name, cm.kind, j.code AS jurisdiction, ${geomOut('cm.geom')} AS geom
                FROM communities cm JOIN jurisdictions j ON j.id = cm.jurisdiction_id WHERE ${filter('cm.geom')}`
    case 'barriers':
      return `SELECT b.id AS fid, b.kind, b.hard, b.name, ${geomOut('b.geom')} AS geom FROM barriers b WHERE ${filter('b.geom')}`
    case 'stations':
      return `SELECT s.id AS fid, s.kind, s.code, s.name, ${geomOut('s.geom')} AS geom FROM stations s WHERE ${filter('s.geom')}`
    case 'events':
      // The date as YYYY-MM-DD text: MVT has no date type, and both tilers then write the same string.
      return `SELECT e.id AS fid, e.kind, e.occurred_on::text AS occurred_on, ${geomOut('e.geom')} AS geom
                FROM events e WHERE ${filter('e.geom')}`
  }
}

const TABLE: Record<BaseTileLayer, string> = {
  jurisdictions: 'jurisdictions', communities: 'communities', barriers: 'barriers', stations: 'stations', events: 'events',
}

/**
 * A cheap fingerprint of a base-map table, `<rows>.<max id>`: imports insert rows (identity ids only
 * grow) or delete them, so either changes it. An in-place UPDATE of a geometry does not; nothing does that.
 */
export const stampSql = (layer: BaseTileLayer) => `(SELECT count(*) || '.' || COALESCE(max(id), 0) FROM ${TABLE[layer]})`

// ---- PostgreSQL: ST_AsMVT, one statement per tile ($2 z, $3 x, $4 y) ----

const ENVELOPE = `(SELECT ST_TileEnvelope($2, $3, $4) AS merc,
                          ST_Transform(ST_TileEnvelope($2, $3, $4, margin => ${BUFFER / EXTENT}), 4326) AS near)`
const inTile = (g: string) => `${g} && (SELECT near FROM env)`
const mvtGeom = (g: string) => `ST_AsMVTGeom(ST_Transform(${g}, 3857), (SELECT merc FROM env), ${EXTENT}, ${BUFFER}, true)`

function mvtSql(layer: string, body: string): string {
  // The body may begin with its own WITH; it runs as a subquery so both CTE lists stay separate.
  // OFFSET 0 keeps `geom IS NOT NULL` from being pushed into the body, where it would clip every
  // geometry twice (once for the filter, once for the output): half the cost of a first tile.
  return `WITH env AS ${ENVELOPE}
          SELECT ST_AsMVT(t, '${layer}', ${EXTENT}, 'geom', 'fid') AS tile
            FROM (SELECT * FROM (${body}) f OFFSET 0) t
           WHERE t.geom IS NOT NULL`
}

const PLAN_MVT = Object.fromEntries(
  (['units', 'grids', 'cells'] as const).map((l) => [l, mvtSql(l, planLayerSql(l, inTile, mvtGeom))]),
) as Record<PlanTileLayer, string>
const BASE_MVT = Object.fromEntries(
  BASE_TILE_LAYERS.map((l) => [
    l,
    mvtSql(l, baseLayerSql(l, inTile, mvtGeom)).replaceAll('$2', '$1').replaceAll('$3', '$2').replaceAll('$4', '$3'),
  ]),
) as Record<BaseTileLayer, string>

/**
 * One plan tile from ST_AsMVT (PostgreSQL only), with the plan version it was read at (one statement,
 * one snapshot). null version = no such plan; an empty tile is an empty buffer.
 */
export async function planTileMvt(db: Queryable, layer: PlanTileLayer, planId: number, z: number, x: number, y: number) {
  const { rows } = await db.query<{ version: number | null; tile: Uint8Array | null }>(
    `SELECT (SELECT version FROM plans WHERE id = $1) AS version, (${PLAN_MVT[layer]}) AS tile`,
    [planId, z, x, y],
    { prepare: true },
  )
  return { version: rows[0]?.version ?? null, tile: Buffer.from(rows[0]?.tile ?? new Uint8Array()) }
}

/** One base-map tile from ST_AsMVT (PostgreSQL only), with the table's fingerprint read in the same statement. */
export async function baseTileMvt(db: Queryable, layer: BaseTileLayer, z: number, x: number, y: number) {
  const { rows } = await db.query<{ stamp: string; tile: Uint8Array | null }>(
    `SELECT ${stampSql(layer)} AS stamp, (${BASE_MVT[layer]}) AS tile`,
    [z, x, y],
    { prepare: true },
  )
  return { stamp: rows[0].stamp, tile: Buffer.from(rows[0]?.tile ?? new Uint8Array()) }
}

// ---- any backend: whole layers as GeoJSON for the in-process tiler ----

const all = () => 'true'
const asGeoJSON = (g: string) => `ST_AsGeoJSON(${g}, 7)`

/**
 * A layer's features as one GeoJSON array text written by the database (JSON.parse'd once), not as rows:
 * on the embedded database each row and column costs protocol parsing on the request thread, which
 * made a 10k-unit layer take ~1 s to read. Properties are every column but fid and geom.
 */
const featuresJson = (body: string) => `(SELECT '[' || COALESCE(string_agg(
      '{"type":"Feature","id":' || f.fid || ',"geometry":' || f.geom || ',"properties":' || (to_jsonb(f) - 'fid' - 'geom')::text || '}',
      ',' ORDER BY f.fid), '') || ']'
    FROM (${body}) f WHERE f.geom IS NOT NULL)`

/** Every feature of a plan layer with the plan version read in the same statement (null: no such plan). */
export async function planLayerFeatures(db: Queryable, layer: PlanTileLayer, planId: number) {
  const { rows } = await db.query<{ version: number; features: string }>(
    `SELECT version, ${featuresJson(planLayerSql(layer, all, asGeoJSON))} AS features FROM plans WHERE id = $1`,
    [planId],
  )
  if (!rows.length) return { version: null, features: [] as Feature[] }
  return { version: rows[0].version, features: JSON.parse(rows[0].features) as Feature[] }
}

/**
 * The units of a district as features with what no plan changes (geometry, unit_id, name), and the
 * district's fingerprint (districtFingerprintSql) read in the same statement: the in-process tiler indexes
 * these once per district and adds each plan version's attributes (unitAttributes) when it cuts a tile.
 */
export async function unitGeometryFeatures(db: Queryable, districtId: number) {
  const { rows } = await db.query<{ stamp: string; features: string }>(
    `SELECT ${districtFingerprintSql('$1')} AS stamp,
            ${featuresJson(`SELECT u.id AS fid, u.ext_id AS unit_id, u.name, ${asGeoJSON('u.geom')} AS geom FROM units u WHERE u.district_id = $1`)} AS features`,
    [districtId],
  )
  return { stamp: rows[0].stamp, features: JSON.parse(rows[0].features) as Feature[] }
}

/** What a plan version says of each unit in its tiles (every units-layer property but unit_id and name), by unit id. */
export type UnitAttributes = Map<number, { grid_id: number | null; grid_code: string | null; cell_id: number | null; cell_code: string | null; weight: number | null; households: number | null; locked: boolean }>

/**
 * The units layer's per-version properties of a plan (no geometry), with the plan version, its district and
 * the district's fingerprint read in the same statement (version null: no such plan).
 */
export async function unitAttributes(db: Queryable, planId: number) {
  const { rows } = await db.query<{ version: number; districtId: number; stamp: string; attrs: string }>(
    `SELECT p.version, p.district_id AS "districtId", ${districtFingerprintSql('p.district_id')} AS stamp,
            (SELECT COALESCE(json_agg(json_build_array(f.fid, f.grid_id, f.grid_code, f.cell_id, f.cell_code, f.weight, f.households, f.locked)), '[]')::text
               FROM (${planLayerSql('units', all, () => 'NULL')}) f) AS attrs
       FROM plans p WHERE p.id = $1`,
    [planId],
  )
  if (!rows.length) return { version: null, districtId: 0, stamp: '', attrs: new Map() as UnitAttributes }
  const attrs: UnitAttributes = new Map()
  for (const [fid, grid_id, grid_code, cell_id, cell_code, weight, households, locked] of JSON.parse(rows[0].attrs) as Array<[number, number | null, string | null, number | null, string | null, number | null, number | null, boolean]>) {
    attrs.set(Number(fid), { grid_id, grid_code, cell_id, cell_code, weight, households, locked })
  }
  return { version: rows[0].version, districtId: rows[0].districtId, stamp: rows[0].stamp, attrs }
}

/** Every feature of a base-map layer, with the table's fingerprint read in the same statement. */
export async function baseLayerFeatures(db: Queryable, layer: BaseTileLayer) {
  const { rows } = await db.query<{ stamp: string; features: string }>(
    `SELECT ${stampSql(layer)} AS stamp, ${featuresJson(baseLayerSql(layer, all, asGeoJSON))} AS features`,
  )
  return { stamp: rows[0].stamp, features: JSON.parse(rows[0].features) as Feature[] }
}

// ---- the head of a tile request: the signed-in user and what the tile's cache key needs, one round trip ----

// getUserWithHash's statement (repo/users.ts); the user id is parameter $n.
const user = (n: number) => userWithHashSql(`$${n}`)
const USER = user(1)

function splitUser<T extends { id: unknown }>(row: T | undefined): UserWithHash | undefined {
  if (!row || row.id === null) return undefined
  const { id, username, role, jurisdictionId, mustChangePassword, passwordHash } = row as unknown as UserWithHash
  return { id, username, role, jurisdictionId, mustChangePassword, passwordHash }
}

/** User `userId` (undefined: no such user) and plan `planId`'s version (null: no such plan). */
export async function userAndPlanVersion(db: Queryable, userId: number, planId: number) {
  const { rows } = await db.query<Partial<UserWithHash> & { id: number | null; plan_version: number | null }>(
    `SELECT (SELECT version FROM plans WHERE id = $2) AS plan_version, u.* FROM (SELECT 1) one LEFT JOIN (${USER}) u ON true`,
    [userId, planId],
    { prepare: true },
  )
  return { user: splitUser(rows[0]), version: rows[0]?.plan_version ?? null }
}

/** User `userId` (undefined: no such user) and the fingerprint of a base-map table (stampSql). */
export async function userAndBaseStamp(db: Queryable, userId: number, layer: BaseTileLayer) {
  const { rows } = await db.query<Partial<UserWithHash> & { id: number | null; stamp: string }>(
    `SELECT ${stampSql(layer)} AS stamp, u.* FROM (SELECT 1) one LEFT JOIN (${USER}) u ON true`,
    [userId],
    { prepare: true },
  )
  return { user: splitUser(rows[0]), stamp: rows[0].stamp }
}

/** An edit's footprint as a lon/lat box [west, south, east, north]; null: anything may have changed. */
export type FootprintBox = [number, number, number, number] | null

/**
 * The footprints (migrations/0003) of plan `planId`'s versions in (`after`, `upTo`], by version. A version
 * missing from the map had no edit row (a job, an import): anything may have changed in it.
 */
export async function planFootprints(db: Queryable, planId: number, after: number, upTo: number): Promise<Map<number, FootprintBox>> {
  const { rows } = await db.query<{ version: number; w: number | null; s: number | null; e: number | null; n: number | null }>(
    `SELECT version, ST_XMin(footprint) AS w, ST_YMin(footprint) AS s, ST_XMax(footprint) AS e, ST_YMax(footprint) AS n
       FROM plan_edits WHERE plan_id = $1 AND version > $2 AND version <= $3`,
    [planId, after, upTo],
    { prepare: true },
  )
  return new Map(rows.map((r) => [r.version, r.w === null ? null : [r.w, r.s!, r.e!, r.n!]]))
}

/**
 * User `userId`, plan `planId`'s version and its tile from ST_AsMVT (PostgreSQL only), all in one
 * statement: a first request of a tile costs one round trip. The tile is cut at the version returned.
 */
export async function userPlanVersionAndTile(db: Queryable, userId: number, layer: PlanTileLayer, planId: number, z: number, x: number, y: number) {
  const { rows } = await db.query<Partial<UserWithHash> & { id: number | null; plan_version: number | null; tile: Uint8Array | null }>(
    `SELECT (SELECT version FROM plans WHERE id = $1) AS plan_version, (${PLAN_MVT[layer]}) AS tile, u.*
       FROM (SELECT 1) one LEFT JOIN (${user(5)}) u ON true`,
    [planId, z, x, y, userId],
    { prepare: true },
  )
  const r = rows[0]
  return { user: splitUser(r), version: r?.plan_version ?? null, tile: Buffer.from(r?.tile ?? new Uint8Array()) }
}
