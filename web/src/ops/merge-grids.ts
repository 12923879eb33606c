import { applyEdit } from './apply.js'
import type { Edit, OpResult, PlanState } from './types.js'
import { unitsOfGrid } from './state.js'

/**
 * Merges grid `from` into grid `into`: every unit of `from` moves, `from` is removed (kept as a removed
 * index so that undo brings it back). Both must be unlocked, in one community and, when the unit
 * adjacency is known, touching.
 */
export function mergeGrids(s: PlanState, sel: { into: number; from: number }): OpResult {
  const a = s.grids[sel.into]
  const b = s.grids[sel.from]
  if (!a || !b || a.removed || b.removed) return { valid: false, reason: 'unknown-grid' }
  if (sel.into === sel.from) return { valid: false, reason: 'same-grid' }
  if (a.locked || b.locked) return { valid: false, reason: 'grid-locked', suggestion: 'suggestLock' }
  if (a.community >= 0 && b.community >= 0 && a.community !== b.community) return { valid: false, reason: 'cross-community' }
  const units = unitsOfGrid(s, sel.from)
  if (s.adjacency && units.length > 0 && !touches(s, units, sel.into)) return { valid: false, reason: 'not-adjacent' }
  const edit: Edit = {
    op: 'batch',
    edits: [
      { op: 'set-unit-grids', units, grids: units.map(() => sel.into) },
      { op: 'set-grid-cells', grids: [sel.from], cells: [-1] },
      { op: 'remove-grid', grid: sel.from },
    ],
  }
  const r = applyEdit(s, edit)
  return { valid: true, state: r.state, edit, inverse: r.inverse, touchedUnits: r.touchedUnits, touchedGrids: r.touchedGrids }
}

function touches(s: PlanState, units: number[], grid: number): boolean {
  const { xadj, adjncy } = s.adjacency!
  for (const u of units) for (let k = xadj[u]!; k < xadj[u + 1]!; k++) if (s.unitGrid[adjncy[k]!] === grid) return true
  return false
}
