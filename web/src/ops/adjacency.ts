import type { Adjacency } from './types.js'

/**
 * Rook adjacency of unit polygons (shared boundary segment, not a corner), from GeoJSON geometry in
 * lng, lat (EPSG:4326). Units made by polygonizing roads and borders share exact vertices, so two units
 * touch when they share a segment; endpoints are snapped to `precision` decimal places (1e-6° ≈ 0.1 m)
 * and each undirected segment is hashed once. O(total vertices); run it in a worker on large plans.
 */
export function unitAdjacency(geometries: ArrayLike<GeoJSON.Geometry | null>, precision = 6): Adjacency {
  const scale = 10 ** precision
  const owner = new Map<string, number>()
  const pairs = new Set<number>()
  const n = geometries.length
  const pairKey = (a: number, b: number) => (a < b ? a * n + b : b * n + a)
  const ring = (coords: number[][], unit: number) => {
    for (let i = 0; i + 1 < coords.length; i++) {
      const ax = Math.round(coords[i]![0]! * scale), ay = Math.round(coords[i]![1]! * scale)
      const bx = Math.round(coords[i + 1]![0]! * scale), by = Math.round(coords[i + 1]![1]! * scale)
      if (ax === bx && ay === by) continue
      const key = ax < bx || (ax === bx && ay < by) ? `${ax},${ay},${bx},${by}` : `${bx},${by},${ax},${ay}`
      const other = owner.get(key)
      if (other === undefined) owner.set(key, unit)
      else if (other !== unit) pairs.add(pairKey(other, unit))
    }
  }
  for (let u = 0; u < n; u++) {
    const g = geometries[u]
    if (!g) continue
    if (g.type === 'Polygon') for (const r of g.coordinates) ring(r, u)
    else if (g.type === 'MultiPolygon') for (const p of g.coordinates) for (const r of p) ring(r, u)
  }
  const degree = new Int32Array(n)
  for (const k of pairs) {
    degree[Math.floor(k / n)]!++
    degree[k % n]!++
  }
  const xadj = new Int32Array(n + 1)
  for (let i = 0; i < n; i++) xadj[i + 1] = xadj[i]! + degree[i]!
  const fillAt = xadj.slice(0, n)
  const adjncy = new Int32Array(xadj[n]!)
  for (const k of pairs) {
    const a = Math.floor(k / n), b = k % n
    adjncy[fillAt[a]!++] = b
    adjncy[fillAt[b]!++] = a
  }
  return { xadj, adjncy }
}
