/**
 * Partition engine: splits every parent (community, jurisdiction) into contiguous parts whose weight
 * lies in a band — grids from units (and usable for police cells from grids, with unit weights).
 *
 * Algorithm, and why:
 * 1. The graph is reduced to usable edges (not cut by a barrier or a parent border, both ends free),
 *    and split into connected pieces. A part never leaves its piece, so nesting, barriers and locks
 *    hold by construction instead of being repaired afterwards.
 * 2. Each piece gets the part count k with k·min ≤ W ≤ k·max nearest W/target (units heavier than
 *    max get a part each). No such k → ceil(W/max) parts, all but one of which can be in band; reported.
 * 3. Recursive bisection (bisect.ts): a sweep along a direction grown through usable edges, so each
 *    side is connected, with integer part counts per side that keep both sides feasible. Inertial
 *    bisection is fast (O(n log n log k)), gives compact, roughly convex parts on planar tilings,
 *    and unlike spectral methods needs no eigen-solver — good for 100k units in a browser or Node.
 * 4. k-way boundary refinement (refine.ts) with a bounded connectivity check: first the number of
 *    out-of-band parts, then their miss, then squared deviation, then cut length. Where single moves
 *    stall (narrow necks, heavy blocks), repair.ts moves connected groups; if parts stay out of band,
 *    the neighbouring part counts k ± 1 are tried too.
 * 5. Multi-start over seeded variants of step 3, best kept per piece; all randomness comes from the
 *    seed, so results are deterministic unless the time budget cuts the search short (reported).
 * 6. Rebalance mode (rebalance.ts): keep an existing plan, rework only out-of-band parts and their
 *    neighbours, and only as far out as needed.
 * 7. Islands (islands.ts): a piece of a parent too light for a part of its own joins the nearest part
 *    of its parent, reported — the one case where DESIGN.md §2.2 allows a non-contiguous part.
 * Nothing in here throws for data that cannot meet the band: those parts come back with exceptions.
 */
import type { Graph, PartException } from '../types.js'
import { resolveBand, type Band } from './band.js'
import { components, makeCtx } from './context.js'
import { partitionPiece, type PieceResult } from './engine.js'
import { explain } from './exceptions.js'
import { attachIslands, type PieceInfo } from './islands.js'
import { numberParts, type TempPart } from './numbering.js'
import { rebalancePiece } from './rebalance.js'

export { bandFromTolerance, choosePartCount, resolveBand, type Band } from './band.js'
export { checkPartition, type PartitionProblem } from './check.js'

export interface PartitionOptions {
  /** Band on the summed weight of a part (same unit as `weights`). */
  min: number
  max: number
  /** Preferred part weight; default (min + max) / 2. */
  target?: number
  seed?: number
  /** Locked part id per node, -1 = free. A locked part keeps exactly its nodes. */
  lock?: Int32Array
  /** Existing part per node (-1 = none): rebalance mode, which moves as few nodes as it can. */
  initial?: Int32Array
  /** Stop searching after this long (ms); a valid plan is still returned. Default 30 s. */
  timeBudgetMs?: number
  /**
   * 'attach' (default): a piece of a parent too light for a part of its own joins the nearest part
   * of the same parent, which is then non-contiguous and reported with an 'island' exception
   * (DESIGN.md §2.2). 'separate': every piece forms its own parts, all parts contiguous.
   */
  islands?: 'attach' | 'separate'
}

export interface PartitionResult {
  /**
   * Part of each node, numbered 0..parts-1. A locked part keeps its lock id, and in rebalance mode a
   * part keeps the initial id it continues, whenever that id is below `parts` (see numbering.ts).
   */
  assignment: Int32Array
  parts: number
  exceptions: PartException[]
}

const DEFAULT_BUDGET_MS = 30_000

export function partition(graph: Graph, weights: Float64Array, opts: PartitionOptions): PartitionResult {
  const n = graph.n
  if (weights.length !== n) throw new RangeError(`weights has ${weights.length} entries for ${n} nodes`)
  for (let i = 0; i < n; i++) {
    if (!(weights[i] >= 0 && Number.isFinite(weights[i]))) {
      throw new RangeError(`weight of node ${i} (${graph.ids[i] ?? i}) must be a finite number >= 0, got ${weights[i]}`)
    }
  }
  const band: Band = resolveBand(opts.min, opts.max, opts.target)
  const { lock, initial } = opts
  if (lock && lock.length !== n) throw new RangeError(`lock has ${lock.length} entries for ${n} nodes`)
  if (initial && initial.length !== n) throw new RangeError(`initial has ${initial.length} entries for ${n} nodes`)
  const seed = (opts.seed ?? 1) >>> 0
  const deadline = performance.now() + (opts.timeBudgetMs ?? DEFAULT_BUDGET_MS)
  const ctx = makeCtx(graph, weights, band, lock, deadline)

  const temp: TempPart[] = []
  const tempOf = new Int32Array(n).fill(-1)
  const lockTemp = new Map<number, number>()
  if (lock) {
    for (let v = 0; v < n; v++) {
      const l = lock[v]
      if (l < 0) continue
      let t = lockTemp.get(l)
      if (t === undefined) {
        t = temp.length
        lockTemp.set(l, t)
        temp.push({ pref: l, minNode: v, locked: true, piece: -1 })
      }
      tempOf[v] = t
    }
  }

  const free = new Uint8Array(n)
  for (let v = 0; v < n; v++) free[v] = lock && lock[v] >= 0 ? 0 : 1
  const { members } = components(ctx, free)
  const pieces: { nodes: Int32Array; result: PieceResult }[] = []
  const infos: PieceInfo[] = []
  const part = new Int32Array(n)
  for (let c = 0; c < members.length; c++) {
    const nodes = members[c]
    const result = initial
      ? rebalancePiece(ctx, nodes, initial, seed, c, part)
      : partitionPiece(ctx, nodes, seed, c, part)
    const base = temp.length
    for (let p = 0; p < result.k; p++) {
      const pref = result.pref ? result.pref[p] : -1
      temp.push({ pref: pref >= 0 && !lockTemp.has(pref) ? pref : -1, minNode: n, locked: false, piece: c })
    }
    for (let i = 0; i < nodes.length; i++) {
      const t = base + result.local[i]
      tempOf[nodes[i]] = t
      if (nodes[i] < temp[t].minNode) temp[t].minNode = nodes[i]
    }
    pieces.push({ nodes, result })
    infos.push({ nodes, light: result.status === 'lighter-than-min', base, k: result.k })
  }

  const tempW = new Float64Array(temp.length)
  for (let v = 0; v < n; v++) tempW[tempOf[v]] += weights[v]
  const dead = new Uint8Array(temp.length)
  const tempPref = Int32Array.from(temp, (t) => t.pref)
  const attached = opts.islands === 'separate' ? [] : attachIslands(ctx, infos, tempOf, tempW, dead, tempPref)

  const { order, finalOf } = numberParts(temp, dead)
  const assignment = new Int32Array(n)
  for (let v = 0; v < n; v++) assignment[v] = finalOf[tempOf[v]]

  const info = order.map((t) => ({ final: finalOf[t], locked: temp[t].locked, piece: temp[t].piece }))
  const islandsOut = attached.map((a) => ({ part: finalOf[a.part], nodes: a.nodes }))
  const statuses = pieces.map((p) => p.result.status)
  const exceptions = explain(ctx, assignment, order.length, statuses, info, islandsOut, opts.islands !== 'separate')
  return { assignment, parts: order.length, exceptions }
}

