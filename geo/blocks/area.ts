/** The area input of geo/blocks: a (Multi)Polygon feature or bare geometry, lng/lat. */
import type { Feature, MultiPolygon, Polygon } from 'geojson'
import type { Rings } from './assign.js'

export type AreaFeature = Feature<Polygon | MultiPolygon> | Polygon | MultiPolygon

/** Polygons of the area as ring arrays. */
export function areaPolygons(area: AreaFeature): Rings[] {
  const g = 'geometry' in area ? area.geometry : area
  return g.type === 'Polygon' ? [g.coordinates] : g.coordinates
}
