/**
 * Converts unit polygons to flat typed arrays of projected rings, once, at the edge of geo/graph, so the
 * hot loops (segment matching, areas, dissolve) run on numbers instead of nested GeoJSON arrays.
 */
import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson'
import { localProjection, type LocalProjection } from './project.js'

export interface RingSet {
  /** Number of features (graph nodes). */
  n: number
  proj: LocalProjection
  /** Projected vertices in metres, ring after ring; the closing vertex of each ring is dropped. */
  px: Float64Array
  py: Float64Array
  /** Vertex range of ring r: [ringStart[r], ringStart[r + 1]). */
  ringStart: Int32Array
  /** Feature that owns ring r. */
  ringOwner: Int32Array
  /** 1 when ring r is a hole (not the first ring of its polygon). */
  ringHole: Uint8Array
  /** Rings of feature i: [featRing[i], featRing[i + 1]). */
  featRing: Int32Array
  /** Bounding box of feature i in metres: minX, minY, maxX, maxY at 4i. NaN when empty. */
  bbox: Float64Array
  /** Features without a usable ring (null geometry, wrong type, fewer than 3 distinct vertices). */
  empty: number[]
}

type UnitFeature = Feature<Polygon | MultiPolygon | null>

function polygonsOf(f: UnitFeature): Position[][][] {
  const g = f.geometry
  if (!g) return []
  if (g.type === 'Polygon') return [g.coordinates]
  if (g.type === 'MultiPolygon') return g.coordinates
  return []
}

function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v)
}

/** Data bbox in degrees over every vertex, ignoring non-finite coordinates. */
export function lngLatBBox(fc: FeatureCollection<Polygon | MultiPolygon | null>): [number, number, number, number] {
  let a = Infinity, b = Infinity, c = -Infinity, d = -Infinity
  for (const f of fc.features) {
    for (const poly of polygonsOf(f as UnitFeature)) {
      for (const ring of poly) {
        for (const p of ring) {
          const x = p[0], y = p[1]
          if (!isNum(x) || !isNum(y)) continue
          if (x < a) a = x
          if (x > c) c = x
          if (y < b) b = y
          if (y > d) d = y
        }
      }
    }
  }
  return [a, b, c, d]
}

/**
 * Flattens the polygons of `fc` (lng, lat, EPSG:4326) into projected rings (metres).
 * Consecutive duplicate vertices are dropped so that every segment has a positive length.
 */
export function flattenRings(fc: FeatureCollection<Polygon | MultiPolygon | null>, proj?: LocalProjection): RingSet {
  const n = fc.features.length
  const p = proj ?? localProjection(lngLatBBox(fc))
  let vCap = 0
  let rCap = 0
  for (const f of fc.features) {
    for (const poly of polygonsOf(f as UnitFeature)) {
      rCap += poly.length
      for (const ring of poly) vCap += ring.length
    }
  }
  const px = new Float64Array(vCap)
  const py = new Float64Array(vCap)
  const ringStart = new Int32Array(rCap + 1)
  const ringOwner = new Int32Array(rCap)
  const ringHole = new Uint8Array(rCap)
  const featRing = new Int32Array(n + 1)
  const bbox = new Float64Array(4 * n).fill(NaN)
  const empty: number[] = []
  let v = 0
  let r = 0
  for (let i = 0; i < n; i++) {
    featRing[i] = r
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity
    for (const poly of polygonsOf(fc.features[i] as UnitFeature)) {
      for (let k = 0; k < poly.length; k++) {
        const ring = poly[k]
        const start = v
        for (const q of ring) {
          const lng = q[0], lat = q[1]
          if (!isNum(lng) || !isNum(lat)) continue
          const x = (lng - p.lng0) * p.kx
          const y = (lat - p.lat0) * p.ky
          if (v > start && px[v - 1] === x && py[v - 1] === y) continue
          px[v] = x
          py[v] = y
          v++
        }
        // Drop the closing vertex (and any trailing repeats of the first one).
        while (v - start > 1 && px[v - 1] === px[start] && py[v - 1] === py[start]) v--
        if (v - start < 3) {
          // A hole that degenerates is simply dropped; a degenerate outer ring drops its whole polygon.
          v = start
          if (k === 0) break
          continue
        }
        for (let j = start; j < v; j++) {
          if (px[j] < minX) minX = px[j]
          if (px[j] > maxX) maxX = px[j]
          if (py[j] < minY) minY = py[j]
          if (py[j] > maxY) maxY = py[j]
        }
        ringStart[r] = start
        ringOwner[r] = i
        ringHole[r] = k === 0 ? 0 : 1
        r++
      }
    }
    if (r === featRing[i]) empty.push(i)
    else {
      bbox[4 * i] = minX
      bbox[4 * i + 1] = minY
      bbox[4 * i + 2] = maxX
      bbox[4 * i + 3] = maxY
    }
  }
  featRing[n] = r
  ringStart[r] = v
  return {
    n,
    proj: p,
    px: px.subarray(0, v),
    py: py.subarray(0, v),
    ringStart: ringStart.subarray(0, r + 1),
    ringOwner: ringOwner.subarray(0, r),
    ringHole: ringHole.subarray(0, r),
    featRing,
    bbox,
    empty,
  }
}

/** Signed shoelace area of ring r in m² (positive when counter-clockwise). */
export function ringSignedArea(rs: RingSet, r: number): number {
  const s = rs.ringStart[r], e = rs.ringStart[r + 1]
  const { px, py } = rs
  // Relative to the first vertex, to keep precision on rings far from the origin.
  const x0 = px[s], y0 = py[s]
  let a = 0
  for (let j = s + 1; j < e - 1; j++) {
    a += (px[j] - x0) * (py[j + 1] - y0) - (px[j + 1] - x0) * (py[j] - y0)
  }
  return a / 2
}

/** Length of ring r in metres. */
export function ringLength(rs: RingSet, r: number): number {
  const s = rs.ringStart[r], e = rs.ringStart[r + 1]
  const { px, py } = rs
  let len = 0
  for (let j = s; j < e; j++) {
    const k = j + 1 < e ? j + 1 : s
    len += Math.hypot(px[k] - px[j], py[k] - py[j])
  }
  return len
}
