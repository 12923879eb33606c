/**
 * SQL of imports: a staging table per import (temporary, dropped with the transaction), the PostGIS checks
 * that need topology (validity, overlaps, containment in the parent), the final insert and the record.
 */
import type { Queryable } from '../db/index.js'
import type { StageRow } from '../import/layers.js'
import type { ImportLayer } from '../schemas/imports.js'

export interface DistrictRef {
  id: number
  code: string
  bbox: [number, number, number, number] | null
}

export async function findDistrict(db: Queryable, code: string): Promise<DistrictRef | null> {
  const { rows } = await db.query<{ id: number; code: string; x0: number; y0: number; x1: number; y1: number }>(
    `SELECT id, code, ST_XMin(geom) x0, ST_YMin(geom) y0, ST_XMax(geom) x1, ST_YMax(geom) y1 FROM districts WHERE code = $1`,
    [code],
  )
  const r = rows[0]
  return r ? { id: r.id, code: r.code, bbox: r.x0 === null ? null : [r.x0, r.y0, r.x1, r.y1] } : null
}

/** Codes of the areas a layer may name as parent, inside one district: code → ids. */
export async function parentCodes(db: Queryable, level: 'jurisdiction' | 'community', districtId: number): Promise<Map<string, number[]>> {
  const sql =
    level === 'jurisdiction'
      ? `SELECT code, id FROM jurisdictions WHERE district_id = $1`
      : `SELECT c.code, c.id FROM communities c JOIN jurisdictions j ON j.id = c.jurisdiction_id WHERE j.district_id = $1`
  const { rows } = await db.query<{ code: string; id: number }>(sql, [districtId])
  const out = new Map<string, number[]>()
  for (const r of rows) out.set(r.code, [...(out.get(r.code) ?? []), r.id])
  return out
}

export async function createStage(tx: Queryable): Promise<void> {
  await tx.exec(`
    DROP TABLE IF EXISTS import_stage;
    CREATE TEMP TABLE import_stage (
      idx integer PRIMARY KEY, ext_id text, name text, kind text, hard boolean, occurred_on date,
      parent_id bigint, population integer, households integer, attrs jsonb, geom geometry,
      x0 double precision, y0 double precision, x1 double precision, y1 double precision
    ) ON COMMIT DROP;`)
}

/** Adds rows; GeoJSON text becomes geometry in EPSG:4326, z dropped (the tables are 2D). */
export async function stageRows(tx: Queryable, rows: StageRow[]): Promise<void> {
  if (!rows.length) return
  await tx.query(
    `INSERT INTO import_stage (idx, ext_id, name, kind, hard, occurred_on, parent_id, population, households, attrs, geom, x0, y0, x1, y1)
     SELECT r.idx, r.ext_id, r.name, r.kind, r.hard, r.occurred_on, r.parent_id, r.population, r.households,
            COALESCE(r.attrs, '{}'::jsonb), ST_Force2D(ST_SetSRID(ST_GeomFromGeoJSON(r.geom), 4326)), r.x0, r.y0, r.x1, r.y1
       FROM json_to_recordset($1::json) AS r(idx integer, ext_id text, name text, kind text, hard boolean, occurred_on date,
            parent_id bigint, population integer, households integer, attrs jsonb, geom text,
            x0 double precision, y0 double precision, x1 double precision, y1 double precision)`,
    [JSON.stringify(rows)],
  )
}

export async function indexStage(tx: Queryable): Promise<void> {
  await tx.exec(`CREATE INDEX ON import_stage USING gist (geom); ANALYZE import_stage;`)
}

export interface InvalidRow {
  idx: number
  ext_id: string | null
  reason: string
}

export async function invalidStaged(tx: Queryable, limit: number): Promise<InvalidRow[]> {
  const { rows } = await tx.query<InvalidRow>(
    `SELECT idx, ext_id, ST_IsValidReason(geom) AS reason FROM import_stage WHERE NOT ST_IsValid(geom) ORDER BY idx LIMIT $1`,
    [limit],
  )
  return rows
}

export interface MadeValid {
  idx: number
  ext_id: string | null
  reason: string
  type_before: string
  type_after: string
  parts: number
  area_before: number | null
  area_after: number | null
  empty: boolean
}

