/**
 * Recursive bisection of one connected piece into k connected parts.
 *
 * Each split grows side A from the extreme node along a direction, always taking the frontier node
 * that lies furthest back along that direction (a sweep line that can only advance through usable
 * edges). Every prefix of that growth order is connected, so A is connected by construction; the
 * remainder B may fall apart, and then every piece of B but the heaviest joins A (each such piece
 * touches A only, so A stays connected). Part counts are split as integers, kA + kB = k, and the
 * stopping point keeps both sides inside the weight range their part counts allow — so every level
 * stays feasible down to single parts. Several directions (principal axis of the node cloud, its
 * perpendicular and diagonals), both sweep senses and both roundings of k/2 are tried; the best by
 * feasibility, balance and cut length wins. This is the inertial bisection of METIS/Chaco, made to
 * respect contiguity and integer part counts instead of repairing them afterwards.
 */
import type { Ctx } from './context.js'
import { NodeHeap } from './heap.js'

interface Candidate {
  a: Int32Array
  b: Int32Array
  kA: number
  score: number
}

const heap = new NodeHeap(1024)

/** Weight of cut length against balance when choosing among candidate splits. */
const CUT_WEIGHT = 0.02

export function recursiveBisect(
  ctx: Ctx,
  nodes: Int32Array,
  k: number,
  rand: () => number,
  jitter: boolean,
  part: Int32Array,
  next: { id: number },
): void {
  if (k <= 1 || nodes.length <= 1) {
    const id = next.id++
    for (let i = 0; i < nodes.length; i++) part[nodes[i]] = id
    return
  }
  const best = bestSplit(ctx, nodes, k, rand, jitter)
  if (!best) {
    const id = next.id++
    for (let i = 0; i < nodes.length; i++) part[nodes[i]] = id
    return
  }
  recursiveBisect(ctx, best.a, best.kA, rand, jitter, part, next)
  recursiveBisect(ctx, best.b, k - best.kA, rand, jitter, part, next)
}

function bestSplit(ctx: Ctx, nodes: Int32Array, k: number, rand: () => number, jitter: boolean): Candidate | null {
  const { px, py, w } = ctx
  const m = nodes.length
  let W = 0
  let cx = 0
  let cy = 0
  for (let i = 0; i < m; i++) {
    const v = nodes[i]
    W += w[v]
    cx += px[v]
    cy += py[v]
  }
  cx /= m
  cy /= m
  // Principal axis of the node cloud (unweighted: zero-weight units still shape the region).
  let sxx = 0
  let syy = 0
  let sxy = 0
  for (let i = 0; i < m; i++) {
    const dx = px[nodes[i]] - cx
    const dy = py[nodes[i]] - cy
    sxx += dx * dx
    syy += dy * dy
    sxy += dx * dy
  }
  const theta = 0.5 * Math.atan2(2 * sxy, sxx - syy)
  const offsets = m > 20000 ? [0, Math.PI / 2] : [0, Math.PI / 4, Math.PI / 2, (3 * Math.PI) / 4]
  const turn = jitter ? (rand() - 0.5) * (Math.PI / 4) : 0
  const kAs = k % 2 === 0 ? [k / 2] : [(k - 1) / 2, (k + 1) / 2]

  ctx.stamp.a++
  const inSet = ctx.stamp.a
  for (let i = 0; i < m; i++) ctx.markA[nodes[i]] = inSet
  const order = new Int32Array(m)

  let best: Candidate | null = null
  for (const off of offsets) {
    for (const dir of [1, -1]) {
      for (const kA of kAs) {
        const c = grow(ctx, nodes, inSet, order, theta + off + turn, dir, W, k, kA)
        if (c && (!best || c.score < best.score)) best = c
      }
    }
  }
  return best
}

