/**
 * Partition of one connected piece (a component of usable edges inside one parent): choose the part
 * count from the band, then multi-start recursive bisection + k-way refinement, keeping the best start.
 * Pieces are independent, so each gets its own seeded stream: a piece's result does not depend on how
 * many other pieces exist or in which order they run.
 */
import { choosePartCount, violation, type PartCount } from './band.js'
import { recursiveBisect } from './bisect.js'
import { overTime, type Ctx } from './context.js'
import { DEFAULT_CUT_WEIGHT, partCost, refine } from './refine.js'
import { repair } from './repair.js'
import { mixSeed, mulberry32 } from './rng.js'

/** Node-visits worth of multi-start per piece: small pieces get many starts, huge ones one. */
const START_BUDGET = 60000
const MAX_STARTS = 12
const PASSES = 40

export interface PieceResult {
  /** Part (0..k-1) of each node, parallel to the piece's node list. */
  local: Int32Array
  k: number
  status: PartCount['status']
  /** Rebalance mode: the initial part id each local part continues, or -1 for a new part. */
  pref?: Int32Array
}

export interface Score {
  outOfBand: number
  violation: number
  cost: number
}

export function better(a: Score, b: Score): boolean {
  if (a.outOfBand !== b.outOfBand) return a.outOfBand < b.outOfBand
  if (Math.abs(a.violation - b.violation) > 1e-9) return a.violation < b.violation
  return a.cost < b.cost - 1e-12
}

/**
 * Part count for a piece, aware of units heavier than max: each such unit needs a part of its own,
 * and only the rest of the weight is divided by the band.
 */
export function piecePartCount(ctx: Ctx, nodes: Int32Array): PartCount {
  const { w, band } = ctx
  let W = 0
  let heavy = 0
  let heavyW = 0
  for (let i = 0; i < nodes.length; i++) {
    const x = w[nodes[i]]
    W += x
    if (x > band.max) {
      heavy++
      heavyW += x
    }
  }
  if (heavy === 0) return choosePartCount(W, nodes.length, band)
  const rest = W - heavyW
  const restCount = rest >= band.min ? choosePartCount(rest, nodes.length - heavy, band) : { k: 0, status: 'ok' as const }
  return { k: Math.max(1, Math.min(nodes.length, heavy + restCount.k)), status: restCount.status }
}

export function scorePiece(
  ctx: Ctx,
  nodes: Int32Array,
  part: Int32Array,
  partW: Float64Array,
  k: number,
  cutWeight: number,
): Score {
  let outOfBand = 0
  let viol = 0
  let cost = 0
  for (let p = 0; p < k; p++) {
    const v = violation(partW[p], ctx.band)
    if (v > 1e-9 * Math.max(1, ctx.band.max)) outOfBand++
    viol += v
    cost += partCost(partW[p], ctx)
  }
  const { xadj, adjncy, edgeLength } = ctx.g
  let cut = 0
  for (let i = 0; i < nodes.length; i++) {
    const v = nodes[i]
    for (let e = xadj[v]; e < xadj[v + 1]; e++) {
      if (ctx.usable[e] && part[adjncy[e]] !== part[v]) cut += edgeLength[e] > 0 ? edgeLength[e] : 0
    }
  }
  cost += (cutWeight * cut) / 2 / ctx.meanEdgeLen
  return { outOfBand, violation: viol, cost }
}

export function partitionPiece(
  ctx: Ctx,
  nodes: Int32Array,
  seed: number,
  pieceKey: number,
  part: Int32Array,
): PieceResult {
  const count = piecePartCount(ctx, nodes)
  const m = nodes.length
  if (count.k <= 1) return { local: new Int32Array(m), k: 1, status: count.status }
  const starts = Math.max(1, Math.min(MAX_STARTS, Math.round(START_BUDGET / m)))
  const best: Best = { score: null, local: new Int32Array(m), k: 1 }
  runStarts(ctx, nodes, seed, pieceKey, part, count.k, 0, starts, best)
  // The band admits other part counts too: when the preferred one leaves parts out of band, a
  // neighbouring count sometimes fits the piece's shape better (seen on long, narrow tracts).
  if (count.status === 'ok' && best.score!.outOfBand > 0) {
    const W = pieceWeight(ctx, nodes)
    for (const k of [count.k - 1, count.k + 1]) {
      if (k < 1 || k > m || k * ctx.band.min > W || k * ctx.band.max < W) continue
      runStarts(ctx, nodes, seed, pieceKey, part, k, k, Math.max(2, starts >> 1), best)
    }
  }
  return { local: best.local, k: best.k, status: count.status }
}

interface Best {
  score: Score | null
  local: Int32Array
  k: number
}

function pieceWeight(ctx: Ctx, nodes: Int32Array): number {
  let W = 0
  for (let i = 0; i < nodes.length; i++) W += ctx.w[nodes[i]]
  return W
}

function runStarts(
  ctx: Ctx,
  nodes: Int32Array,
  seed: number,
  pieceKey: number,
  part: Int32Array,
  k0: number,
  salt: number,
  starts: number,
  best: Best,
): void {
  const m = nodes.length
  const partW = new Float64Array(k0)
  const partN = new Int32Array(k0)
  for (let s = 0; s < starts; s++) {
    // The first start of a piece always completes: a valid plan is owed even past the budget.
    if (best.score && overTime(ctx)) break
    const rand = mulberry32(mixSeed(seed, pieceKey, s, salt))
    const next = { id: 0 }
    recursiveBisect(ctx, nodes, k0, rand, s > 0, part, next)
    const k = next.id
    partW.fill(0)
    partN.fill(0)
    for (let i = 0; i < m; i++) {
      const v = nodes[i]
      partW[part[v]] += ctx.w[v]
      partN[part[v]]++
    }
    refine(ctx, nodes, part, partW, partN, rand, { passes: PASSES, cutWeight: DEFAULT_CUT_WEIGHT })
    if (repair(ctx, nodes, part, partW, partN, k) > 0) {
      refine(ctx, nodes, part, partW, partN, rand, { passes: PASSES, cutWeight: DEFAULT_CUT_WEIGHT })
    }
    const score = scorePiece(ctx, nodes, part, partW, k, DEFAULT_CUT_WEIGHT)
    if (!best.score || better(score, best.score)) {
      best.score = score
      best.k = k
      for (let i = 0; i < m; i++) best.local[i] = part[nodes[i]]
    }
  }
}
