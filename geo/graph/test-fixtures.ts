/**
 * Small hand-made unit layers for tests, drawn in metres around (120°E, 40°N) and converted to lng/lat
 * with the same equirectangular scale the graph uses, so a 0.2 m gap stays 0.2 m.
 */
import type { Feature, FeatureCollection, LineString, Polygon, Position } from 'geojson'
import { EARTH_RADIUS_M } from './project.js'

const LNG0 = 120
const LAT0 = 40
const KY = (EARTH_RADIUS_M * Math.PI) / 180
const KX = KY * Math.cos((LAT0 * Math.PI) / 180)

/** Metres east/north of the fixture origin -> lng, lat. */
export function ll(x: number, y: number): Position {
  return [LNG0 + x / KX, LAT0 + y / KY]
}

/** lng, lat -> metres east/north of the fixture origin (inverse of ll). */
export function xy(lng: number, lat: number): [number, number] {
  return [(lng - LNG0) * KX, (lat - LAT0) * KY]
}

/** Counter-clockwise ring from metre coordinates (closed). */
export function ring(...pts: [number, number][]): Position[] {
  const r = pts.map(([x, y]) => ll(x, y))
  r.push(r[0])
  return r
}

export function rect(x0: number, y0: number, x1: number, y1: number): Position[] {
  return ring([x0, y0], [x1, y0], [x1, y1], [x0, y1])
}

export function unit(rings: Position[][], properties: Record<string, unknown> = {}): Feature<Polygon> {
  return { type: 'Feature', properties, geometry: { type: 'Polygon', coordinates: rings } }
}

export function fc<G extends Polygon | LineString>(features: Feature<G>[]): FeatureCollection<G> {
  return { type: 'FeatureCollection', features }
}

export function line(pts: [number, number][], properties: Record<string, unknown> = {}): Feature<LineString> {
  return { type: 'Feature', properties, geometry: { type: 'LineString', coordinates: pts.map(([x, y]) => ll(x, y)) } }
}

/** A rows × cols grid of size-metre squares, row-major from the south-west, with given properties. */
export function squareGrid(rows: number, cols: number, size = 100, props: (r: number, c: number) => Record<string, unknown> = () => ({})) {
  const out: Feature<Polygon>[] = []
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out.push(unit([rect(c * size, r * size, (c + 1) * size, (r + 1) * size)], props(r, c)))
  }
  return fc(out)
}
