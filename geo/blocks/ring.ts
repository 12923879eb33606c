/**
 * Small planar ring helpers (lng, lat treated as a plane; used for topology, never for measured areas).
 * Rings are closed: first point repeated last.
 */

/** Shoelace area in degrees²: positive for counter-clockwise rings. */
export function signedArea(ring: ArrayLike<ArrayLike<number>>): number {
  let a = 0
  for (let i = 0; i + 1 < ring.length; i++) {
    a += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1]
  }
  return a / 2
}

/** Even-odd crossing test; a point exactly on the boundary may go either way. */
export function pointInRing(px: number, py: number, ring: ArrayLike<ArrayLike<number>>): boolean {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const xi = ring[i][0]
    const yi = ring[i][1]
    const xj = ring[j][0]
    const yj = ring[j][1]
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

/** Point in a polygon given as [shell, ...holes] (even-odd over all rings). */
export function pointInPolygonRings(px: number, py: number, rings: ArrayLike<ArrayLike<ArrayLike<number>>>): boolean {
  let inside = false
  for (let r = 0; r < rings.length; r++) if (pointInRing(px, py, rings[r])) inside = !inside
  return inside
}

/**
 * A point strictly inside a polygon (JTS's InteriorPointArea idea): cut the polygon with a horizontal
 * line at a height no vertex has, and take the middle of the widest inside interval. A centroid can
 * fall outside a concave block or into its hole; this cannot.
 */
export function pointOnSurface(rings: ArrayLike<ArrayLike<ArrayLike<number>>>): [number, number] {
  const shell = rings[0]
  let minY = Infinity
  let maxY = -Infinity
  for (let i = 0; i < shell.length; i++) {
    if (shell[i][1] < minY) minY = shell[i][1]
    if (shell[i][1] > maxY) maxY = shell[i][1]
  }
  const cy = (minY + maxY) / 2
  let lo = minY
  let hi = maxY
  for (let r = 0; r < rings.length; r++) {
    const ring = rings[r]
    for (let i = 0; i < ring.length; i++) {
      const vy = ring[i][1]
      if (vy <= cy && vy > lo) lo = vy
      if (vy > cy && vy < hi) hi = vy
    }
  }
  const y = (lo + hi) / 2
  const xs: number[] = []
  for (let r = 0; r < rings.length; r++) {
    const ring = rings[r]
    for (let i = 0; i + 1 < ring.length; i++) {
      const y0 = ring[i][1]
      const y1 = ring[i + 1][1]
      if (y0 > y !== y1 > y) {
        xs.push(ring[i][0] + ((y - y0) / (y1 - y0)) * (ring[i + 1][0] - ring[i][0]))
      }
    }
  }
  xs.sort((a, b) => a - b)
  let best = -1
  let bestX = shell[0][0]
  for (let i = 0; i + 1 < xs.length; i += 2) {
    const w = xs[i + 1] - xs[i]
    if (w > best) {
      best = w
      bestX = (xs[i] + xs[i + 1]) / 2
    }
  }
  return [bestX, y]
}

/** [minX, minY, maxX, maxY] of a ring. */
export function ringBounds(ring: ArrayLike<ArrayLike<number>>): [number, number, number, number] {
  let minX = Infinity
  let minY = Infinity
  let maxX = -Infinity
  let maxY = -Infinity
  for (let i = 0; i < ring.length; i++) {
    const p = ring[i]
    if (p[0] < minX) minX = p[0]
    if (p[1] < minY) minY = p[1]
    if (p[0] > maxX) maxX = p[0]
    if (p[1] > maxY) maxY = p[1]
  }
  return [minX, minY, maxX, maxY]
}
