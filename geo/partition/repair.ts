/**
 * Repair of parts still out of band after greedy refinement. Single-node moves stall when every
 * movable boundary node is weightless or a cut vertex of its part (a narrow neck, a heavy block in the
 * way): no one move changes the count of out-of-band parts. Here a whole connected group moves at once:
 * it grows inside the donor part in breadth-first layers from the receiver's boundary (so the group
 * plus the receiver stays connected), and the shortest prefix that lowers the cost and leaves the
 * donor connected is moved. Each out-of-band part tries every neighbour, as donor or as receiver.
 */
import type { Ctx } from './context.js'
import { partCost } from './refine.js'

const GROUP_LIMIT = 400

export function repair(ctx: Ctx, nodes: Int32Array, part: Int32Array, partW: Float64Array, partN: Int32Array, k: number): number {
  const { band } = ctx
  let fixed = 0
  for (let round = 0; round < 3; round++) {
    let changed = false
    for (let p = 0; p < k; p++) {
      const wp = partW[p]
      if (wp >= band.min && wp <= band.max) continue
      const over = wp > band.max
      for (const q of neighbourParts(ctx, nodes, part, p)) {
        const ok = over ? moveGroup(ctx, nodes, part, partW, partN, p, q) : moveGroup(ctx, nodes, part, partW, partN, q, p)
        if (ok) {
          changed = true
          fixed++
          break
        }
      }
    }
    if (!changed) break
  }
  return fixed
}

function neighbourParts(ctx: Ctx, nodes: Int32Array, part: Int32Array, p: number): number[] {
  const { usable } = ctx
  const { xadj, adjncy } = ctx.g
  const seen = new Set<number>()
  for (let i = 0; i < nodes.length; i++) {
    const v = nodes[i]
    if (part[v] !== p) continue
    for (let e = xadj[v]; e < xadj[v + 1]; e++) {
      const q = part[adjncy[e]]
      if (usable[e] && q !== p && q >= 0) seen.add(q)
    }
  }
  return [...seen].sort((a, b) => a - b)
}

/** Moves the shortest improving connected group from donor d to receiver r; false if none. */
function moveGroup(
  ctx: Ctx,
  nodes: Int32Array,
  part: Int32Array,
  partW: Float64Array,
  partN: Int32Array,
  d: number,
  r: number,
): boolean {
  const { usable, w, markC } = ctx
  const { xadj, adjncy } = ctx.g
  const before = partCost(partW[d], ctx) + partCost(partW[r], ctx)
  // Breadth-first layers inside d, starting from d's nodes that touch r.
  const inGroup = ++ctx.stamp.c
  const order: number[] = []
  for (let i = 0; i < nodes.length; i++) {
    const v = nodes[i]
    if (part[v] !== d) continue
    for (let e = xadj[v]; e < xadj[v + 1]; e++) {
      if (usable[e] && part[adjncy[e]] === r) {
        markC[v] = inGroup
        order.push(v)
        break
      }
    }
  }
  let head = 0
  let wS = 0
  let bestCost = before - 1e-9
  let bestL = -1
  while (head < order.length && head < GROUP_LIMIT && order.length < partN[d]) {
    const v = order[head++]
    wS += w[v]
    const after = partCost(partW[d] - wS, ctx) + partCost(partW[r] + wS, ctx)
    if (after < bestCost && head < partN[d] && restConnected(ctx, nodes, part, d, order, head, partN[d])) {
      bestCost = after
      bestL = head
      break
    }
    for (let e = xadj[v]; e < xadj[v + 1]; e++) {
      const u = adjncy[e]
      if (usable[e] && part[u] === d && markC[u] !== inGroup) {
        markC[u] = inGroup
        order.push(u)
      }
    }
  }
  if (bestL < 0) return false
  for (let i = 0; i < bestL; i++) {
    const v = order[i]
    part[v] = r
    partW[d] -= w[v]
    partW[r] += w[v]
    partN[d]--
    partN[r]++
  }
  return true
}

/** Is part d minus the first L nodes of order still connected (and non-empty)? */
function restConnected(ctx: Ctx, nodes: Int32Array, part: Int32Array, d: number, order: number[], L: number, size: number): boolean {
  const { usable, markB, queue } = ctx
  const { xadj, adjncy } = ctx.g
  const removed = ++ctx.stamp.b
  for (let i = 0; i < L; i++) markB[order[i]] = removed
  let start = -1
  for (let i = 0; i < nodes.length && start < 0; i++) if (part[nodes[i]] === d && markB[nodes[i]] !== removed) start = nodes[i]
  if (start < 0) return false
  const seen = ++ctx.stamp.b
  // Removed nodes carry the older stamp, so they are neither "seen" nor walked through.
  for (let i = 0; i < L; i++) markB[order[i]] = seen
  let head = 0
  let tail = 0
  queue[tail++] = start
  markB[start] = seen
  while (head < tail) {
    const v = queue[head++]
    for (let e = xadj[v]; e < xadj[v + 1]; e++) {
      const u = adjncy[e]
      if (usable[e] && part[u] === d && markB[u] !== seen) {
        markB[u] = seen
        queue[tail++] = u
      }
    }
  }
  return tail === size - L
}
