/**
 * Rebalance mode: start from an existing plan and change as little as possible.
 *
 * 1. The initial parts, cut to this piece and split into connected pieces, are the starting state.
 * 2. If some are out of band, greedy refinement runs on those parts and their neighbours only, with a
 *    penalty for every node that leaves its initial part (so only moves that fix the band or clearly
 *    even out weights happen).
 * 3. If a fixable part is still out of band — e.g. it must split in two — the out-of-band parts and
 *    their neighbours are partitioned afresh, widening the ring of neighbours up to RINGS times and
 *    finally to the whole piece, until the band is met.
 * 4. Result parts take over the initial id they share most nodes with (greedy by overlap), so
 *    untouched parts keep their ids and the caller can count moved units.
 */
import { inBand } from './band.js'
import { components, type Ctx } from './context.js'
import { partitionPiece, piecePartCount, type PieceResult } from './engine.js'
import { DEFAULT_CUT_WEIGHT, refine } from './refine.js'
import { mixSeed, mulberry32 } from './rng.js'

const RINGS = 3
const MOVE_PENALTY = 0.02

export function rebalancePiece(
  ctx: Ctx,
  nodes: Int32Array,
  initial: Int32Array,
  seed: number,
  pieceKey: number,
  part: Int32Array,
): PieceResult {
  const m = nodes.length
  const status = piecePartCount(ctx, nodes).status
  let k = splitInitial(ctx, nodes, initial, part)
  const startK = k
  const start = new Int32Array(m)
  for (let i = 0; i < m; i++) start[i] = part[nodes[i]]
  let { partW, partN } = weigh(ctx, nodes, part, k)
  let bad = fixableBad(ctx, nodes, part, partW, k)
  if (bad.length > 0) {
    const origin = new Int32Array(ctx.n)
    for (let i = 0; i < m; i++) origin[nodes[i]] = part[nodes[i]]
    const movable = ring(ctx, nodes, part, k, bad, 1)
    const rand = mulberry32(mixSeed(seed, pieceKey, 0x5eed))
    refine(ctx, nodes, part, partW, partN, rand, {
      passes: 40,
      cutWeight: DEFAULT_CUT_WEIGHT,
      movable,
      origin,
      movePenalty: MOVE_PENALTY,
    })
    bad = fixableBad(ctx, nodes, part, partW, k)
  }
  // Only worth redrawing when the piece as a whole can meet the band.
  if (bad.length > 0 && status === 'ok') {
    const saved = new Int32Array(m)
    for (let i = 0; i < m; i++) saved[i] = part[nodes[i]]
    const savedK = k
    for (let r = 1; r <= RINGS + 1; r++) {
      const region = r <= RINGS ? ring(ctx, nodes, part, k, bad, r) : new Uint8Array(k).fill(1)
      // Redrawn parts take new ids; compact so the emptied old ids do not count as light parts.
      k = compact(nodes, part, redraw(ctx, nodes, part, k, region, seed, pieceKey, r))
      ;({ partW, partN } = weigh(ctx, nodes, part, k))
      if (fixableBad(ctx, nodes, part, partW, k).length === 0) break
      if (r <= RINGS) {
        for (let i = 0; i < m; i++) part[nodes[i]] = saved[i]
        k = savedK
      }
    }
  }
  // Moving units is only worth it when the band is met better than before.
  k = compact(nodes, part, k)
  ;({ partW } = weigh(ctx, nodes, part, k))
  const before = bandScore(ctx, weigh(ctx, nodes, start, startK, true).partW)
  const after = bandScore(ctx, partW)
  if (after.out > before.out || (after.out === before.out && after.violation >= before.violation - 1e-9)) {
    for (let i = 0; i < m; i++) part[nodes[i]] = start[i]
    k = compact(nodes, part, startK)
  }
  const local = new Int32Array(m)
  for (let i = 0; i < m; i++) local[i] = part[nodes[i]]
  return { local, k, status, pref: matchInitial(nodes, local, k, initial) }
}

/** Initial labels cut to the piece and split into connected pieces; unlabelled nodes form their own. */
function splitInitial(ctx: Ctx, nodes: Int32Array, initial: Int32Array, part: Int32Array): number {
  const { usable, markA, queue } = ctx
  const { xadj, adjncy } = ctx.g
  const seen = ++ctx.stamp.a
  let k = 0
  for (let i = 0; i < nodes.length; i++) {
    const s = nodes[i]
    if (markA[s] === seen) continue
    const label = initial[s] >= 0 ? initial[s] : -1
    let head = 0
    let tail = 0
    queue[tail++] = s
    markA[s] = seen
    while (head < tail) {
      const v = queue[head++]
      part[v] = k
      for (let e = xadj[v]; e < xadj[v + 1]; e++) {
        const u = adjncy[e]
        const lu = initial[u] >= 0 ? initial[u] : -1
        if (usable[e] && markA[u] !== seen && lu === label) {
          markA[u] = seen
          queue[tail++] = u
        }
      }
    }
    k++
  }
  return k
}

