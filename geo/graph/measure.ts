/**
 * Per-unit measures in the local plane: area (m²), perimeter (m) and a representative point that lies
 * inside the unit (the centroid when it does, otherwise a point on a horizontal scanline).
 */
import { ringLength, ringSignedArea, type RingSet } from './rings.js'

/** Area in m²: outer rings count positive, holes negative, whatever the ring orientation in the data. */
export function featureArea(rs: RingSet, i: number): number {
  let a = 0
  for (let r = rs.featRing[i]; r < rs.featRing[i + 1]; r++) {
    const s = Math.abs(ringSignedArea(rs, r))
    a += rs.ringHole[r] ? -s : s
  }
  return Math.max(a, 0)
}

/** Total length of all rings (outer and holes) in metres. */
export function featurePerimeter(rs: RingSet, i: number): number {
  let p = 0
  for (let r = rs.featRing[i]; r < rs.featRing[i + 1]; r++) p += ringLength(rs, r)
  return p
}

/** Even–odd point-in-polygon over every ring of feature i (holes and multipolygon parts included). */
export function pointInFeature(rs: RingSet, i: number, x: number, y: number): boolean {
  const { px, py } = rs
  let inside = false
  for (let r = rs.featRing[i]; r < rs.featRing[i + 1]; r++) {
    const s = rs.ringStart[r], e = rs.ringStart[r + 1]
    for (let j = s, k = e - 1; j < e; k = j++) {
      if (py[j] > y !== py[k] > y && x < ((px[k] - px[j]) * (y - py[j])) / (py[k] - py[j]) + px[j]) inside = !inside
    }
  }
  return inside
}

/** Area-weighted centroid in the plane, or NaN when the area is zero. */
function centroid(rs: RingSet, i: number): [number, number] {
  const { px, py } = rs
  let cx = 0, cy = 0, a = 0
  for (let r = rs.featRing[i]; r < rs.featRing[i + 1]; r++) {
    const s = rs.ringStart[r], e = rs.ringStart[r + 1]
    const x0 = px[s], y0 = py[s]
    const signed = ringSignedArea(rs, r)
    // Orient each ring's contribution: outer positive, hole negative.
    const sign = (rs.ringHole[r] ? -1 : 1) * (signed < 0 ? -1 : 1)
    let rx = 0, ry = 0
    for (let j = s + 1; j < e - 1; j++) {
      const ax = px[j] - x0, ay = py[j] - y0, bx = px[j + 1] - x0, by = py[j + 1] - y0
      const c = ax * by - bx * ay
      rx += (ax + bx) * c
      ry += (ay + by) * c
    }
    cx += sign * (rx / 6 + x0 * signed)
    cy += sign * (ry / 6 + y0 * signed)
    a += sign * signed
  }
  return a > 0 ? [cx / a, cy / a] : [NaN, NaN]
}

/**
 * A point inside feature i: the centroid if it is inside, else the middle of the widest interior span on
 * the horizontal line through the bbox middle (a scanline; enough for the L- and U-shaped units of real data).
 */
export function representativePoint(rs: RingSet, i: number): [number, number] {
  const [cx, cy] = centroid(rs, i)
  if (Number.isFinite(cx) && pointInFeature(rs, i, cx, cy)) return [cx, cy]
  const minY = rs.bbox[4 * i + 1], maxY = rs.bbox[4 * i + 3]
  if (!Number.isFinite(minY)) return [NaN, NaN]
  const { px, py } = rs
  // Try a few scanlines; the first that crosses an interior span wins.
  for (const f of [0.5, 0.25, 0.75, 0.125, 0.875]) {
    const y = minY + (maxY - minY) * f
    const xs: number[] = []
    for (let r = rs.featRing[i]; r < rs.featRing[i + 1]; r++) {
      const s = rs.ringStart[r], e = rs.ringStart[r + 1]
      for (let j = s, k = e - 1; j < e; k = j++) {
        if (py[j] > y !== py[k] > y) xs.push(((px[k] - px[j]) * (y - py[j])) / (py[k] - py[j]) + px[j])
      }
    }
    xs.sort((a, b) => a - b)
    let best = -1, bx = NaN
    for (let j = 0; j + 1 < xs.length; j += 2) {
      if (xs[j + 1] - xs[j] > best) {
        best = xs[j + 1] - xs[j]
        bx = (xs[j] + xs[j + 1]) / 2
      }
    }
    if (best > 0) return [bx, y]
  }
  return Number.isFinite(cx) ? [cx, cy] : [(rs.bbox[4 * i] + rs.bbox[4 * i + 2]) / 2, (minY + maxY) / 2]
}
