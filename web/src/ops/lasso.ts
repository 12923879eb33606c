/**
 * Lasso (freehand polygon) selection on the units' centres: a unit is in the lasso when the centre of
 * its box lies inside the ring (even-odd rule). Plain arrays of numbers, no map library; O(units) with
 * a bounding-box test first, well under a millisecond on 10k units.
 */

/** A ring of [lng, lat] (EPSG:4326) or screen points; closed or not, the last edge is implied. */
export type Ring = ReadonlyArray<readonly [number, number]>

/** Whether (x, y) lies inside the ring (even-odd; a point exactly on an edge may fall either way). */
export function pointInRing(x: number, y: number, ring: Ring): boolean {
  return inFlatRing(x, y, flatten(ring))
}

/** The ring as one Float64Array (x0, y0, x1, y1, …): the hot loop reads numbers, not small arrays. */
function flatten(ring: Ring): Float64Array {
  const f = new Float64Array(ring.length * 2)
  ring.forEach(([x, y], i) => {
    f[i * 2] = x
    f[i * 2 + 1] = y
  })
  return f
}

function inFlatRing(x: number, y: number, r: Float64Array): boolean {
  let inside = false
  const n = r.length
  for (let i = 0, j = n - 2; i < n; j = i, i += 2) {
    const xi = r[i]!, yi = r[i + 1]!, xj = r[j]!, yj = r[j + 1]!
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
  const r = flatten(ring)
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity
  for (let i = 0; i < r.length; i += 2) {
    x0 = Math.min(x0, r[i]!)
    x1 = Math.max(x1, r[i]!)
    y0 = Math.min(y0, r[i + 1]!)
    y1 = Math.max(y1, r[i + 1]!)
  }
  const out: number[] = []
  const n = centres.length / 2
  for (let u = 0; u < n; u++) {
    const x = centres[u * 2]!, y = centres[u * 2 + 1]!
    // NaN fails every comparison, so units without geometry drop out here
    if (!(x >= x0 && x <= x1 && y >= y0 && y <= y1)) continue
    if (inFlatRing(x, y, r)) out.push(u)
  }
  return out
}

/** Centre of each unit's box (boxes: 4 numbers per unit; centres: 2), NaN where the box is unknown. */
export function boxCentres(boxes: Float64Array): Float64Array {
  const n = boxes.length / 4
  const c = new Float64Array(n * 2)
  for (let u = 0; u < n; u++) {
    c[u * 2] = (boxes[u * 4]! + boxes[u * 4 + 2]!) / 2
    c[u * 2 + 1] = (boxes[u * 4 + 1]! + boxes[u * 4 + 3]!) / 2
  }
  return c
}

/** Appends a pointer position to a lasso being drawn unless it is within `minStep` pixels of the last one. */
export function extendLasso(points: Array<[number, number]>, x: number, y: number, minStep = 3): boolean {
  const last = points[points.length - 1]
  if (last && Math.hypot(x - last[0], y - last[1]) < minStep) return false
  points.push([x, y])
  return true
}
