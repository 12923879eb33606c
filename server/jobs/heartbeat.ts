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
  /** Stops the heartbeat; null while no job is alive. */
  stop: (() => void) | null
}
const beats = new WeakMap<Db, Beats>()

function of(db: Db): Beats {
  let b = beats.get(db)
  if (!b) beats.set(db, (b = { ids: new Map(), stop: null }))
  return b
}

/**
 * Runs `fn` every `ms` until the returned stop is called, never two runs at once (on the embedded database
 * one may wait behind a long transaction). A failed run is ignored (the database is away, e.g. restarting):
 * the next one tries again. The timer does not keep the process alive.
 */
function every(ms: number, fn: () => Promise<unknown>): () => void {
  let busy = false
  const timer = setInterval(() => {
    if (busy) return
    busy = true
    fn()
      .catch(() => {})
      .finally(() => (busy = false))
  }, ms)
  timer.unref()
  return () => clearInterval(timer)
}

/** This process's live jobs on `db`. */
export function aliveJobs(db: Db): string[] {
  return [...(beats.get(db)?.ids.keys() ?? [])]
}

/** Keeps `jobId` alive until the returned function is called (idempotent). */
export function keepJobAlive(db: Db, jobId: string): () => void {
  const b = of(db)
  b.ids.set(jobId, (b.ids.get(jobId) ?? 0) + 1)
  b.stop ??= every(HEARTBEAT_MS, () => touchJobs(db, [...b.ids.keys()]))
  let released = false
  return () => {
    if (released) return
    released = true
    const n = (b.ids.get(jobId) ?? 1) - 1
    if (n > 0) b.ids.set(jobId, n)
    else b.ids.delete(jobId)
    if (!b.ids.size) {
      b.stop?.()
      b.stop = null
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
  return every(SWEEP_MS, () => sweep(STALE_SECONDS))
}