/** ST_MakeValid on every invalid staged geometry, keeping parts of the layer's dimension. */
export async function makeValidStaged(tx: Queryable, dim: 1 | 2 | 3): Promise<MadeValid[]> {
  const { rows } = await tx.query<MadeValid>(
    `WITH bad AS (
       SELECT idx, ext_id, geom AS before, ST_IsValidReason(geom) AS reason,
              ST_CollectionExtract(ST_MakeValid(geom), $1::int) AS after
         FROM import_stage WHERE NOT ST_IsValid(geom)
     ), upd AS (
       UPDATE import_stage s SET geom = b.after FROM bad b WHERE s.idx = b.idx RETURNING s.idx
     )
     SELECT b.idx, b.ext_id, b.reason, ST_GeometryType(b.before) AS type_before, ST_GeometryType(b.after) AS type_after,
            ST_NumGeometries(b.after) AS parts,
            CASE WHEN $1 = 3 THEN ST_Area(b.before::geography) END AS area_before,
            CASE WHEN $1 = 3 THEN ST_Area(b.after::geography) END AS area_after,
            ST_IsEmpty(b.after) AS empty
       FROM bad b JOIN upd u ON u.idx = b.idx ORDER BY b.idx`,
    [dim],
  )
  return rows
}

const TABLE_ID: Partial<Record<ImportLayer, { table: string; col: string; scope: string }>> = {
  district: { table: 'districts', col: 'code', scope: 'TRUE' },
  jurisdictions: { table: 'jurisdictions', col: 'code', scope: 't.district_id = $1' },
  communities: { table: 'communities', col: 'code', scope: 't.jurisdiction_id = s.parent_id' },
  units: { table: 'units', col: 'ext_id', scope: 't.district_id = $1' },
}

/** Staged ids that already exist in the target table (same district / parent). */
export async function existingIds(tx: Queryable, layer: ImportLayer, districtId: number | null): Promise<{ idx: number; ext_id: string }[]> {
  const t = TABLE_ID[layer]
  if (!t) return []
  const { rows } = await tx.query<{ idx: number; ext_id: string }>(
    `SELECT s.idx, s.ext_id FROM import_stage s JOIN ${t.table} t ON t.${t.col} = s.ext_id AND ${t.scope} WHERE ($1::bigint IS NULL OR TRUE) ORDER BY s.idx LIMIT 1000`,
    [districtId],
  )
  return rows
}

export interface OverlapRow {
  a: number
  b: number
  a_id: string | null
  b_id: string | null
  area: number
}

/**
 * Pairs of staged polygons whose interiors overlap by more than `minArea` m². Boxes that only touch
 * (neighbours along a straight street) are skipped before the costly ST_Relate: their interiors cannot meet.
 * The boxes are the exact ones computed at staging (PostGIS caches float4 boxes, rounded outwards).
 * `b.idx - a.idx > 0` rather than `a.idx < b.idx`: the latter lets the planner AND a primary-key range
 * scan into every probe, which is quadratic.
 */
export async function overlapsStaged(tx: Queryable, minArea: number, limit: number): Promise<OverlapRow[]> {
  const { rows } = await tx.query<OverlapRow>(
    `SELECT a.idx AS a, b.idx AS b, a.ext_id AS a_id, b.ext_id AS b_id, ST_Area(ST_Intersection(a.geom, b.geom)::geography) AS area
       FROM import_stage a JOIN import_stage b ON b.idx - a.idx > 0 AND a.geom && b.geom
      WHERE a.x0 < b.x1 AND b.x0 < a.x1 AND a.y0 < b.y1 AND b.y0 < a.y1
          AND ST_IsValid(a.geom) AND ST_IsValid(b.geom) AND ST_Relate(a.geom, b.geom, '2********')
        AND ST_Area(ST_Intersection(a.geom, b.geom)::geography) > $1
      ORDER BY a.idx, b.idx LIMIT $2`,
    [minArea, limit],
  )
  return rows
}

export interface CutRow {
  idx: number
  ext_id: string | null
  others: number[]
  area_before: number
  area_after: number
  empty: boolean
}

/**
 * Resolves overlaps between staged polygons: the overlapping area stays with the feature that comes first
 * in the file and is cut from the later ones, so the result tiles without gaps.
 */
