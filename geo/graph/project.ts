/**
 * Local equirectangular projection: lng, lat (EPSG:4326, degrees) -> x, y in metres.
 *
 * Why this projection: a district spans a few tens of kilometres, over which the scale error of an
 * equirectangular projection centred on the data's mid-latitude stays below ~0.5 % (it grows with the
 * north–south extent as tan(lat0)·Δlat). That is far below the uncertainty of the unit polygons and costs
 * two multiplications per vertex, so every length and area in geo/ is measured in this plane. Shared
 * vertices map to identical points, so adjacency is unaffected by the choice.
 */

/** Mean Earth radius in metres (IUGG). */
export const EARTH_RADIUS_M = 6371008.8
const DEG = Math.PI / 180

export interface LocalProjection {
  /** Origin of the plane, degrees. */
  lng0: number
  lat0: number
  /** Metres per degree of longitude (at lat0) and of latitude. */
  kx: number
  ky: number
}

/** Projection centred on the bbox centre [minLng, minLat, maxLng, maxLat] (degrees). */
export function localProjection(bbox: ArrayLike<number>): LocalProjection {
  const lng0 = (bbox[0] + bbox[2]) / 2
  const lat0 = (bbox[1] + bbox[3]) / 2
  const ky = EARTH_RADIUS_M * DEG
  const kx = ky * Math.cos(lat0 * DEG)
  return { lng0: Number.isFinite(lng0) ? lng0 : 0, lat0: Number.isFinite(lat0) ? lat0 : 0, kx: Number.isFinite(kx) ? kx : ky, ky }
}

/** lng/lat degrees -> metres in the projection's plane. */
export function toPlane(p: LocalProjection, lng: number, lat: number): [number, number] {
  return [(lng - p.lng0) * p.kx, (lat - p.lat0) * p.ky]
}

/** Metres in the plane -> lng/lat degrees. */
export function fromPlane(p: LocalProjection, x: number, y: number): [number, number] {
  return [p.lng0 + x / p.kx, p.lat0 + y / p.ky]
}
