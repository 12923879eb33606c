/**
 * Shared state of one engine run: the graph reduced to what a part may use, projected coordinates,
 * and scratch arrays reused by every component so hot loops allocate nothing per node.
 */
import type { Graph } from '../types.js'
import type { Band } from './band.js'

export interface Ctx {
  g: Graph
  n: number
  w: Float64Array
  band: Band
  /** Local planar coordinates in metres (equirectangular around the graph's mean latitude). */
  px: Float64Array
  py: Float64Array
  /**
   * Per edge (parallel to adjncy): 1 when the edge may lie inside a part — not cut (barrier or
   * parent border), both ends in the same parent, both ends free (not locked), not a self-loop.
   * Every connectivity question in the engine walks only these edges, so no part can ever rely on
   * a cut edge or mix parents.
   */
  usable: Uint8Array
  /** Mean length of usable edges, the unit in which cut length is weighed against balance. */
  meanEdgeLen: number
  /** Scratch marks: each user bumps its own stamp instead of clearing the array. */
  markA: Int32Array
  markB: Int32Array
  markC: Int32Array
  stamp: { a: number; b: number; c: number }
  queue: Int32Array
  deadline: number
  timedOut: boolean
}

export function makeCtx(g: Graph, w: Float64Array, band: Band, lock: Int32Array | undefined, deadline: number): Ctx {
  const n = g.n
  const { xadj, adjncy, edgeCut, parent, edgeLength } = g
  const usable = new Uint8Array(adjncy.length)
  let lenSum = 0
  let lenCount = 0
  for (let v = 0; v < n; v++) {
    const freeV = !lock || lock[v] < 0
    for (let e = xadj[v]; e < xadj[v + 1]; e++) {
      const u = adjncy[e]
      if (u === v || edgeCut[e] !== 0 || parent[u] !== parent[v] || !freeV || (lock && lock[u] >= 0)) continue
      usable[e] = 1
      const len = edgeLength[e]
      if (len > 0 && Number.isFinite(len)) {
        lenSum += len
        lenCount++
      }
    }
  }
  // Equirectangular projection is plenty for choosing cut directions inside one district.
  let my = 0
  for (let i = 0; i < n; i++) my += g.y[i]
  my = n > 0 ? my / n : 0
  const kx = 111320 * Math.cos((my * Math.PI) / 180)
  const px = new Float64Array(n)
  const py = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    px[i] = g.x[i] * kx
    py[i] = g.y[i] * 110540
  }
  return {
    g,
    n,
    w,
    band,
    px,
    py,
    usable,
    meanEdgeLen: lenCount > 0 ? lenSum / lenCount : 1,
    markA: new Int32Array(n),
    markB: new Int32Array(n),
    markC: new Int32Array(n),
    stamp: { a: 0, b: 0, c: 0 },
    queue: new Int32Array(Math.max(1, n)),
    deadline,
    timedOut: false,
  }
}

export function overTime(ctx: Ctx): boolean {
  if (ctx.timedOut) return true
  if (performance.now() > ctx.deadline) ctx.timedOut = true
  return ctx.timedOut
}

/**
 * Connected components of the nodes with keep[v] = 1 over usable edges, in order of their lowest
 * node id (deterministic). Returns the component index per node (-1 for others) and the member lists.
 */
export function components(ctx: Ctx, keep: Uint8Array): { comp: Int32Array; members: Int32Array[] } {
  const { n, usable } = ctx
  const { xadj, adjncy } = ctx.g
  const comp = new Int32Array(n).fill(-1)
  const members: Int32Array[] = []
  const q = ctx.queue
  for (let s = 0; s < n; s++) {
    if (!keep[s] || comp[s] >= 0) continue
    const c = members.length
    let head = 0
    let tail = 0
    q[tail++] = s
    comp[s] = c
    while (head < tail) {
      const v = q[head++]
      for (let e = xadj[v]; e < xadj[v + 1]; e++) {
        const u = adjncy[e]
        if (usable[e] && keep[u] && comp[u] < 0) {
          comp[u] = c
          q[tail++] = u
        }
      }
    }
    const list = q.slice(0, tail)
    list.sort()
    members.push(list)
  }
  return { comp, members }
}
