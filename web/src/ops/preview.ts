import { bandStatus, type BandStatus } from './live.js'
import { moveUnits } from './move-units.js'
import { gridWeights, unitWeight } from './state.js'
import type { PlanState, Reason } from './types.js'

/**
 * What a brush (or box, lasso, parent brush) over `units` would do to the target grid, for the tooltip.
 * Weights are the band's (people or households). Computed with the same rules as the edit itself
 * (moveUnits), so the preview never promises a move the edit would refuse.
 */
export type BrushPreview =
  | {
      valid: true
      /** Weight and count of every unit under the brush. */
      under: number
      units: number
      /** Weight that would change grid, and how many units would; the rest are locked, elsewhere or already there. */
      moved: number
      movedUnits: number
      /** Target grid (-1: the eraser), its weight before and after, and where the after sits in the band. */
      grid: number
      before: number
      after: number
      status: BandStatus
    }
  | { valid: false; under: number; units: number; grid: number; reason: Reason }

export function brushPreview(s: PlanState, units: readonly number[], grid: number): BrushPreview {
  let under = 0
  for (const u of units) under += unitWeight(s, u)
  const r = moveUnits(s, { units, grid })
  if (!r.valid) return { valid: false, under, units: units.length, grid, reason: r.reason }
  let moved = 0
  for (const u of r.touchedUnits) moved += unitWeight(s, u)
  const w = gridWeights(s)
  const before = grid >= 0 ? w[grid]! : 0
  const after = grid >= 0 ? gridWeights(r.state)[grid]! : 0
  const status = grid >= 0 ? bandStatus(after, r.state.gridUnits[grid]!, s.band).status : 'ok'
  return { valid: true, under, units: units.length, moved, movedUnits: r.touchedUnits.length, grid, before, after, status }
}
