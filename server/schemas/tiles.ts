import { Type, type Static } from 'typebox'
import { BASE_TILE_LAYERS, MAX_ZOOM } from '../tiles/layers.js'

const zxy = {
  z: Type.Integer({ minimum: 0, maximum: MAX_ZOOM, description: `zoom 0–${MAX_ZOOM}` }),
  x: Type.Integer({ minimum: 0, description: 'tile column, 0 ≤ x < 2^z' }),
  y: Type.Integer({ minimum: 0, description: 'tile row from the north (XYZ), 0 ≤ y < 2^z' }),
}

export const PlanTileParams = Type.Object({
  id: Type.Integer({ minimum: 1, description: 'plan id' }),
  layer: Type.Union([Type.Literal('units'), Type.Literal('grids'), Type.Literal('cells')]),
  ...zxy,
})
export type PlanTileParams = Static<typeof PlanTileParams>

export const BaseTileParams = Type.Object({
  layer: Type.Union(BASE_TILE_LAYERS.map((l) => Type.Literal(l))),
  ...zxy,
})
export type BaseTileParams = Static<typeof BaseTileParams>

export const TileQuery = Type.Object({})

export const TileBody = Type.String({
  format: 'binary',
  description: 'Mapbox Vector Tile (extent 4096), one layer named like the URL layer; ETag names the plan version',
})
export const EmptyTile = Type.Null({ description: 'The tile holds no feature' })
export const TileNotModified = Type.Null({ description: 'Not modified: the If-None-Match tag is current' })
