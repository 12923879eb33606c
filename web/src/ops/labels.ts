import type { PlanState } from './types.js'

/**
 * One label point per grid (lng, lat; NaN for an empty grid or one without boxes): the centre of the
 * grid's unit whose box centre lies nearest the mean of its units' centres. The point is always on one
 * of the grid's own units, so a label never lands in a neighbour even for an L-shaped grid, and a
 * grid gets one label however many tiles it spans. `centres`: 2 numbers per unit (boxCentres), NaN where
 * unknown. O(units), two passes over typed arrays.
 */
export function gridLabelPoints(state: Pick<PlanState, 'unitGrid' | 'grids'>, centres: Float64Array): Float64Array {
  const ng = state.grids.length
  const sx = new Float64Array(ng)
  const sy = new Float64Array(ng)
  const n = new Int32Array(ng)
  const units = state.unitGrid.length
  for (let u = 0; u < units; u++) {
    const g = state.unitGrid[u]!
    const cx = centres[u * 2]!
    if (g < 0 || !Number.isFinite(cx)) continue
    sx[g]! += cx
    sy[g]! += centres[u * 2 + 1]!
    n[g]!++
  }
  const best = new Float64Array(ng).fill(Infinity)
  const out = new Float64Array(ng * 2).fill(NaN)
  for (let u = 0; u < units; u++) {
    const g = state.unitGrid[u]!
    const cx = centres[u * 2]!
    if (g < 0 || !Number.isFinite(cx)) continue
    const cy = centres[u * 2 + 1]!
    const dx = cx - sx[g]! / n[g]!
    const dy = cy - sy[g]! / n[g]!
    const d = dx * dx + dy * dy
    if (d < best[g]!) {
      best[g] = d
      out[g * 2] = cx
      out[g * 2 + 1] = cy
    }
  }
  return out
}
