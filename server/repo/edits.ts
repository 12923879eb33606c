import type { Queryable } from '../db/index.js'
import type { GridRow } from './plans.js'

/** One row of the audit log: who did what to which entity, with the state before and after. */
export async function audit(
  db: Queryable,
  e: { userId: number | null; action: string; entity: string; entityId: string | number | null; before?: unknown; after?: unknown },
): Promise<void> {
  await db.query('INSERT INTO audit_log (user_id, action, entity, entity_id, before, after) VALUES ($1, $2, $3, $4, $5, $6)', [
    e.userId,
    e.action,
    e.entity,
    e.entityId === null ? null : String(e.entityId),
    e.before === undefined ? null : JSON.stringify(e.before),
    e.after === undefined ? null : JSON.stringify(e.after),
  ])
}

// ---- edit steps: the primitive, invertible changes every edit, undo and redo is made of ----

export interface GridRecord {
  id: number
  code: string
  name: string | null
  communityId: number | null
  locked: boolean
}
export interface CellRecord {
  id: number
  code: string
  name: string | null
  jurisdictionId: number | null
  locked: boolean
}
export interface Attrs {
  code?: string
  name?: string | null
  locked?: boolean
}

/** Ids are resolved: a created grid or cell carries the id it got, so redo recreates the same id. */
export type Step =
  | { t: 'units'; set: [unitId: number, gridId: number | null][] }
  | { t: 'grid-cells'; set: [gridId: number, cellId: number | null][] }
  | { t: 'grid+'; grid: Omit<GridRecord, 'id'> & { id?: number } }
  | { t: 'grid-'; grid: GridRecord }
  | { t: 'cell+'; cell: Omit<CellRecord, 'id'> & { id?: number } }
  | { t: 'cell-'; cell: CellRecord }
  | { t: 'grid-attrs'; id: number; set: Attrs }
  | { t: 'cell-attrs'; id: number; set: Attrs }

/** The two assignment tables an edit step rewrites: key -> value within one plan (constants, never input). */
const PAIRS = {
  units: { table: 'unit_grids', key: 'unit_id', value: 'grid_id' },
  'grid-cells': { table: 'grid_cells', key: 'grid_id', value: 'cell_id' },
} as const

/**
 * Sets key -> value pairs of one plan (null = remove the row) and returns the pairs that undo it.
 * One statement: the CTEs share one snapshot, so `prev` reads the values from before the change.
 */
async function setPairs(
  tx: Queryable,
  planId: number,
  { table, key, value }: (typeof PAIRS)[keyof typeof PAIRS],
  set: [number, number | null][],
): Promise<[number, number | null][]> {
  const keys = set.map((p) => p[0])
  const del = set.filter((p) => p[1] === null).map((p) => p[0])
  const put = set.filter((p) => p[1] !== null)
  const prev = await tx.query<{ k: number; v: number | null }>(
    `WITH prev AS (SELECT t.k, a.${value} AS v FROM unnest($2::bigint[]) AS t(k) LEFT JOIN ${table} a ON a.plan_id = $1 AND a.${key} = t.k),
       del AS (DELETE FROM ${table} WHERE plan_id = $1 AND ${key} = ANY($3::bigint[])),
       put AS (INSERT INTO ${table} (plan_id, ${key}, ${value}) SELECT $1, k, v FROM unnest($4::bigint[], $5::bigint[]) AS t(k, v)
               ON CONFLICT (plan_id, ${key}) DO UPDATE SET ${value} = EXCLUDED.${value})
     SELECT k, v FROM prev`,
    [planId, keys, del, put.map((p) => p[0]), put.map((p) => p[1])],
  )
  const before = new Map(prev.rows.map((r) => [Number(r.k), r.v === null ? null : Number(r.v)]))
  return keys.map((k) => [k, before.get(k) ?? null])
}

