/**
 * Grid and cell outlines (grids.geom, cells.geom) are dissolved after an edit commits, not inside it:
 * the edit sets the touched outlines to NULL (readers such as tiles and exports dissolve NULL outlines
 * from units, so nothing is ever stale), and this fills them in shortly after, under the plan's row
 * lock so it never interleaves with an edit. Keeps the dissolve cost out of edit latency.
 */
import type { Db } from '../../db/index.js'
import { lockPlan, refreshMissingOutlines } from '../../repo/plans.js'

const DELAY_MS = 150
const pending = new WeakMap<Db, Map<number, NodeJS.Timeout>>()

export function scheduleOutlines(db: Db, planId: number): void {
  let m = pending.get(db)
  if (!m) pending.set(db, (m = new Map()))
  const plans = m
  clearTimeout(plans.get(planId))
  const timer = setTimeout(() => {
    plans.delete(planId)
    db.transaction(async (tx) => {
      if (await lockPlan(tx, planId)) await refreshMissingOutlines(tx, planId)
    }).catch(() => {
      // The plan was deleted or the database closed: outlines stay NULL and are dissolved on read.
    })
  }, DELAY_MS)
  timer.unref()
  plans.set(planId, timer)
}

/** Drops refreshes not yet started (the app is closing). */
export function cancelOutlines(db: Db): void {
  const m = pending.get(db)
  if (!m) return
  for (const t of m.values()) clearTimeout(t)
  m.clear()
}
