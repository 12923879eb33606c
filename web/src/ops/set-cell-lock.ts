import { applyEdit } from './apply.js'
import type { OpResult, PlanState } from './types.js'

/** Locks or unlocks police cells (or all of them). */
export function setCellLock(s: PlanState, sel: { cells: Iterable<number> | 'all'; locked: boolean }): OpResult {
  const wanted = sel.cells === 'all' ? s.cells.map((_, i) => i) : [...sel.cells]
  if (wanted.length === 0) return { valid: false, reason: 'empty-selection' }
  for (const c of wanted) if (!s.cells[c]) return { valid: false, reason: 'unknown-cell' }
  const cells = wanted.filter((c) => s.cells[c]!.locked !== sel.locked)
  if (cells.length === 0) return { valid: false, reason: 'no-change' }
  const edit = { op: 'set-cell-locks' as const, cells, locked: cells.map(() => sel.locked) }
  const r = applyEdit(s, edit)
  return { valid: true, state: r.state, edit, inverse: r.inverse, touchedUnits: [], touchedGrids: [] }
}
