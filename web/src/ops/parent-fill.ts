import { moveUnits } from './move-units.js'
import type { OpResult, PlanState } from './types.js'

/** What the parent brush fills: the grid under the cursor, or the community under the cursor. */
export type ParentScope = 'grid' | 'community'

/**
 * The units the parent brush takes at `unit`, ascending: every unit of its grid (for an unassigned
 * unit, the unassigned units of its community), or every unit of its community (just the unit when its
 * community is unknown). O(units).
 */
export function parentUnits(s: PlanState, unit: number, scope: ParentScope): number[] {
  if (unit < 0 || unit >= s.unitGrid.length) return []
  const grid = s.unitGrid[unit]!
  const community = s.unitCommunity[unit]!
  const out: number[] = []
  if (scope === 'community' && community < 0) return [unit]
  for (let u = 0; u < s.unitGrid.length; u++) {
    if (scope === 'grid') {
      if (s.unitGrid[u] !== grid) continue
      if (grid < 0 && s.unitCommunity[u] !== community) continue
    } else if (s.unitCommunity[u] !== community) continue
    out.push(u)
  }
  return out
}

/**
 * Parent brush: moves every unit of the grid or community under the cursor into `grid` as one edit
 * (one undo step). The rules are the brush's (moveUnits): units of locked grids stay, units of another
 * community than the target grid's stay, and when nothing is left the reason says why.
 */
export function parentFill(s: PlanState, sel: { unit: number; scope: ParentScope; grid: number }): OpResult {
  const units = parentUnits(s, sel.unit, sel.scope)
  return moveUnits(s, { units, grid: sel.grid })
}