/** Applies one step to plan `planId` and returns the resolved step and the step that undoes it. */
export async function applyStep(tx: Queryable, planId: number, s: Step): Promise<{ done: Step; inverse: Step }> {
  switch (s.t) {
    case 'units':
      return { done: s, inverse: { t: 'units', set: await setPairs(tx, planId, PAIRS.units, s.set) } }
    case 'grid-cells':
      return { done: s, inverse: { t: 'grid-cells', set: await setPairs(tx, planId, PAIRS['grid-cells'], s.set) } }
    case 'grid+': {
      const g = s.grid
      const { rows } = await tx.query<{ id: number }>(
        g.id === undefined
          ? `INSERT INTO grids (plan_id, code, name, community_id, locked) VALUES ($1, $2, $3, $4, $5) RETURNING id`
          : `INSERT INTO grids (id, plan_id, code, name, community_id, locked) OVERRIDING SYSTEM VALUE VALUES ($6, $1, $2, $3, $4, $5) RETURNING id`,
        g.id === undefined ? [planId, g.code, g.name, g.communityId, g.locked] : [planId, g.code, g.name, g.communityId, g.locked, g.id],
      )
      const grid = { ...g, id: rows[0].id }
      return { done: { t: 'grid+', grid }, inverse: { t: 'grid-', grid } }
    }
    case 'grid-': {
      const { rows } = await tx.query<GridRecord>(
        `DELETE FROM grids WHERE plan_id = $1 AND id = $2 RETURNING id, code, name, community_id AS "communityId", locked`,
        [planId, s.grid.id],
      )
      if (!rows.length) throw new Error(`grid ${s.grid.id} is not in plan ${planId}`)
      return { done: { t: 'grid-', grid: rows[0] }, inverse: { t: 'grid+', grid: rows[0] } }
    }
    case 'cell+': {
      const c = s.cell
      const { rows } = await tx.query<{ id: number }>(
        c.id === undefined
          ? `INSERT INTO cells (plan_id, code, name, jurisdiction_id, locked) VALUES ($1, $2, $3, $4, $5) RETURNING id`
          : `INSERT INTO cells (id, plan_id, code, name, jurisdiction_id, locked) OVERRIDING SYSTEM VALUE VALUES ($6, $1, $2, $3, $4, $5) RETURNING id`,
        c.id === undefined ? [planId, c.code, c.name, c.jurisdictionId, c.locked] : [planId, c.code, c.name, c.jurisdictionId, c.locked, c.id],
      )
      const cell = { ...c, id: rows[0].id }
      return { done: { t: 'cell+', cell }, inverse: { t: 'cell-', cell } }
    }
    case 'cell-': {
      const { rows } = await tx.query<CellRecord>(
        `DELETE FROM cells WHERE plan_id = $1 AND id = $2 RETURNING id, code, name, jurisdiction_id AS "jurisdictionId", locked`,
        [planId, s.cell.id],
      )
      if (!rows.length) throw new Error(`cell ${s.cell.id} is not in plan ${planId}`)
      return { done: { t: 'cell-', cell: rows[0] }, inverse: { t: 'cell+', cell: rows[0] } }
    }
    case 'grid-attrs':
    case 'cell-attrs': {
      const table = s.t === 'grid-attrs' ? 'grids' : 'cells'
      const prev = await tx.query<{ code: string; name: string | null; locked: boolean }>(
        `SELECT code, name, locked FROM ${table} WHERE plan_id = $1 AND id = $2`,
        [planId, s.id],
      )
      if (!prev.rows.length) throw new Error(`${table} ${s.id} is not in plan ${planId}`)
      const old: Attrs = {}
      for (const k of Object.keys(s.set) as (keyof Attrs)[]) (old as Record<string, unknown>)[k] = prev.rows[0][k]
      await tx.query(
        `UPDATE ${table} SET code = CASE WHEN $3 THEN $4 ELSE code END, name = CASE WHEN $5 THEN $6 ELSE name END,
            locked = CASE WHEN $7 THEN $8 ELSE locked END WHERE plan_id = $1 AND id = $2`,
        [planId, s.id, 'code' in s.set, s.set.code ?? null, 'name' in s.set, s.set.name ?? null, 'locked' in s.set, s.set.locked ?? false],
      )
      return { done: s, inverse: { t: s.t, id: s.id, set: old } }
    }
  }
}

