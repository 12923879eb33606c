/**
 * Segment geometry for adjacency in the local plane (metres): how much of one boundary segment another
 * runs along within a tolerance, and how much of a boundary piece lies within a distance of barrier lines.
 *
 * Why intervals rather than exact equality of vertices: real unit layers have tiny gaps and overlaps
 * and vertices that do not match across neighbours (one side has a vertex the other lacks). Two segments
 * "share" the part of segment A where B's line is within `tol` of A and B's extent projects onto A; this
 * is robust to all three defects, and gives ~0 for corner touches because there the segments diverge.
 */

/** Interval [lo, hi] of t with lo0 <= c0 + c1·t <= hi0, intersected with [out[0], out[1]] in place. */
function clipLinear(c0: number, c1: number, lo0: number, hi0: number, out: Float64Array): void {
  if (Math.abs(c1) < 1e-12) {
    if (c0 < lo0 || c0 > hi0) out[1] = out[0] - 1
    return
  }
  let a = (lo0 - c0) / c1
  let b = (hi0 - c0) / c1
  if (a > b) {
    const t = a
    a = b
    b = t
  }
  if (a > out[0]) out[0] = a
  if (b < out[1]) out[1] = b
}

/**
 * Portion of segment A = (ax, ay)->(bx, by) along which segment C = (cx, cy)->(dx, dy) runs within `tol`.
 * Writes the interval of distance along A (metres from A's start) to out[0..1] and returns its length (0
 * when none). Segments crossing at an angle give at most ~tol·cot(angle), so callers drop tiny totals.
 */
export function sharedInterval(
  ax: number, ay: number, bx: number, by: number,
  cx: number, cy: number, dx: number, dy: number,
  tol: number, out: Float64Array,
): number {
  return sharedRun(ax, ay, bx, by, cx, cy, dx, dy, tol, out)
}

/**
 * sharedInterval that also gives C's offset along the interval: writes t0, t1 to out[0..1] and the
 * signed distance of C's line from A at distance t along A, s(t) = out[2] + out[3]·t, to out[2..3]
 * (`out` must hold 4 numbers). Returns the interval's length (0 when none).
 */
export function sharedRun(
  ax: number, ay: number, bx: number, by: number,
  cx: number, cy: number, dx: number, dy: number,
  tol: number, out: Float64Array,
): number {
  const ex = bx - ax, ey = by - ay
  const len = Math.hypot(ex, ey)
  if (len === 0) return 0
  const ux = ex / len, uy = ey / len
  const tc = (cx - ax) * ux + (cy - ay) * uy
  const td = (dx - ax) * ux + (dy - ay) * uy
  const dt = td - tc
  // C perpendicular to A (or a point): it cannot run along A.
  if (Math.abs(dt) < 1e-9) return 0
  const sc = ux * (cy - ay) - uy * (cx - ax)
  const sd = ux * (dy - ay) - uy * (dx - ax)
  out[0] = Math.max(0, Math.min(tc, td))
  out[1] = Math.min(len, Math.max(tc, td))
  if (out[1] <= out[0]) return 0
  // Signed offset of C's line from A's, as a linear function of t: s(t) = s0 + s1·t.
  const s1 = (sd - sc) / dt
  clipLinear(sc - s1 * tc, s1, -tol, tol, out)
  if (out.length >= 4) {
    out[2] = sc - s1 * tc
    out[3] = s1
  }
  return out[1] > out[0] ? out[1] - out[0] : 0
}

/**
 * Interval of t (out[0..1], pre-set by the caller to the t range of interest) where the point
 * (px + ux·t, py + uy·t), u a unit vector, lies within r of segment Q = (qx0, qy0)->(qx1, qy1).
 * The set of such t is one interval because a capsule is convex; it is the union of the strip test
 * and the two end-disc tests. Returns false when empty.
 */
export function capsuleInterval(
  px: number, py: number, ux: number, uy: number,
  qx0: number, qy0: number, qx1: number, qy1: number,
  r: number, out: Float64Array,
): boolean {
  const lo = out[0], hi = out[1]
  let best0 = Infinity, best1 = -Infinity
  const wx = qx1 - qx0, wy = qy1 - qy0
  const m = Math.hypot(wx, wy)
  const ox = px - qx0, oy = py - qy0
  if (m > 0) {
    const vx = wx / m, vy = wy / m
    out[0] = -Infinity
    out[1] = Infinity
    clipLinear(ox * vx + oy * vy, ux * vx + uy * vy, 0, m, out)
    clipLinear(vx * oy - vy * ox, vx * uy - vy * ux, -r, r, out)
    if (out[1] >= out[0]) {
      best0 = out[0]
      best1 = out[1]
    }
  }
  for (let e = 0; e < 2; e++) {
    const dx = e === 0 ? ox : px - qx1
    const dy = e === 0 ? oy : py - qy1
    const b = dx * ux + dy * uy
    const disc = b * b - (dx * dx + dy * dy) + r * r
    if (disc < 0) continue
    const s = Math.sqrt(disc)
    if (-b - s < best0) best0 = -b - s
    if (-b + s > best1) best1 = -b + s
  }
  out[0] = Math.max(lo, best0)
  out[1] = Math.min(hi, best1)
  return out[1] > out[0]
}
