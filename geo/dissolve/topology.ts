/**
 * Snaps unit rings into one shared topology, so neighbouring units have identical boundaries:
 * 1. vertices closer than the tolerance merge into one (union–find over an x-sorted sweep);
 * 2. a vertex closer than the tolerance to another unit's segment is inserted into that segment
 *    (T-junctions: one side of a boundary has a vertex the other side lacks).
 * After this, a boundary shared by two units is the same chain of vertex ids run in opposite
 * directions, which is what lets dissolve cancel internal edges exactly and leave no sliver.
 */
import Flatbush from 'flatbush'
import { ringSignedArea, type RingSet } from '../graph/rings.js'

export interface Topology {
  /** Canonical vertex positions in metres (index = canonical vertex id). */
  vx: Float64Array
  vy: Float64Array
  /** Ring r as canonical vertex ids: ringVerts[ringOff[r] .. ringOff[r + 1]), oriented with the unit on the
   *  left (outer rings counter-clockwise, holes clockwise), without consecutive repeats. */
  ringOff: Int32Array
  ringVerts: Int32Array
  /** Vertices merged and vertices inserted into other units' segments. */
  merged: number
  inserted: number
}

function find(parent: Int32Array, i: number): number {
  while (parent[i] !== i) {
    parent[i] = parent[parent[i]]
    i = parent[i]
  }
  return i
}

export function snapTopology(rs: RingSet, tol: number): Topology {
  const { px, py, ringStart, ringOwner } = rs
  const m = px.length
  const rings = ringStart.length - 1
  const vertOwner = new Int32Array(m)
  const segEnd = new Int32Array(m)
  for (let r = 0; r < rings; r++) {
    for (let k = ringStart[r]; k < ringStart[r + 1]; k++) {
      vertOwner[k] = ringOwner[r]
      segEnd[k] = k + 1 < ringStart[r + 1] ? k + 1 : ringStart[r]
    }
  }

  // 1. Merge vertices within tol: sweep in x order, union pairs closer than tol.
  const parent = new Int32Array(m)
  for (let i = 0; i < m; i++) parent[i] = i
  const order = new Int32Array(m)
  for (let i = 0; i < m; i++) order[i] = i
  order.sort((a, b) => px[a] - px[b] || py[a] - py[b])
  const tol2 = tol * tol
  let merged = 0
  for (let a = 0; a < m; a++) {
    const i = order[a]
    for (let b = a + 1; b < m; b++) {
      const j = order[b]
      if (px[j] - px[i] > tol) break
      const dy = py[j] - py[i]
      if (dy > tol || dy < -tol) continue
      const dx = px[j] - px[i]
      if (dx * dx + dy * dy > tol2) continue
      const ri = find(parent, i), rj = find(parent, j)
      if (ri !== rj) {
        // The lower index wins, so the result does not depend on the sort's tie order.
        if (ri < rj) parent[rj] = ri
        else parent[ri] = rj
        if (px[i] !== px[j] || py[i] !== py[j]) merged++
      }
    }
  }
  // Canonical ids 0..V-1 in order of first appearance.
  const canon = new Int32Array(m).fill(-1)
  const id = new Int32Array(m)
  let V = 0
  for (let i = 0; i < m; i++) {
    const r = find(parent, i)
    if (canon[r] === -1) canon[r] = V++
    id[i] = canon[r]
  }
  const vx = new Float64Array(V)
  const vy = new Float64Array(V)
  for (let i = 0; i < m; i++) {
    const r = find(parent, i)
    vx[id[i]] = px[r]
    vy[id[i]] = py[r]
  }

  // 2. T-junctions: vertex of one unit near the inside of another unit's segment.
  const insertAt: number[][] = []
  let inserted = 0
  if (m > 0) {
    const index = new Flatbush(m)
    for (let k = 0; k < m; k++) {
      const a = id[k], b = id[segEnd[k]]
      index.add(Math.min(vx[a], vx[b]), Math.min(vy[a], vy[b]), Math.max(vx[a], vx[b]), Math.max(vy[a], vy[b]))
    }
    index.finish()
    const done = new Set<number>()
    for (let k = 0; k < m; k++) {
      const v = id[k]
      const x = vx[v], y = vy[v]
      index.search(x - tol, y - tol, x + tol, y + tol, (s) => {
        if (vertOwner[s] === vertOwner[k]) return false
        const a = id[s], b = id[segEnd[s]]
        if (a === v || b === v || a === b) return false
        const ex = vx[b] - vx[a], ey = vy[b] - vy[a]
        const len2 = ex * ex + ey * ey
        const t = ((x - vx[a]) * ex + (y - vy[a]) * ey) / len2
        if (t <= 0 || t >= 1) return false
        const qx = vx[a] + t * ex - x, qy = vy[a] + t * ey - y
        if (qx * qx + qy * qy > tol2) return false
        const key = s * V + v
        if (done.has(key)) return false
        done.add(key)
        ;(insertAt[s] ??= []).push(t, v)
        inserted++
        return false
      })
    }
  }

  // 3. Rings as canonical ids with insertions, oriented unit-on-the-left.
  const off: number[] = [0]
  const verts: number[] = []
  for (let r = 0; r < rings; r++) {
    const start = verts.length
    for (let k = ringStart[r]; k < ringStart[r + 1]; k++) {
      push(verts, start, id[k])
      const ins = insertAt[k]
      if (ins) {
        const idx = Array.from({ length: ins.length / 2 }, (_, q) => q).sort((p, q) => ins[2 * p] - ins[2 * q])
        for (const q of idx) push(verts, start, ins[2 * q + 1])
      }
    }
    while (verts.length - start > 1 && verts[verts.length - 1] === verts[start]) verts.pop()
    if (verts.length - start < 3) verts.length = start
    else {
      const ccw = ringSignedArea(rs, r) >= 0
      if (ccw === !!rs.ringHole[r]) reverse(verts, start)
    }
    off.push(verts.length)
  }
  return { vx, vy, ringOff: Int32Array.from(off), ringVerts: Int32Array.from(verts), merged, inserted }
}

function push(verts: number[], start: number, v: number): void {
  if (verts.length > start && verts[verts.length - 1] === v) return
  verts.push(v)
}

function reverse(a: number[], start: number): void {
  for (let i = start, j = a.length - 1; i < j; i++, j--) {
    const t = a[i]
    a[i] = a[j]
    a[j] = t
  }
}