// ---- the edit log ----

export interface EditRow {
  id: number
  version: number
  op: string
  payload: { request?: unknown; steps: Step[]; editId?: number }
  inverse: { steps: Step[] }
  undone: boolean
  redoable: boolean
  userId: number | null
  createdAt: string
}

const EDIT_COLS = `id, version, op, payload, inverse, undone, redoable, user_id AS "userId",
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt"`

export async function insertEdit(
  tx: Queryable,
  e: { planId: number; version: number; op: string; payload: unknown; inverse: unknown; userId: number | null },
): Promise<number> {
  const { rows } = await tx.query<{ id: number }>(
    `INSERT INTO plan_edits (plan_id, version, op, payload, inverse, user_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [e.planId, e.version, e.op, JSON.stringify(e.payload), JSON.stringify(e.inverse), e.userId],
  )
  return rows[0].id
}

/** The edit undo would revert: the latest edit (not an undo/redo record) not yet undone. */
export async function lastUndoable(tx: Queryable, planId: number): Promise<EditRow | undefined> {
  const { rows } = await tx.query<EditRow>(
    `SELECT ${EDIT_COLS} FROM plan_edits WHERE plan_id = $1 AND op NOT IN ('undo', 'redo') AND NOT undone ORDER BY version DESC LIMIT 1`,
    [planId],
  )
  return rows[0]
}

/** The edit redo would re-apply: the one undone last (the lowest version on the redo stack). */
export async function nextRedoable(tx: Queryable, planId: number): Promise<EditRow | undefined> {
  const { rows } = await tx.query<EditRow>(`SELECT ${EDIT_COLS} FROM plan_edits WHERE plan_id = $1 AND redoable ORDER BY version ASC LIMIT 1`, [planId])
  return rows[0]
}

export async function markUndone(tx: Queryable, editId: number, undone: boolean): Promise<void> {
  await tx.query('UPDATE plan_edits SET undone = $2, redoable = $2 WHERE id = $1', [editId, undone])
}

export async function listEdits(db: Queryable, planId: number, limit: number): Promise<EditRow[]> {
  const { rows } = await db.query<EditRow>(`SELECT ${EDIT_COLS} FROM plan_edits WHERE plan_id = $1 ORDER BY version DESC LIMIT $2`, [planId, limit])
  return rows
}

/**
 * An edit's footprint (migrations/0003): the box around the units it moved ($14), the units of the touched
 * grids ($11) and of every grid in the touched police cells (CTE c), as they are after the edit. Units that
 * left a grid are among the moved ones, so the box covers each touched grid and cell before and after; NULL
 * when no unit is involved (anything may have changed).
 */
const FOOTPRINT = `SELECT ST_SetSRID(ST_Extent(u.geom)::geometry, 4326) FROM units u
   WHERE u.id = ANY($14::bigint[])
      OR u.id IN (SELECT ug.unit_id FROM unit_grids ug
                   WHERE ug.plan_id = $1
                     AND (ug.grid_id = ANY($11::bigint[]) OR ug.grid_id IN (SELECT gc.grid_id FROM grid_cells gc WHERE gc.plan_id = $1 AND gc.cell_id IN (SELECT id FROM c))))`

/**
 * The bookkeeping that closes an edit, in one statement (one round trip): version + 1 (`endRedo` also
 * empties the redo stack), the edit-log row with its inverse, the audit row, and the police cells that
 * hold one of `grids` or are in `cells`, and the rows of `grids` and of every grid in those cells (as
 * gridList returns them, for the metrics), and the edit's footprint (FOOTPRINT); with `clearOutlines`, the
 * outlines of those grids and cells are set to NULL (dissolved after the commit). Call with the plan row locked: the new version is
 * `expectVersion`, which the audit row already names.
 */
export async function commitEdit(
  tx: Queryable,
  e: {
    planId: number
    expectVersion: number
    endRedo: boolean
    op: string
    payload: unknown
    inverse: unknown
    userId: number | null
    audit: { action: string; before: unknown; after: unknown }
    grids: number[]
    cells: number[]
    /** Units whose grid the edit changed (footprint). */
    units: number[]
    clearOutlines: boolean
  },
): Promise<{ version: number; editId: number; cells: CellRecord[]; grids: GridRow[] }> {
  const { rows } = await tx.query<{ version: number; editId: number; cells: CellRecord[] | string; grids: GridRow[] | string }>(
    `WITH r AS (UPDATE plan_edits SET redoable = false WHERE plan_id = $1 AND redoable AND $2::boolean),
          v AS (UPDATE plans SET version = version + 1, updated_at = now() WHERE id = $1 RETURNING version),
          c AS (SELECT id, code, name, jurisdiction_id AS "jurisdictionId", locked FROM cells
                 WHERE plan_id = $1 AND (id = ANY($12::bigint[]) OR id IN (SELECT cell_id FROM grid_cells WHERE plan_id = $1 AND grid_id = ANY($11::bigint[])))),
          e AS (INSERT INTO plan_edits (plan_id, version, op, payload, inverse, user_id, footprint)
                SELECT $1, v.version, $3::text, $4::jsonb, $5::jsonb, $6::bigint, (${FOOTPRINT}) FROM v RETURNING id, version),
          a AS (INSERT INTO audit_log (user_id, action, entity, entity_id, before, after)
                VALUES ($6::bigint, $7::text, 'plan', $8::text, $9::jsonb, $10::jsonb)),
          gr AS (SELECT g.id, g.code, g.name, g.community_id AS "communityId", gc.cell_id AS "cellId", g.locked, cm.jurisdiction_id AS "jurisdictionId"
                   FROM grids g LEFT JOIN grid_cells gc ON gc.grid_id = g.id LEFT JOIN communities cm ON cm.id = g.community_id
                  WHERE g.plan_id = $1 AND (g.id = ANY($11::bigint[]) OR gc.cell_id IN (SELECT id FROM c))),
          og AS (UPDATE grids SET geom = NULL WHERE $13::boolean AND plan_id = $1 AND id = ANY($11::bigint[]) AND geom IS NOT NULL),
          oc AS (UPDATE cells SET geom = NULL WHERE $13::boolean AND plan_id = $1 AND id IN (SELECT id FROM c) AND geom IS NOT NULL)
     SELECT e.version, e.id AS "editId", (SELECT coalesce(json_agg(c ORDER BY c.code, c.id), '[]'::json) FROM c) AS cells,
            (SELECT coalesce(json_agg(gr ORDER BY gr.code, gr.id), '[]'::json) FROM gr) AS grids FROM e`,
    [
      e.planId,
      e.endRedo,
      e.op,
      JSON.stringify(e.payload),
      JSON.stringify(e.inverse),
      e.userId,
      e.audit.action,
      String(e.planId),
      JSON.stringify(e.audit.before),
      JSON.stringify(e.audit.after),
      e.grids,
      e.cells,
      e.clearOutlines,
      e.units,
    ],
  )
  const r = rows[0]
  if (!r) throw new Error(`plan ${e.planId} vanished while it was locked`)
  if (Number(r.version) !== e.expectVersion) throw new Error(`plan ${e.planId} is at version ${r.version}, expected ${e.expectVersion}: edit it with its row locked`)
  const json = <T>(x: T[] | string): T[] => (typeof x === 'string' ? (JSON.parse(x) as T[]) : x)
  const id = (x: number | null) => (x === null ? null : Number(x))
  return {
    version: Number(r.version),
    editId: Number(r.editId),
    cells: json(r.cells).map((c) => ({ ...c, id: Number(c.id), jurisdictionId: id(c.jurisdictionId) })),
    grids: json(r.grids).map((g) => ({ ...g, id: Number(g.id), communityId: id(g.communityId), cellId: id(g.cellId), jurisdictionId: id(g.jurisdictionId) })),
  }
}
