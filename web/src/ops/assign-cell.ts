import { applyEdit } from './apply.js'
import type { OpResult, PlanState } from './types.js'

/**
 * Puts grids into a police cell. A locked cell neither gains nor loses grids; a cell stays inside one
 * jurisdiction; a police user (`onlyJurisdiction`) may only touch cells of its own jurisdiction.
 */
export function assignCell(s: PlanState, sel: { grids: Iterable<number>; cell: number; onlyJurisdiction?: number }): OpResult {
  const cell = s.cells[sel.cell]
  if (!cell) return { valid: false, reason: 'unknown-cell' }
  if (sel.onlyJurisdiction !== undefined && cell.jurisdiction !== sel.onlyJurisdiction) return { valid: false, reason: 'forbidden' }
  if (cell.locked) return { valid: false, reason: 'cell-locked', suggestion: 'suggestLock' }
  const grids: number[] = []
  let seen = 0
  let refusal: OpResult | undefined
  for (const g of sel.grids) {
    seen++
    const info = s.grids[g]
    if (!info || info.removed) return { valid: false, reason: 'unknown-grid' }
    const from = s.gridCell[g]!
    if (from === sel.cell) continue
    if (from >= 0 && s.cells[from]!.locked) {
      refusal ??= { valid: false, reason: 'cell-locked', suggestion: 'suggestLock' }
      continue
    }
    if (from >= 0 && sel.onlyJurisdiction !== undefined && s.cells[from]!.jurisdiction !== sel.onlyJurisdiction) {
      refusal ??= { valid: false, reason: 'forbidden' }
      continue
    }
    const j = info.community >= 0 ? (s.communities[info.community]?.jurisdiction ?? -1) : -1
    if (j >= 0 && cell.jurisdiction >= 0 && j !== cell.jurisdiction) {
      refusal ??= { valid: false, reason: 'cross-jurisdiction' }
      continue
    }
    grids.push(g)
  }
  if (seen === 0) return { valid: false, reason: 'empty-selection' }
  if (grids.length === 0) return refusal ?? { valid: false, reason: 'no-change' }
  const edit = { op: 'set-grid-cells' as const, grids, cells: grids.map(() => sel.cell) }
  const r = applyEdit(s, edit)
  return { valid: true, state: r.state, edit, inverse: r.inverse, touchedUnits: [], touchedGrids: r.touchedGrids }
}