export async function cutOverlapsStaged(tx: Queryable, minArea: number): Promise<CutRow[]> {
  const { rows } = await tx.query<CutRow>(
    `WITH pairs AS (
       SELECT a.idx AS a, b.idx AS b FROM import_stage a JOIN import_stage b ON b.idx - a.idx > 0 AND a.geom && b.geom
        WHERE a.x0 < b.x1 AND b.x0 < a.x1 AND a.y0 < b.y1 AND b.y0 < a.y1
          AND ST_IsValid(a.geom) AND ST_IsValid(b.geom) AND ST_Relate(a.geom, b.geom, '2********')
          AND ST_Area(ST_Intersection(a.geom, b.geom)::geography) > $1
     ), cut AS (
       SELECT p.b AS idx, array_agg(p.a ORDER BY p.a) AS others, ST_Union(a.geom) AS other
         FROM pairs p JOIN import_stage a ON a.idx = p.a GROUP BY p.b
     ), done AS (
       SELECT s.idx, s.ext_id, c.others, ST_Area(s.geom::geography) AS area_before,
              ST_CollectionExtract(ST_MakeValid(ST_Difference(s.geom, c.other)), 3) AS after
         FROM import_stage s JOIN cut c ON c.idx = s.idx
     ), upd AS (
       UPDATE import_stage s SET geom = d.after FROM done d WHERE s.idx = d.idx RETURNING s.idx
     )
     SELECT d.idx, d.ext_id, d.others, d.area_before, ST_Area(d.after::geography) AS area_after, ST_IsEmpty(d.after) AS empty
       FROM done d JOIN upd u ON u.idx = d.idx ORDER BY d.idx`,
    [minArea],
  )
  return rows
}

export interface OutsideRow {
  idx: number
  ext_id: string | null
  outside: number
  share: number
}

const PARENT_GEOM: Partial<Record<ImportLayer, string>> = {
  jurisdictions: `(SELECT geom FROM districts WHERE id = $1)`,
  communities: `(SELECT geom FROM jurisdictions WHERE id = s.parent_id)`,
  units: `COALESCE((SELECT geom FROM communities WHERE id = s.parent_id), (SELECT geom FROM districts WHERE id = $1))`,
  stations: `COALESCE((SELECT geom FROM jurisdictions WHERE id = s.parent_id), (SELECT geom FROM districts WHERE id = $1))`,
  events: `(SELECT geom FROM districts WHERE id = $1)`,
}

/**
 * Staged features not inside their parent area: polygons with more than `minShare` of their area
 * (and more than 1 m²) outside, points outside.
 */
export async function outsideParent(tx: Queryable, layer: ImportLayer, districtId: number | null, minShare: number, limit: number): Promise<OutsideRow[]> {
  const pg = PARENT_GEOM[layer]
  if (!pg || districtId === null) return []
  const { rows } = await tx.query<OutsideRow>(
    `WITH params AS (SELECT $1::bigint AS district_id), p AS (SELECT s.idx, s.ext_id, s.geom, ${pg} AS pgeom FROM import_stage s)
     SELECT idx, ext_id, outside, CASE WHEN total > 0 THEN outside / total ELSE 1 END AS share FROM (
       SELECT idx, ext_id, ST_Dimension(geom) AS dim,
              CASE WHEN ST_Dimension(geom) = 2 THEN ST_Area(ST_Difference(geom, pgeom)::geography) ELSE 0 END AS outside,
              CASE WHEN ST_Dimension(geom) = 2 THEN ST_Area(geom::geography) ELSE 0 END AS total
         FROM p WHERE pgeom IS NOT NULL AND ST_IsValid(geom) AND ST_IsValid(pgeom) AND NOT ST_CoveredBy(geom, pgeom)
     ) x WHERE dim < 2 OR (outside > 1 AND (total = 0 OR outside / total > $2)) ORDER BY idx LIMIT $3`,
    [districtId, minShare, limit],
  )
  return rows
}

const INSERT: Record<ImportLayer, string> = {
  district: `INSERT INTO districts (code, name, geom) SELECT ext_id, name, ST_Multi(geom) FROM import_stage ORDER BY idx`,
  jurisdictions: `INSERT INTO jurisdictions (district_id, code, name, kind, geom)
                  SELECT $1, ext_id, name, kind, ST_Multi(geom) FROM import_stage ORDER BY idx`,
  communities: `INSERT INTO communities (jurisdiction_id, code, name, kind, geom)
                SELECT parent_id, ext_id, name, kind, ST_Multi(geom) FROM import_stage ORDER BY idx`,
  units: `INSERT INTO units (district_id, community_id, ext_id, name, population, households, attrs, geom)
          SELECT $1, parent_id, ext_id, name, population, households, attrs, ST_Multi(geom) FROM import_stage ORDER BY idx`,
  barriers: `INSERT INTO barriers (district_id, kind, hard, name, geom)
             SELECT $1, kind, hard, name, ST_Multi(geom) FROM import_stage ORDER BY idx`,
  stations: `INSERT INTO stations (district_id, jurisdiction_id, kind, code, name, geom)
             SELECT $1, parent_id, kind, ext_id, name, geom FROM import_stage ORDER BY idx`,
  events: `INSERT INTO events (district_id, kind, occurred_on, attrs, geom)
           SELECT $1, kind, occurred_on, attrs, geom FROM import_stage ORDER BY idx`,
}

