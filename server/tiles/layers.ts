/** Plan layers (per plan version) and base-map layers (whole database) served as vector tiles. */
export type PlanTileLayer = 'units' | 'grids' | 'cells'
export type BaseTileLayer = 'jurisdictions' | 'communities' | 'barriers' | 'stations' | 'events'
export const PLAN_TILE_LAYERS: readonly PlanTileLayer[] = ['units', 'grids', 'cells']
export const BASE_TILE_LAYERS: readonly BaseTileLayer[] = ['jurisdictions', 'communities', 'barriers', 'stations', 'events']

/** Tile grid shared by both backends (ST_AsMVT and geojson-vt): extent 4096, 64-unit buffer, z 0–18. */
export const EXTENT = 4096
export const BUFFER = 64
export const MAX_ZOOM = 18
/** MapLibre's MIME type for Mapbox Vector Tiles. */
export const MVT_TYPE = 'application/vnd.mapbox-vector-tile'