function grow(
  ctx: Ctx,
  nodes: Int32Array,
  inSet: number,
  order: Int32Array,
  angle: number,
  dir: number,
  W: number,
  k: number,
  kA: number,
): Candidate | null {
  const { px, py, w, usable, markA, markB, markC, band } = ctx
  const { xadj, adjncy, edgeLength } = ctx.g
  const m = nodes.length
  const kB = k - kA
  const ca = Math.cos(angle) * dir
  const sa = Math.sin(angle) * dir
  let lo = Math.max(kA * band.min, W - kB * band.max)
  let hi = Math.min(kA * band.max, W - kB * band.min)
  let tA = (W * kA) / k
  if (lo > hi) lo = hi = tA
  tA = Math.min(hi, Math.max(lo, tA))

  let seed = nodes[0]
  let seedKey = Infinity
  for (let i = 0; i < m; i++) {
    const v = nodes[i]
    const key = ca * px[v] + sa * py[v]
    if (key < seedKey) {
      seedKey = key
      seed = v
    }
  }
  const seen = ++ctx.stamp.b
  heap.clear()
  heap.push(seed, seedKey)
  markB[seed] = seen
  let L = 0
  let wsum = 0
  let bestL = -1
  let bestDiff = Infinity
  while (heap.size > 0) {
    const v = heap.pop()
    order[L++] = v
    wsum += w[v]
    if (L >= kA && m - L >= kB) {
      const d = Math.abs(wsum - tA)
      if (d < bestDiff) {
        bestDiff = d
        bestL = L
      }
    }
    // Weights are non-negative: past the target the miss can only grow.
    if (wsum > tA && bestL > 0) break
    for (let e = xadj[v]; e < xadj[v + 1]; e++) {
      const u = adjncy[e]
      if (usable[e] && markA[u] === inSet && markB[u] !== seen) {
        markB[u] = seen
        heap.push(u, ca * px[u] + sa * py[u])
      }
    }
  }
  if (bestL < 0) return null

  const sideA = ++ctx.stamp.c
  for (let i = 0; i < bestL; i++) markC[order[i]] = sideA

  // Pieces of B: all but the heaviest join A.
  const q = ctx.queue
  const visited = ++ctx.stamp.b
  let tail = 0
  let keepStart = -1
  let keepEnd = -1
  let keepW = -1
  for (let i = 0; i < m; i++) {
    const s = nodes[i]
    if (markC[s] === sideA || markB[s] === visited) continue
    const start = tail
    let head = tail
    q[tail++] = s
    markB[s] = visited
    let pw = 0
    while (head < tail) {
      const v = q[head++]
      pw += w[v]
      for (let e = xadj[v]; e < xadj[v + 1]; e++) {
        const u = adjncy[e]
        if (usable[e] && markA[u] === inSet && markC[u] !== sideA && markB[u] !== visited) {
          markB[u] = visited
          q[tail++] = u
        }
      }
    }
    if (pw > keepW || (pw === keepW && tail - start > keepEnd - keepStart)) {
      keepW = pw
      keepStart = start
      keepEnd = tail
    }
  }
  for (let i = 0; i < tail; i++) if (i < keepStart || i >= keepEnd) markC[q[i]] = sideA
  const nB = keepEnd - keepStart
  const nA = m - nB
  if (nA < kA || nB < kB || nB === 0) return null

  const a = new Int32Array(nA)
  const b = new Int32Array(nB)
  let ia = 0
  let ib = 0
  let wA = 0
  let cut = 0
  for (let i = 0; i < m; i++) {
    const v = nodes[i]
    if (markC[v] === sideA) {
      a[ia++] = v
      wA += w[v]
      for (let e = xadj[v]; e < xadj[v + 1]; e++) {
        const u = adjncy[e]
        if (usable[e] && markA[u] === inSet && markC[u] !== sideA) cut += edgeLength[e] > 0 ? edgeLength[e] : 0
      }
    } else b[ib++] = v
  }
  const wB = W - wA
  const t = band.target > 0 ? band.target : 1
  const rv = Math.max(0, lo - wA, wA - hi)
  const mean = W / k
  const dA = (wA / kA - mean) / t
  const dB = (wB / kB - mean) / t
  const score =
    (1000 * rv) / t + dA * dA * kA + dB * dB * kB + (CUT_WEIGHT * cut) / (ctx.meanEdgeLen * Math.sqrt(m))
  return { a, b, kA, score }
}
