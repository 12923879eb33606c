/**
 * Lasso (freehand polygon) selection on the units' centres: a unit is in the lasso when the centre of
 * its box lies inside the ring (even-odd rule). Plain arrays of numbers, no map library; O(units) with
 * a bounding-box test first, well under a millisecond on 10k units.
 */

/** A ring of [lng, lat] (EPSG:4326) or screen points; closed or not, the last edge is implied. */
export type Ring = ReadonlyArray<readonly [number, number]>

/** Whether (x, y) lies inside the ring (even-odd; a point exactly on an edge may fall either way). */
export function pointInRing(x: number, y: number, ring: Ring): boolean {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!
    const [xj, yj] = ring[j]!
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

/**
 * Indexes of the units whose centre (2 numbers per unit, in the ring's coordinates) lies inside the
 * ring, ascending. A ring of fewer than 3 points selects nothing; units with a NaN centre never match.
 */
export function unitsInRing(ring: Ring, centres: Float64Array): number[] {
  if (ring.length < 3) return []
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity
  for (const [x, y] of ring) {
    if (x < x0) x0 = x
    if (x > x1) x1 = x
    if (y < y0) y0 = y
    if (y > y1) y1 = y
  }
  const out: number[] = []
  const n = centres.length / 2
  for (let u = 0; u < n; u++) {
    const x = centres[u * 2]!, y = centres[u * 2 + 1]!
    // NaN fails every comparison, so units without geometry drop out here
    if (!(x >= x0 && x <= x1 && y >= y0 && y <= y1)) continue
    if (pointInRing(x, y, ring)) out.push(u)
  }
  return out
}

/** Appends a pointer position to a lasso being drawn unless it is within `minStep` pixels of the last one. */
export function extendLasso(points: Array<[number, number]>, x: number, y: number, minStep = 3): boolean {
  const last = points[points.length - 1]
  if (last && Math.hypot(x - last[0], y - last[1]) < minStep) return false
  points.push([x, y])
  return true
}
