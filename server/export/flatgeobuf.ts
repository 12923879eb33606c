import { magicbytes } from 'flatgeobuf/lib/mjs/constants.js'
import { buildHeader } from 'flatgeobuf/lib/mjs/generic/featurecollection.js'
import { buildFeature } from 'flatgeobuf/lib/mjs/generic/feature.js'
import { parseGeometry } from 'flatgeobuf/lib/mjs/geojson/geometry.js'
import { ColumnType, GeometryType } from 'flatgeobuf/lib/mjs/generic.js'
import type { HeaderMeta } from 'flatgeobuf'
import type { MultiPolygon } from 'geojson'
import type { Column, ExportRow } from './columns.js'
import { properties } from './values.js'

const TYPES: Record<Column['kind'], ColumnType> = {
  text: ColumnType.String,
  int: ColumnType.Long,
  float: ColumnType.Double,
  bool: ColumnType.Bool,
}

const EMPTY: MultiPolygon = { type: 'MultiPolygon', coordinates: [] }
const CHUNK = 256 * 1024

/**
 * FlatGeobuf (MultiPolygon, EPSG:4326) written feature by feature with the library's own header and
 * feature builders. No spatial index: an index needs every feature's box before the first feature,
 * which a streamed export does not have; readers then scan, which is what an export is read for.
 * `count` is the number of features announced in the header.
 */
export async function* flatgeobufChunks(rows: AsyncIterable<ExportRow>, columns: readonly Column[], count: number, title: string): AsyncGenerator<Uint8Array> {
  const header: HeaderMeta = {
    geometryType: GeometryType.MultiPolygon,
    columns: columns.map((c) => ({
      name: c.name, type: TYPES[c.kind], title: null, description: null, width: -1, precision: -1, scale: -1,
      nullable: true, unique: false, primary_key: false,
    })),
    envelope: null,
    featuresCount: count,
    indexNodeSize: 0,
    crs: null,
    title,
    description: null,
    metadata: null,
  }
  let parts: Uint8Array[] = [magicbytes, buildHeader(header, 4326)]
  let size = 0
  for await (const row of rows) {
    const geom = row.geometry ? (JSON.parse(row.geometry) as MultiPolygon) : EMPTY
    const f = buildFeature(parseGeometry(geom), properties(row, columns), header)
    parts.push(f)
    size += f.length
    if (size >= CHUNK) {
      yield Buffer.concat(parts)
      parts = []
      size = 0
    }
  }
  yield Buffer.concat(parts)
}
