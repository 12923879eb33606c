/**
 * Self-intersection test of a polygon's rings: every pair of non-adjacent segments, found through a
 * Flatbush index of segment boxes when the polygon is large, brute force when it is small (the index
 * costs more than it saves below a few dozen segments). Coordinates: lng, lat; exact float predicates.
 */
import Flatbush from 'flatbush'
import type { Position } from 'geojson'

export interface RingHit {
  ringA: number
  ringB: number
  /** Both segments belong to one ring. */
  same: boolean
  at: Position
}

type Kind = 'cross' | 'touch' | 'overlap' | null

function orient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  const v = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
  return v > 0 ? 1 : v < 0 ? -1 : 0
}
function onSeg(ax: number, ay: number, bx: number, by: number, px: number, py: number): boolean {
  return Math.min(ax, bx) <= px && px <= Math.max(ax, bx) && Math.min(ay, by) <= py && py <= Math.max(ay, by)
}

/** How segments ab and cd meet: interiors cross, touch at a point, overlap along a piece, or not at all. */
export function segmentsMeet(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): Kind {
  const o1 = orient(ax, ay, bx, by, cx, cy)
  const o2 = orient(ax, ay, bx, by, dx, dy)
  const o3 = orient(cx, cy, dx, dy, ax, ay)
  const o4 = orient(cx, cy, dx, dy, bx, by)
  if (o1 === 0 && o2 === 0) {
    // collinear: overlap of positive length, a shared point, or apart
    const useX = ax !== bx
    const [p0, p1] = useX ? [Math.min(ax, bx), Math.max(ax, bx)] : [Math.min(ay, by), Math.max(ay, by)]
    const [q0, q1] = useX ? [Math.min(cx, dx), Math.max(cx, dx)] : [Math.min(cy, dy), Math.max(cy, dy)]
    const lo = Math.max(p0, q0)
    const hi = Math.min(p1, q1)
    return hi > lo ? 'overlap' : hi === lo ? 'touch' : null
  }
  if (o1 * o2 < 0 && o3 * o4 < 0) return 'cross'
  if (o1 === 0 && onSeg(ax, ay, bx, by, cx, cy)) return 'touch'
  if (o2 === 0 && onSeg(ax, ay, bx, by, dx, dy)) return 'touch'
  if (o3 === 0 && onSeg(cx, cy, dx, dy, ax, ay)) return 'touch'
  if (o4 === 0 && onSeg(cx, cy, dx, dy, bx, by)) return 'touch'
  return null
}

function meetPoint(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): Position {
  const den = (bx - ax) * (dy - cy) - (by - ay) * (dx - cx)
  if (den === 0) return [cx, cy]
  const t = ((cx - ax) * (dy - cy) - (cy - ay) * (dx - cx)) / den
  return [ax + t * (bx - ax), ay + t * (by - ay)]
}

const BRUTE_FORCE_BELOW = 48

/**
 * Intersections between segments of open, deduplicated rings (no repeated closing vertex).
 * Within one ring any contact of non-adjacent segments counts; between rings only crossings and
 * overlaps count (OGC allows rings to touch at a point).
 */
export function ringIntersections(rings: Position[][], max = 16): RingHit[] {
  let m = 0
  for (const r of rings) m += r.length
  const ring = new Int32Array(m)
  const idx = new Int32Array(m)
  const len = new Int32Array(m)
  const co = new Float64Array(m * 4)
  let s = 0
  rings.forEach((r, k) => {
    const n = r.length
    for (let i = 0; i < n; i++, s++) {
      const a = r[i]
      const b = r[(i + 1) % n]
      ring[s] = k
      idx[s] = i
      len[s] = n
      co[4 * s] = a[0]
      co[4 * s + 1] = a[1]
      co[4 * s + 2] = b[0]
      co[4 * s + 3] = b[1]
    }
  })
  const hits: RingHit[] = []
  const test = (i: number, j: number) => {
    if (j <= i) return
    const same = ring[i] === ring[j]
    if (same) {
      const d = idx[j] - idx[i]
      if (d === 1 || d === len[i] - 1) return // neighbours share a vertex
    }
    const k = segmentsMeet(co[4 * i], co[4 * i + 1], co[4 * i + 2], co[4 * i + 3], co[4 * j], co[4 * j + 1], co[4 * j + 2], co[4 * j + 3])
    if (!k || (!same && k === 'touch')) return
    hits.push({
      ringA: ring[i],
      ringB: ring[j],
      same,
      at: meetPoint(co[4 * i], co[4 * i + 1], co[4 * i + 2], co[4 * i + 3], co[4 * j], co[4 * j + 1], co[4 * j + 2], co[4 * j + 3]),
    })
  }
  if (m < BRUTE_FORCE_BELOW) {
    for (let i = 0; i < m && hits.length < max; i++) for (let j = i + 1; j < m && hits.length < max; j++) test(i, j)
    return hits
  }
  const index = new Flatbush(m)
  for (let i = 0; i < m; i++) {
    index.add(
      Math.min(co[4 * i], co[4 * i + 2]),
      Math.min(co[4 * i + 1], co[4 * i + 3]),
      Math.max(co[4 * i], co[4 * i + 2]),
      Math.max(co[4 * i + 1], co[4 * i + 3]),
    )
  }
  index.finish()
  for (let i = 0; i < m && hits.length < max; i++) {
    const found = index.search(
      Math.min(co[4 * i], co[4 * i + 2]),
      Math.min(co[4 * i + 1], co[4 * i + 3]),
      Math.max(co[4 * i], co[4 * i + 2]),
      Math.max(co[4 * i + 1], co[4 * i + 3]),
    )
    for (const j of found) if (hits.length < max) test(i, j)
  }
  return hits
}