/** Part weights; `local` when part is parallel to nodes rather than indexed by node id. */
function weigh(ctx: Ctx, nodes: Int32Array, part: Int32Array, k: number, local = false) {
  const partW = new Float64Array(k)
  const partN = new Int32Array(k)
  for (let i = 0; i < nodes.length; i++) {
    const p = part[local ? i : nodes[i]]
    partW[p] += ctx.w[nodes[i]]
    partN[p]++
  }
  return { partW, partN }
}

function bandScore(ctx: Ctx, partW: Float64Array): { out: number; violation: number } {
  let out = 0
  let violation = 0
  for (const w of partW) {
    if (inBand(w, ctx.band)) continue
    out++
    violation += w < ctx.band.min ? ctx.band.min - w : w - ctx.band.max
  }
  return { out, violation }
}

/** Out-of-band parts that a redraw could fix (a part holding a unit heavier than max cannot be). */
function fixableBad(ctx: Ctx, nodes: Int32Array, part: Int32Array, partW: Float64Array, k: number): number[] {
  const heavy = new Uint8Array(k)
  for (let i = 0; i < nodes.length; i++) if (ctx.w[nodes[i]] > ctx.band.max) heavy[part[nodes[i]]] = 1
  const out: number[] = []
  for (let p = 0; p < k; p++) if (!heavy[p] && !inBand(partW[p], ctx.band)) out.push(p)
  return out
}

/** Parts within r steps of a bad part in the part adjacency graph. */
function ring(ctx: Ctx, nodes: Int32Array, part: Int32Array, k: number, bad: number[], r: number): Uint8Array {
  const inRing = new Uint8Array(k)
  for (const p of bad) inRing[p] = 1
  const { xadj, adjncy } = ctx.g
  for (let step = 0; step < r; step++) {
    const add: number[] = []
    for (let i = 0; i < nodes.length; i++) {
      const v = nodes[i]
      if (!inRing[part[v]]) continue
      for (let e = xadj[v]; e < xadj[v + 1]; e++) {
        if (ctx.usable[e] && !inRing[part[adjncy[e]]]) add.push(part[adjncy[e]])
      }
    }
    if (add.length === 0) break
    for (const p of add) inRing[p] = 1
  }
  return inRing
}

/** Partitions the nodes of the flagged parts afresh, blob by blob; returns the new part count. */
function redraw(
  ctx: Ctx,
  nodes: Int32Array,
  part: Int32Array,
  k: number,
  region: Uint8Array,
  seed: number,
  pieceKey: number,
  r: number,
): number {
  const keep = new Uint8Array(ctx.n)
  for (let i = 0; i < nodes.length; i++) if (region[part[nodes[i]]]) keep[nodes[i]] = 1
  // The engine treats a neighbour's part id as comparable, so parts outside the region are hidden
  // behind negative ids while blobs are drawn (refinement skips negative parts), then restored.
  for (let i = 0; i < nodes.length; i++) if (!keep[nodes[i]]) part[nodes[i]] = -1 - part[nodes[i]]
  const { members } = components(ctx, keep)
  const drawn: [Int32Array, Int32Array][] = []
  for (let b = 0; b < members.length; b++) {
    const res = partitionPiece(ctx, members[b], mixSeed(seed, r), mixSeed(pieceKey, b), part)
    drawn.push([members[b], Int32Array.from(res.local, (p) => p + k)])
    k += res.k
  }
  for (let i = 0; i < nodes.length; i++) if (!keep[nodes[i]]) part[nodes[i]] = -1 - part[nodes[i]]
  for (const [blob, ids] of drawn) for (let i = 0; i < blob.length; i++) part[blob[i]] = ids[i]
  return k
}

function compact(nodes: Int32Array, part: Int32Array, k: number): number {
  const map = new Int32Array(k).fill(-1)
  let next = 0
  for (let i = 0; i < nodes.length; i++) {
    const p = part[nodes[i]]
    if (map[p] < 0) map[p] = next++
    part[nodes[i]] = map[p]
  }
  return next
}

/** Each local part takes the initial id it overlaps most, each id used once (greedy by overlap). */
function matchInitial(nodes: Int32Array, local: Int32Array, k: number, initial: Int32Array): Int32Array {
  const overlap = new Map<number, Map<number, number>>()
  for (let i = 0; i < nodes.length; i++) {
    const label = initial[nodes[i]]
    if (label < 0) continue
    let row = overlap.get(local[i])
    if (!row) overlap.set(local[i], (row = new Map()))
    row.set(label, (row.get(label) ?? 0) + 1)
  }
  const pairs: [number, number, number][] = []
  for (const [p, row] of overlap) for (const [label, c] of row) pairs.push([c, p, label])
  pairs.sort((a, b) => b[0] - a[0] || a[1] - b[1] || a[2] - b[2])
  const pref = new Int32Array(k).fill(-1)
  const used = new Set<number>()
  for (const [, p, label] of pairs) {
    if (pref[p] >= 0 || used.has(label)) continue
    pref[p] = label
    used.add(label)
  }
  return pref
}
