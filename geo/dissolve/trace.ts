/**
 * Traces the boundary of one part from the directed ring edges of its units (unit on the left).
 * Edges shared by two units of the part appear once in each direction and cancel; what remains is the
 * part's boundary, walked into rings taking the leftmost turn at every vertex, so parts that touch
 * themselves at a point give separate simple rings instead of a figure eight. The leftmost rule instead
 * folds a hole that touches the outer boundary at a point into the outer walk, so every walk is then
 * split at repeated vertices: each loop is simple and its orientation says outer (CCW) or hole (CW).
 */
import type { Topology } from './topology.js'

/** Rings of canonical vertex ids (unit on the left: outer rings CCW, holes CW). */
export function traceRings(topo: Topology, rings: ArrayLike<number>): { rings: number[][]; broken: number } {
  const { ringOff, ringVerts, vx, vy } = topo
  const V = vx.length
  // Count directed edges; an edge cancels against one in the opposite direction.
  const count = new Map<number, number>()
  for (let q = 0; q < rings.length; q++) {
    const r = rings[q]
    const s = ringOff[r], e = ringOff[r + 1]
    for (let k = s; k < e; k++) {
      const a = ringVerts[k], b = ringVerts[k + 1 < e ? k + 1 : s]
      const back = b * V + a
      const c = count.get(back)
      if (c) {
        if (c === 1) count.delete(back)
        else count.set(back, c - 1)
      } else count.set(a * V + b, (count.get(a * V + b) ?? 0) + 1)
    }
  }
  // Outgoing boundary edges per vertex.
  const from: number[] = []
  const to: number[] = []
  for (const [key, c] of count) {
    const a = Math.floor(key / V), b = key - a * V
    for (let i = 0; i < c; i++) {
      from.push(a)
      to.push(b)
    }
  }
  const E = from.length
  const order = Array.from({ length: E }, (_, i) => i).sort((i, j) => from[i] - from[j] || to[i] - to[j])
  const out = new Map<number, number[]>()
  for (const i of order) {
    const list = out.get(from[i])
    if (list) list.push(i)
    else out.set(from[i], [i])
  }
  const used = new Uint8Array(E)
  const result: number[][] = []
  let broken = 0
  for (const first of order) {
    if (used[first]) continue
    used[first] = 1
    const ring = [from[first]]
    let cur = first
    let ok = true
    while (to[cur] !== from[first]) {
      const b = to[cur]
      ring.push(b)
      const dx = vx[b] - vx[from[cur]], dy = vy[b] - vy[from[cur]]
      let best = -1, bestTurn = -Infinity
      for (const c of out.get(b) ?? []) {
        if (used[c]) continue
        const ox = vx[to[c]] - vx[b], oy = vy[to[c]] - vy[b]
        const turn = Math.atan2(dx * oy - dy * ox, dx * ox + dy * oy)
        if (turn > bestTurn) {
          bestTurn = turn
          best = c
        }
      }
      if (best < 0) {
        ok = false
        break
      }
      used[best] = 1
      cur = best
    }
    if (ok && ring.length >= 3) for (const simple of splitAtRepeats(ring)) result.push(simple)
    else broken++
  }
  return { rings: result, broken }
}

/** Signed area (m²) of a ring of canonical vertex ids, positive when counter-clockwise. */
export function idRingArea(topo: Topology, ring: number[]): number {
  const { vx, vy } = topo
  const x0 = vx[ring[0]], y0 = vy[ring[0]]
  let a = 0
  for (let i = 1; i + 1 < ring.length; i++) {
    a += (vx[ring[i]] - x0) * (vy[ring[i + 1]] - y0) - (vx[ring[i + 1]] - x0) * (vy[ring[i]] - y0)
  }
  return a / 2
}

/** Even–odd point-in-ring test. */
export function pointInIdRing(topo: Topology, ring: number[], x: number, y: number): boolean {
  const { vx, vy } = topo
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const xi = vx[ring[i]], yi = vy[ring[i]], xj = vx[ring[j]], yj = vy[ring[j]]
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

/** Length (m) of a ring of canonical vertex ids. */
export function idRingLength(topo: Topology, ring: number[]): number {
  const { vx, vy } = topo
  let len = 0
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i], b = ring[(i + 1) % ring.length]
    len += Math.hypot(vx[b] - vx[a], vy[b] - vy[a])
  }
  return len
}

/** Splits a closed walk into simple loops at every repeated vertex (loops of < 3 vertices are spikes, dropped). */
export function splitAtRepeats(walk: number[]): number[][] {
  const loops: number[][] = []
  const path: number[] = []
  const at = new Map<number, number>()
  for (const v of walk) {
    const i = at.get(v)
    if (i !== undefined) {
      const loop = path.splice(i + 1)
      for (const u of loop) at.delete(u)
      loop.unshift(v)
      if (loop.length >= 3) loops.push(loop)
    } else {
      at.set(v, path.length)
      path.push(v)
    }
  }
  if (path.length >= 3) loops.push(path)
  return loops
}
