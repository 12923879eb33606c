/**
 * Coordinate reference checks and the Chinese web-map offsets. Everything stored is WGS84 lng, lat
 * (EPSG:4326); a file in metres or with lat/lng swapped is refused with what it looks like, never
 * guessed into place. GCJ-02 (AMap, Tencent) and BD-09 (Baidu) are converted only when asked.
 */
import * as gcoordModule from 'gcoord'
import type { Geometry, Position } from 'geojson'
import { ProblemCode } from './codes.js'
import type { Finding } from './geometry.js'

export type BBox = [number, number, number, number]

export function emptyBox(): BBox {
  return [Infinity, Infinity, -Infinity, -Infinity]
}

/** Extends `box` by every position of `g` (lng, lat). */
export function extendBox(box: BBox, g: Geometry): BBox {
  const visit = (a: unknown): void => {
    if (!Array.isArray(a)) return
    if (typeof a[0] === 'number') {
      const x = a[0] as number
      const y = a[1] as number
      if (x < box[0]) box[0] = x
      if (y < box[1]) box[1] = y
      if (x > box[2]) box[2] = x
      if (y > box[3]) box[3] = y
      return
    }
    for (const b of a) visit(b)
  }
  if (g.type !== 'GeometryCollection') visit(g.coordinates)
  return box
}

function looksLike(box: BBox): string {
  const ax = Math.max(Math.abs(box[0]), Math.abs(box[2]))
  const ay = Math.max(Math.abs(box[1]), Math.abs(box[3]))
  const out: string[] = []
  if (box[0] >= 1e5 && box[2] < 1e6 && box[1] >= 0 && box[3] < 1e7) out.push('UTM or Gauss–Krüger metres without zone prefix (e.g. EPSG:326xx, EPSG:4534–4554)')
  if (ax <= 20037508.35 && ay <= 20048966.1 && !out.length) out.push('Web Mercator metres (EPSG:3857)')
  if (box[0] >= 1e7 && box[2] < 1e8 && ay < 1e7) out.push('Gauss–Krüger metres with a zone prefix in the easting (e.g. CGCS2000 3-degree zones, EPSG:4513–4533)')
  return out.length ? out.join(', or ') : 'a projected system in metres or feet'
}

const fmtBox = (b: BBox) => `[${b.map((v) => +v.toPrecision(10)).join(', ')}]`

const intersects = (a: BBox, b: BBox) => a[0] <= b[2] && a[2] >= b[0] && a[1] <= b[3] && a[3] >= b[1]

/**
 * Whether a box of coordinates can be lng, lat. `expected` (the district's extent, lng, lat) lets a
 * swap be recognised even when both orders are in range (e.g. -77, 37 vs 37, -77).
 */
export function checkLonLat(box: BBox, opts: { expected?: BBox } = {}): Finding | null {
  if (!(box[0] <= box[2])) return null
  const inX = box[0] >= -180 && box[2] <= 180
  const inY = box[1] >= -90 && box[3] <= 90
  if (inX && inY) {
    const e = opts.expected
    if (e && !intersects(box, e)) {
      const swapped: BBox = [box[1], box[0], box[3], box[2]]
      if (intersects(swapped, e))
        return {
          code: ProblemCode.swappedLatLon,
          message: `coordinates ${fmtBox(box)} fall outside the district ${fmtBox(e)} but match it with lat and lng swapped; write [lng, lat] (RFC 7946)`,
        }
      return { code: ProblemCode.outsideDistrict, message: `coordinates ${fmtBox(box)} lie entirely outside the district's extent ${fmtBox(e)}` }
    }
    return null
  }
  const swappedOk = box[0] >= -90 && box[2] <= 90 && box[1] >= -180 && box[3] <= 180
  if (swappedOk)
    return {
      code: ProblemCode.swappedLatLon,
      message: `coordinates ${fmtBox(box)} have a latitude beyond ±90 but fit with lat and lng swapped; write [lng, lat] (RFC 7946)`,
    }
  return {
    code: ProblemCode.projectedCoordinates,
    message: `coordinates ${fmtBox(box)} are not lng, lat degrees; they look like ${looksLike(box)}. Reproject to EPSG:4326 (WGS84) before importing`,
  }
}

export type Datum = 'gcj02' | 'bd09'

// gcoord is CommonJS typed as an ES default export; the namespace's default is module.exports at run time.
const gcoord = gcoordModule.default as unknown as (typeof gcoordModule.default)['default']

const FROM = { gcj02: gcoord.GCJ02, bd09: gcoord.BD09 } as const

/** A copy of `g` converted from GCJ-02 or BD-09 to WGS84 (lng, lat); z values are kept. */
export function toWgs84(g: Geometry, from: Datum): Geometry {
  const conv = (p: Position): Position => {
    const [x, y] = gcoord.transform([p[0], p[1]] as [number, number], FROM[from], gcoord.WGS84) as [number, number]
    return p.length > 2 ? [x, y, ...p.slice(2)] : [x, y]
  }
  const map = (a: unknown): unknown => (typeof (a as unknown[])[0] === 'number' ? conv(a as Position) : (a as unknown[]).map(map))
  if (g.type === 'GeometryCollection') return { type: g.type, geometries: g.geometries.map((x) => toWgs84(x, from)) }
  return { ...g, coordinates: map(g.coordinates) } as Geometry
}