/**
 * Moves the staged rows into the layer's table; returns how many. New units are part of every plan of their
 * district (unassigned), so each of those plans gets a new version: without an edit row, which tells tile
 * caches (tiles/index.ts) that anything in the plan may have changed.
 */
export async function insertFromStage(tx: Queryable, layer: ImportLayer, districtId: number | null): Promise<number> {
  const bump = layer === 'units' ? `, bump AS (UPDATE plans SET version = version + 1, updated_at = now() WHERE district_id = $1 AND EXISTS (SELECT 1 FROM ins))` : ''
  const sql = `WITH ins AS (${INSERT[layer]} RETURNING 1)${bump} SELECT count(*)::int AS n FROM ins`
  const { rows } = await tx.query<{ n: number }>(sql, sql.includes('$1') ? [districtId] : [])
  return rows[0].n
}

export interface ImportRow {
  id: number
  district_id: number | null
  layer: string
  format: string
  filename: string | null
  features: number
  mode: string
  crs_conversion: string | null
  report: unknown
  created_at: string
}

const IMPORT_COLS = `id, district_id, layer, format, filename, features, mode, crs_conversion, report, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at`

export async function insertImport(
  tx: Queryable,
  r: { districtId: number | null; layer: string; format: string; filename: string | null; features: number; mode: string; crsConversion: string | null; report: unknown; userId: number | null },
): Promise<ImportRow> {
  const { rows } = await tx.query<ImportRow>(
    `INSERT INTO imports (district_id, layer, format, filename, features, mode, crs_conversion, report, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9) RETURNING ${IMPORT_COLS}`,
    [r.districtId, r.layer, r.format, r.filename, r.features, r.mode, r.crsConversion, JSON.stringify(r.report), r.userId],
  )
  return rows[0]
}

/** District id of a district just staged (layer=district). */
export async function districtIdByCode(tx: Queryable, code: string): Promise<number | null> {
  const { rows } = await tx.query<{ id: number }>(`SELECT id FROM districts WHERE code = $1`, [code])
  return rows[0]?.id ?? null
}

export async function getImport(db: Queryable, id: number): Promise<ImportRow | null> {
  const { rows } = await db.query<ImportRow>(`SELECT ${IMPORT_COLS} FROM imports WHERE id = $1`, [id])
  return rows[0] ?? null
}

export interface JobRow {
  id: string
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled'
  progress: number
  result: unknown
  error: string | null
}

export async function createImportJob(db: Queryable, id: string, params: unknown, userId: number | null): Promise<void> {
  await db.query(`INSERT INTO jobs (id, kind, status, params, created_by) VALUES ($1, 'import', 'queued', $2::jsonb, $3)`, [
    id,
    JSON.stringify(params),
    userId,
  ])
}

export async function updateImportJob(
  db: Queryable,
  id: string,
  patch: { status?: JobRow['status']; progress?: number; result?: unknown; error?: string },
): Promise<void> {
  await db.query(
    `UPDATE jobs SET status = COALESCE($2, status), progress = COALESCE($3, progress), result = COALESCE($4::jsonb, result),
            error = COALESCE($5, error),
            started_at = CASE WHEN $2 = 'running' THEN now() ELSE started_at END,
            finished_at = CASE WHEN $2 IN ('succeeded', 'failed', 'cancelled') THEN now() ELSE finished_at END
      WHERE id = $1 AND kind = 'import'`,
    [id, patch.status ?? null, patch.progress ?? null, patch.result === undefined ? null : JSON.stringify(patch.result), patch.error ?? null],
  )
}

export async function getImportJob(db: Queryable, id: string): Promise<JobRow | null> {
  const { rows } = await db.query<JobRow>(`SELECT id::text, status, progress, result, error FROM jobs WHERE id = $1 AND kind = 'import'`, [id])
  return rows[0] ?? null
}
