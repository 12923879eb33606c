import type { Queryable } from '../db/index.js'

export type JobKind = 'partition' | 'cells' | 'rebalance' | 'import'
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled'

export interface JobRow {
  id: string
  kind: JobKind
  planId: number | null
  status: JobStatus
  progress: number
  message: string | null
  params: Record<string, unknown>
  result: unknown
  error: string | null
  cancelRequested: boolean
  createdBy: number | null
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
}

const TS = (c: string) => `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
const COLS = `id::text, kind, plan_id AS "planId", status, progress, message, params, result, error, cancel_requested AS "cancelRequested",
  created_by AS "createdBy", ${TS('created_at')} AS "createdAt", ${TS('started_at')} AS "startedAt", ${TS('finished_at')} AS "finishedAt"`

export async function insertJob(db: Queryable, j: { id: string; kind: JobKind; planId: number; params: unknown; createdBy: number | null }): Promise<JobRow> {
  const { rows } = await db.query<JobRow>(
    `INSERT INTO jobs (id, kind, plan_id, params, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLS}`,
    [j.id, j.kind, j.planId, JSON.stringify(j.params ?? {}), j.createdBy],
  )
  return rows[0]
}

export async function getJob(db: Queryable, id: string): Promise<JobRow | undefined> {
  return (await db.query<JobRow>(`SELECT ${COLS} FROM jobs WHERE id = $1`, [id])).rows[0]
}

export async function listJobs(db: Queryable, planId: number): Promise<JobRow[]> {
  return (await db.query<JobRow>(`SELECT ${COLS} FROM jobs WHERE plan_id = $1 ORDER BY created_at DESC LIMIT 100`, [planId])).rows
}

export async function setBossId(db: Queryable, id: string, bossId: string | null): Promise<void> {
  await db.query('UPDATE jobs SET boss_id = $2 WHERE id = $1', [id, bossId])
}

/** queued -> running; false when the job is no longer queued (cancelled, or taken by another worker). */
export async function startJob(db: Queryable, id: string): Promise<boolean> {
  const { rows } = await db.query(
    `UPDATE jobs SET status = 'running', started_at = now(), updated_at = now(), progress = 0.01, message = 'starting'
      WHERE id = $1 AND status = 'queued' AND NOT cancel_requested RETURNING id`,
    [id],
  )
  return rows.length > 0
}

export async function setProgress(db: Queryable, id: string, progress: number, message: string): Promise<void> {
  await db.query(`UPDATE jobs SET progress = $2, message = $3, updated_at = now() WHERE id = $1 AND status = 'running'`, [
    id,
    Math.max(0, Math.min(1, progress)),
    message,
  ])
}

export async function finishJob(db: Queryable, id: string, status: 'succeeded' | 'failed' | 'cancelled', r: { result?: unknown; error?: string; message: string }) {
  await db.query(
    `UPDATE jobs SET status = $2, result = $3, error = $4, message = $5, finished_at = now(), updated_at = now(),
        progress = CASE WHEN $2 = 'succeeded' THEN 1 ELSE progress END
      WHERE id = $1 AND status IN ('queued', 'running')`,
    [id, status, r.result === undefined ? null : JSON.stringify(r.result), r.error ?? null, r.message],
  )
}

/** Marks the cancel request; a queued job is cancelled at once. Returns the job after the change. */
export async function requestCancel(db: Queryable, id: string): Promise<JobRow | undefined> {
  await db.query(
    `UPDATE jobs SET cancel_requested = true, updated_at = now(),
        status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,
        finished_at = CASE WHEN status = 'queued' THEN now() ELSE finished_at END,
        message = CASE WHEN status = 'queued' THEN 'cancelled before it started' ELSE message END
      WHERE id = $1`,
    [id],
  )
  return getJob(db, id)
}

export async function cancelRequested(db: Queryable, id: string): Promise<boolean> {
  return (await db.query<{ c: boolean }>('SELECT cancel_requested AS c FROM jobs WHERE id = $1', [id])).rows[0]?.c ?? true
}

/** What GET /api/imports/<job> shows for an import cut off by a stopped process (the route's error body). */
const ORPHAN_IMPORT_ERROR = JSON.stringify({
  error: 'Import failed',
  message: 'the server stopped before the import finished; nothing was written. Upload the file again',
  status: 500,
})

/**
 * Jobs whose process stopped (crash, SIGKILL) while they ran: failed, so they never look alive. A job is
 * orphaned when it is 'running' (or an import still 'queued': its spooled file went with the process),
 * has had no heartbeat for `staleSeconds`, and is not one of `alive` (this process's own jobs).
 */
export async function failOrphans(db: Queryable, staleSeconds: number, alive: string[] = []): Promise<number> {
  const { rows } = await db.query(
    `UPDATE jobs SET status = 'failed', finished_at = now(), updated_at = now(),
        error = CASE WHEN kind = 'import' THEN $3 ELSE 'the worker stopped before the job finished; the plan was not changed' END,
        message = CASE WHEN kind = 'import' THEN 'failed; nothing was imported' ELSE 'failed; the plan was not changed' END
      WHERE (status = 'running' OR (kind = 'import' AND status = 'queued'))
        AND updated_at < now() - make_interval(secs => $1) AND NOT (id::text = ANY($2::text[])) RETURNING id`,
    [staleSeconds, alive, ORPHAN_IMPORT_ERROR],
  )
  return rows.length
}

/** Heartbeat: these jobs' process is alive. */
export async function touchJobs(db: Queryable, ids: string[]): Promise<void> {
  await db.query(`UPDATE jobs SET updated_at = now() WHERE id::text = ANY($1::text[]) AND status IN ('queued', 'running')`, [ids])
}

/** Community and jurisdiction codes for grid and cell codes. */
export async function parentCodes(db: Queryable, districtId: number) {
  const c = await db.query<{ id: number; code: string; jcode: string; jid: number }>(
    `SELECT c.id, c.code, j.code AS jcode, j.id AS jid FROM communities c JOIN jurisdictions j ON j.id = c.jurisdiction_id WHERE j.district_id = $1`,
    [districtId],
  )
  return c.rows
}
