import { applyEdit } from './apply.js'
import type { OpResult, PlanState } from './types.js'

/**
 * Moves units into a grid (brush, box select, click), or out of every grid with `grid: -1` (eraser).
 * Units of locked grids, units already there and units of another community are left alone, so a brush
 * stroke can sweep across them; when nothing is left to move, the reason says why.
 */
export function moveUnits(s: PlanState, sel: { units: Iterable<number>; grid: number }): OpResult {
  const grid = sel.grid
  if (grid >= s.grids.length || grid < -1 || (grid >= 0 && s.grids[grid]!.removed)) return { valid: false, reason: 'unknown-grid' }
  if (grid >= 0 && s.grids[grid]!.locked) return { valid: false, reason: 'grid-locked', suggestion: 'suggestLock' }
  const community = grid >= 0 ? s.grids[grid]!.community : -1
  const units: number[] = []
  let seen = 0
  let lockedSkipped = 0
  let communitySkipped = 0
  for (const u of sel.units) {
    seen++
    const from = s.unitGrid[u]!
    if (from === grid) continue
    if (from >= 0 && s.grids[from]!.locked) {
      lockedSkipped++
      continue
    }
    const uc = s.unitCommunity[u]!
    if (community >= 0 && uc >= 0 && uc !== community) {
      communitySkipped++
      continue
    }
    units.push(u)
  }
  if (seen === 0) return { valid: false, reason: 'empty-selection' }
  if (units.length === 0) {
    if (lockedSkipped) return { valid: false, reason: 'source-locked', suggestion: 'suggestLock' }
    if (communitySkipped) return { valid: false, reason: 'cross-community', suggestion: 'suggestCommunity' }
    return { valid: false, reason: 'no-change' }
  }
  const edit = { op: 'set-unit-grids' as const, units, grids: units.map(() => grid) }
  const r = applyEdit(s, edit)
  return { valid: true, state: r.state, edit, inverse: r.inverse, touchedUnits: r.touchedUnits, touchedGrids: r.touchedGrids }
}
