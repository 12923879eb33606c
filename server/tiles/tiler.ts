import GeoJSONVT from 'geojson-vt'
import vtpbf from 'vt-pbf'
import type { Feature } from 'geojson'
import { BUFFER, EXTENT, MAX_ZOOM } from './layers.js'

/**
 * The in-process tiler (the embedded database has no ST_AsMVT): a whole layer is indexed once with
 * geojson-vt and tiles are cut from memory. Same extent, buffer and property names as ST_AsMVT.
 */
export function layerIndex(features: Feature[]): GeoJSONVT {
  return new GeoJSONVT({ type: 'FeatureCollection', features }, { maxZoom: MAX_ZOOM, indexMaxZoom: 5, extent: EXTENT, buffer: BUFFER, tolerance: 3 })
}

/**
 * One tile of an index as MVT bytes, or null when the tile holds nothing. With `props`, each feature's
 * properties are completed from it by feature id as the tile is cut (the units index carries only what no
 * edit changes: geometry, unit_id and name).
 */
export function cutTile(index: GeoJSONVT, layer: string, z: number, x: number, y: number, props?: (id: number) => object | undefined): Buffer | null {
  const tile = index.getTile(z, x, y)
  if (!tile || tile.features.length === 0) return null
  const features = props ? tile.features.map((f) => ({ ...f, tags: { ...f.tags, ...props(Number(f.id)) } })) : tile.features
  return Buffer.from(vtpbf.fromGeojsonVt({ [layer]: { ...tile, features } }, { version: 2, extent: EXTENT }))
}
