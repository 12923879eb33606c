/**
 * Liveness of running jobs across processes. Every process touches `jobs.updated_at` of the jobs it runs
 * (plan jobs and large imports) every few seconds; a 'running' job whose heartbeat is older than
 * STALE_SECONDS belongs to a process that died (SIGKILL, crash, lost machine) and is failed by the sweep
 * (`failOrphans`). On the embedded database one process holds the data folder, so at its start every job
 * not its own is an orphan; on PostgreSQL other replicas may be running jobs, so only stale ones are.
 */
import type { Db } from '../db/index.js'
import { failOrphans, touchJobs } from '../repo/jobs.js'

export const HEARTBEAT_MS = 5_000
export const STALE_SECONDS = 30
const SWEEP_MS = 10_000

interface Beats {
  ids: Map<string, number>
  timer: NodeJS.Timeout | null
  busy: boolean
}
const beats = new WeakMap<Db, Beats>()

function of(db: Db): Beats {
  let b = beats.get(db)
  if (!b) beats.set(db, (b = { ids: new Map(), timer: null, busy: false }))
  return b
}

/** This process's live jobs on `db`. */
export function aliveJobs(db: Db): string[] {
  return [...(beats.get(db)?.ids.keys() ?? [])]
}

/** Keeps `jobId` alive until the returned function is called (idempotent). */
export function keepJobAlive(db: Db, jobId: string): () => void {
  const b = of(db)
  b.ids.set(jobId, (b.ids.get(jobId) ?? 0) + 1)
  if (!b.timer) {
    b.timer = setInterval(() => {
      // one heartbeat at a time: on the embedded database it may wait behind a long transaction
      if (b.busy || !b.ids.size) return
      b.busy = true
      touchJobs(db, [...b.ids.keys()])
        .catch(() => {}) // the database is away (restart): the next beat tries again
        .finally(() => (b.busy = false))
    }, HEARTBEAT_MS)
    b.timer.unref()
  }
  let released = false
  return () => {
    if (released) return
    released = true
    const n = (b.ids.get(jobId) ?? 1) - 1
    if (n > 0) b.ids.set(jobId, n)
    else b.ids.delete(jobId)
    if (!b.ids.size && b.timer) {
      clearInterval(b.timer)
      b.timer = null
    }
  }
}

/** Fails the jobs of dead processes now (and, on PostgreSQL, every SWEEP_MS until the returned stop is called). */
export async function sweepOrphans(db: Db): Promise<() => void> {
  const sweep = (stale: number) => failOrphans(db, stale, aliveJobs(db))
  if (db.kind === 'pglite') {
    await sweep(0)
    return () => {}
  }
  await sweep(STALE_SECONDS)
  let busy = false
  const timer = setInterval(() => {
    if (busy) return
    busy = true
    sweep(STALE_SECONDS)
      .catch(() => {})
      .finally(() => (busy = false))
  }, SWEEP_MS)
  timer.unref()
  return () => clearInterval(timer)
}
