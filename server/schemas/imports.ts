import { Type, type Static } from 'typebox'

export const IMPORT_LAYERS = ['district', 'jurisdictions', 'communities', 'units', 'barriers', 'stations', 'events'] as const
export type ImportLayer = (typeof IMPORT_LAYERS)[number]
export const IMPORT_FORMATS = ['geojson', 'shapefile', 'csv', 'osm'] as const
export type ImportFormat = (typeof IMPORT_FORMATS)[number]

/** Which attribute of the file holds what; every member is a property (or CSV column) name. */
export const FieldMapping = Type.Object(
  {
    id: Type.Optional(Type.String({ minLength: 1, description: 'unique id (units: ext_id; areas: code). Default: the feature id, else "id"/"code"' })),
    name: Type.Optional(Type.String({ minLength: 1, description: 'name; default "name"' })),
    population: Type.Optional(Type.String({ minLength: 1, description: 'units: population; default "population"' })),
    households: Type.Optional(Type.String({ minLength: 1, description: 'units: households; default "households"' })),
    parent: Type.Optional(Type.String({ minLength: 1, description: 'code of the parent area (units → community, communities and stations → jurisdiction)' })),
    kind: Type.Optional(Type.String({ minLength: 1, description: 'kind column (barriers, stations, events, areas); default "kind"' })),
    date: Type.Optional(Type.String({ minLength: 1, description: 'events: date column (YYYY-MM-DD); default "date"' })),
    hard: Type.Optional(Type.String({ minLength: 1, description: 'barriers: hard flag column (true/false/1/0); default "hard"' })),
    lon: Type.Optional(Type.String({ minLength: 1, description: 'CSV: longitude column' })),
    lat: Type.Optional(Type.String({ minLength: 1, description: 'CSV: latitude column' })),
  },
  { additionalProperties: false },
)
export type FieldMapping = Static<typeof FieldMapping>

/** The options of one import, as parsed (CLI flags, multipart fields or query string). */
export const ImportOptions = Type.Object(
  {
    layer: Type.Union([
      Type.Literal('district'),
      Type.Literal('jurisdictions'),
      Type.Literal('communities'),
      Type.Literal('units'),
      Type.Literal('barriers'),
      Type.Literal('stations'),
      Type.Literal('events'),
    ]),
    format: Type.Union([Type.Literal('geojson'), Type.Literal('shapefile'), Type.Literal('csv'), Type.Literal('osm')]),
    mode: Type.Optional(Type.Union([Type.Literal('reject'), Type.Literal('repair')], { default: 'reject' })),
    crs: Type.Optional(
      Type.Union([Type.Literal('wgs84'), Type.Literal('gcj02'), Type.Literal('bd09')], {
        description: 'datum of the coordinates; gcj02/bd09 are converted to WGS84 and recorded',
      }),
    ),
    district: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'district code; required except for layer=district' })),
    mapping: Type.Optional(FieldMapping),
  },
  { additionalProperties: false },
)
export type ImportOptions = Static<typeof ImportOptions>

/** The same options as text (query string or multipart fields); `mapping` is JSON. */
export const ImportFields = Type.Object(
  {
    layer: Type.Optional(Type.String()),
    format: Type.Optional(Type.String()),
    mode: Type.Optional(Type.String()),
    crs: Type.Optional(Type.String()),
    district: Type.Optional(Type.String()),
    mapping: Type.Optional(Type.String({ description: 'JSON object, e.g. {"id":"GEOID","population":"pop"}' })),
  },
  { additionalProperties: false },
)
export type ImportFields = Static<typeof ImportFields>

export const ImportProblem = Type.Object({
  index: Type.Integer({ description: '0-based feature or CSV row; -1 for the whole file' }),
  id: Type.Union([Type.String(), Type.Number(), Type.Null()]),
  code: Type.String({ description: 'stable reason code (geo/validate ProblemCode)' }),
  severity: Type.Union([Type.Literal('error'), Type.Literal('repairable'), Type.Literal('notice')]),
  message: Type.String(),
  field: Type.Optional(Type.String()),
})
export type ImportProblem = Static<typeof ImportProblem>

export const ImportRepair = Type.Object({
  index: Type.Integer(),
  id: Type.Union([Type.String(), Type.Number(), Type.Null()]),
  changes: Type.Array(Type.String()),
})
export type ImportRepair = Static<typeof ImportRepair>

export const ImportReport = Type.Object({
  read: Type.Integer({ description: 'features (or rows) read' }),
  imported: Type.Integer(),
  bytes: Type.Integer(),
  /** Problems that never fail an import (e.g. winding), by code. */
  notices: Type.Record(Type.String(), Type.Integer()),
  noticeExamples: Type.Array(ImportProblem),
  repairs: Type.Array(ImportRepair),
  repairedFeatures: Type.Integer(),
  crsConversion: Type.Union([Type.Literal('gcj02'), Type.Literal('bd09'), Type.Null()]),
  source: Type.Record(Type.String(), Type.Unknown(), { description: 'what the reader found: encoding, .prj, CSV columns, OSM ways' }),
  durationMs: Type.Number(),
})
export type ImportReport = Static<typeof ImportReport>

export const ImportRecord = Type.Object({
  id: Type.Integer(),
  districtId: Type.Union([Type.Integer(), Type.Null()]),
  layer: Type.String(),
  format: Type.String(),
  filename: Type.Union([Type.String(), Type.Null()]),
  features: Type.Integer(),
  mode: Type.String(),
  crsConversion: Type.Union([Type.String(), Type.Null()]),
  report: ImportReport,
  createdAt: Type.String(),
})
export type ImportRecord = Static<typeof ImportRecord>

export const ImportJob = Type.Object({
  job: Type.String({ format: 'uuid' }),
  status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('cancelled')]),
  progress: Type.Number(),
  import: Type.Optional(ImportRecord),
  error: Type.Optional(Type.Unknown({ description: 'the error body the synchronous path would have answered' })),
})
export type ImportJob = Static<typeof ImportJob>

export const ImportParams = Type.Object({
  id: Type.String({ pattern: '^([0-9]{1,15}|[0-9a-fA-F-]{36})$', description: 'import id, or the job id of a large import' }),
})
export type ImportParams = Static<typeof ImportParams>
