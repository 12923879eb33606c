import { applyEdit } from './apply.js'
import type { OpResult, PlanState } from './types.js'

/** Locks or unlocks grids (one, several, or all with `grids: 'all'`); removed grids are skipped. */
export function setGridLock(s: PlanState, sel: { grids: Iterable<number> | 'all'; locked: boolean }): OpResult {
  const wanted = sel.grids === 'all' ? s.grids.map((_, i) => i) : [...sel.grids]
  if (wanted.length === 0) return { valid: false, reason: 'empty-selection' }
  for (const g of wanted) if (!s.grids[g]) return { valid: false, reason: 'unknown-grid' }
  const grids = wanted.filter((g) => !s.grids[g]!.removed && s.grids[g]!.locked !== sel.locked)
  if (grids.length === 0) return { valid: false, reason: 'no-change' }
  const edit = { op: 'set-grid-locks' as const, grids, locked: grids.map(() => sel.locked) }
  const r = applyEdit(s, edit)
  return { valid: true, state: r.state, edit, inverse: r.inverse, touchedUnits: [], touchedGrids: r.touchedGrids }
}
