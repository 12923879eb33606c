/**
 * k-way boundary refinement of one connected piece (Fiduccia–Mattheyses style, greedy passes).
 *
 * A boundary node moves to an adjacent part when that lowers the cost
 *   Σ_parts [ S·[w out of band] + V·√(violation(w)/t) + ((w − t)/t)² ] + C · cut / ℓ
 * (t the target, ℓ the mean edge length): the number of out-of-band parts dominates, then how far
 * they miss (which guides moves while the count cannot change; concave, so a shortfall gathers in
 * as few parts as possible instead of spreading over all), then squared deviation (which
 * pushes weight from heavy to light parts, so slack travels across chains of parts), then cut length
 * (compactness). A move is made only when the donor part stays connected, checked by a bounded BFS
 * inside the donor from one of the node's neighbours (no global articulation structure to maintain,
 * and a refused move is always safe). Parts never empty and never grow across unusable edges.
 */
import type { Ctx } from './context.js'
import { shuffle } from './rng.js'

/** Being out of band at all: dominates everything, so the count of out-of-band parts comes first. */
export const OUT_OF_BAND_WEIGHT = 1e6
export const VIOLATION_WEIGHT = 1e4
/** Cost of one mean edge length of cut, in units of squared relative deviation. */
export const DEFAULT_CUT_WEIGHT = 0.006
const CONNECT_LIMIT = 256

export interface RefineOpts {
  passes: number
  cutWeight: number
  /** Per local part: 0 when the part must not change (rebalance mode keeps distant parts). */
  movable?: Uint8Array
  /** Rebalance mode: each node's part at the start; leaving it costs movePenalty, returning earns it. */
  origin?: Int32Array
  movePenalty?: number
}

export function partCost(w: number, ctx: Ctx): number {
  const { min, max, target } = ctx.band
  const t = target > 0 ? target : 1
  const v = w < min ? min - w : w > max ? w - max : 0
  const d = (w - t) / t
  return v > 0 ? OUT_OF_BAND_WEIGHT + VIOLATION_WEIGHT * Math.sqrt(v / t) + d * d : d * d
}

export function refine(
  ctx: Ctx,
  nodes: Int32Array,
  part: Int32Array,
  partW: Float64Array,
  partN: Int32Array,
  rand: () => number,
  opts: RefineOpts,
): number {
  const { w, usable } = ctx
  const { xadj, adjncy, edgeLength } = ctx.g
  const order = nodes.slice()
  shuffle(order, rand)
  const cutUnit = opts.cutWeight / ctx.meanEdgeLen
  const movable = opts.movable
  const origin = opts.origin
  const penalty = opts.movePenalty ?? 0
  // Per-node scratch for the parts adjacent to the node being considered.
  const adjP = new Int32Array(64)
  const adjL = new Float64Array(64)
  let totalMoves = 0
  for (let pass = 0; pass < opts.passes; pass++) {
    let moves = 0
    for (let i = 0; i < order.length; i++) {
      const v = order[i]
      const a = part[v]
      if (partN[a] <= 1 || (movable && !movable[a])) continue
      let na = 0
      let la = 0
      for (let e = xadj[v]; e < xadj[v + 1]; e++) {
        if (!usable[e]) continue
        const p = part[adjncy[e]]
        // Negative ids mark nodes outside the region being drawn (rebalance mode).
        if (p < 0) continue
        const len = edgeLength[e] > 0 ? edgeLength[e] : 0
        if (p === a) {
          la += len
          continue
        }
        let j = 0
        while (j < na && adjP[j] !== p) j++
        if (j === na) {
          if (na === adjP.length) continue
          adjP[na] = p
          adjL[na] = 0
          na++
        }
        adjL[j] += len
      }
      if (na === 0) continue
      const wv = w[v]
      const wa = partW[a]
      const base = partCost(wa - wv, ctx) - partCost(wa, ctx)
      let bestDelta = -1e-12
      let bestB = -1
      for (let j = 0; j < na; j++) {
        const b = adjP[j]
        if (movable && !movable[b]) continue
        const wb = partW[b]
        let delta = base + partCost(wb + wv, ctx) - partCost(wb, ctx) + cutUnit * (la - adjL[j])
        if (origin) {
          if (origin[v] === a) delta += penalty
          else if (origin[v] === b) delta -= penalty
        }
        if (delta < bestDelta || (delta === bestDelta && bestB >= 0 && b < bestB)) {
          bestDelta = delta
          bestB = b
        }
      }
      if (bestB < 0 || !staysConnected(ctx, v, a, part)) continue
      part[v] = bestB
      partW[a] -= wv
      partW[bestB] += wv
      partN[a]--
      partN[bestB]++
      moves++
    }
    totalMoves += moves
    if (moves === 0) break
    if (performance.now() > ctx.deadline) {
      ctx.timedOut = true
      break
    }
  }
  return totalMoves
}

/**
 * True when part a minus node v is still connected: a BFS inside a (avoiding v) from one neighbour
 * of v in a must reach all of v's other neighbours in a. Gives up (false) after CONNECT_LIMIT nodes,
 * so a refused move costs bounded time and an accepted one is always proven safe.
 */
export function staysConnected(ctx: Ctx, v: number, a: number, part: Int32Array): boolean {
  const { usable, markB, queue } = ctx
  const { xadj, adjncy } = ctx.g
  const want = ++ctx.stamp.b
  let targets = 0
  let start = -1
  for (let e = xadj[v]; e < xadj[v + 1]; e++) {
    const u = adjncy[e]
    if (usable[e] && part[u] === a && markB[u] !== want) {
      markB[u] = want
      targets++
      if (start < 0) start = u
    }
  }
  if (targets <= 1) return targets === 1
  const seen = ++ctx.stamp.b
  // Nodes marked `want` become `seen` as they are reached; count them down.
  let head = 0
  let tail = 0
  queue[tail++] = start
  markB[start] = seen
  targets--
  while (head < tail) {
    const x = queue[head++]
    for (let e = xadj[x]; e < xadj[x + 1]; e++) {
      const u = adjncy[e]
      if (!usable[e] || u === v || part[u] !== a) continue
      const mu = markB[u]
      if (mu === seen) continue
      if (mu === want && --targets === 0) return true
      markB[u] = seen
      if (tail >= CONNECT_LIMIT) return false
      queue[tail++] = u
    }
  }
  return false
}
