import { applyEdit } from './apply.js'
import type { Edit, OpResult, PlanState } from './types.js'

/**
 * Splits the selected units of one grid off into a new grid of the same community and police cell.
 * The new grid gets the next index and a provisional code (`<code>-N`); the server assigns the real id.
 */
export function splitGrid(s: PlanState, sel: { grid: number; units: Iterable<number> }): OpResult {
  const g = s.grids[sel.grid]
  if (!g || g.removed) return { valid: false, reason: 'unknown-grid' }
  if (g.locked) return { valid: false, reason: 'grid-locked', suggestion: 'suggestLock' }
  const units = [...new Set(sel.units)].filter((u) => s.unitGrid[u] === sel.grid)
  if (units.length === 0) return { valid: false, reason: 'empty-selection' }
  if (units.length >= s.gridUnits[sel.grid]!) return { valid: false, reason: 'split-all' }
  const index = s.grids.length
  let n = 2
  const codes = new Set(s.grids.map((x) => x.code))
  while (codes.has(`${g.code}-${n}`)) n++
  const edit: Edit = {
    op: 'batch',
    edits: [
      { op: 'add-grid', grid: index, code: `${g.code}-${n}`, community: g.community },
      { op: 'set-grid-cells', grids: [index], cells: [s.gridCell[sel.grid]!] },
      { op: 'set-unit-grids', units, grids: units.map(() => index) },
    ],
  }
  const r = applyEdit(s, edit)
  return { valid: true, state: r.state, edit, inverse: r.inverse, touchedUnits: r.touchedUnits, touchedGrids: r.touchedGrids }
}
