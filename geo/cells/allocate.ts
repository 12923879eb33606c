/**
 * How many cells each piece gets: the count nearest the middle of the bounds, or, for a requested
 * total, a knapsack over the pieces' possible counts.
 */
import type { Piece } from './piece.js'

/** The count whose average cell size is nearest the middle of the bounds; the smaller count on ties. */
export function preferredCount(m: number, counts: readonly number[], min: number, max: number): number {
  const mid = (min + max) / 2
  let best = counts[0]
  for (const k of counts) if (Math.abs(m / k - mid) < Math.abs(m / best - mid) - 1e-12) best = k
  return best
}

export function nearest(values: readonly number[], x: number): number {
  let best = values[0]
  for (const v of values) if (Math.abs(v - x) < Math.abs(best - x)) best = v
  return best
}

/**
 * Give each piece a count from its possible counts so they add up to `total`, minimising
 * Σ k · (m/k − s)² with s = grids / total: the average cell size stays as even as possible across pieces.
 * Knapsack DP over pieces × running total.
 */
export function distribute(ps: Piece[], countsOf: (P: Piece) => number[], total: number, min: number, max: number): void {
  const grids = ps.reduce((s, P) => s + P.g.m, 0)
  const s = total > 0 ? grids / total : (min + max) / 2
  let cost = new Float64Array(total + 1).fill(Infinity)
  cost[0] = 0
  const choice: Int32Array[] = []
  for (const P of ps) {
    const next = new Float64Array(total + 1).fill(Infinity)
    const pick = new Int32Array(total + 1).fill(-1)
    for (let t = 0; t <= total; t++) {
      if (cost[t] === Infinity) continue
      for (const k of countsOf(P)) {
        if (t + k > total) continue
        const c = cost[t] + (k > 0 ? k * (P.g.m / k - s) ** 2 : 0)
        if (c < next[t + k] - 1e-12) {
          next[t + k] = c
          pick[t + k] = k
        }
      }
    }
    choice.push(pick)
    cost = next
  }
  let t = total
  for (let p = ps.length - 1; p >= 0; p--) {
    ps[p].chosen = choice[p][t]
    t -= ps[p].chosen
  }
}

