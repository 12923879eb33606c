import { Type, type Static } from 'typebox'

export const ExportParams = Type.Object({
  id: Type.Integer({ minimum: 1, description: 'plan id' }),
  format: Type.Union([Type.Literal('geojson'), Type.Literal('csv'), Type.Literal('shp.zip'), Type.Literal('fgb')], {
    description: 'geojson (RFC 7946), csv (unit assignment), shp.zip (zipped Shapefile, UTF-8) or fgb (FlatGeobuf)',
  }),
})
export type ExportParams = Static<typeof ExportParams>

export const ExportQuery = Type.Object({
  layer: Type.Optional(
    Type.Union([Type.Literal('units'), Type.Literal('grids'), Type.Literal('cells')], {
      default: 'grids',
      description: 'which features: units, grids or cells (default grids); the CSV is always the unit assignment',
    }),
  ),
  bom: Type.Optional(Type.Boolean({ default: false, description: 'CSV only: start with a UTF-8 byte order mark so Excel reads Chinese text' })),
})
export type ExportQuery = Static<typeof ExportQuery>

export const ExportFile = Type.String({
  format: 'binary',
  description:
    'The file, streamed. Attributes: unit_id/grid_id/cell_id, code, name, parent, units, grids, population, households, weight, locked. ' +
    'CSV: unit_id,grid_id,grid_code,cell_code with a header, unit ids as text. ETag = plan id + version + layer + format.',
})

export const NotModified = Type.Null({ description: 'Not modified: the If-None-Match tag is the current version' })
