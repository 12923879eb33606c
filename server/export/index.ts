import { Readable } from 'node:stream'
import type { Queryable } from '../db/index.js'
import { exportCount, exportTextWidths } from '../repo/exports.js'
import { COLUMNS, type ExportLayer } from './columns.js'
import { csvChunks } from './csv.js'
import { flatgeobufChunks } from './flatgeobuf.js'
import { geojsonChunks } from './geojson.js'
import { assignmentRows, geojsonPages, layerRows } from './rows.js'
import { shapefileZip } from './shapefile.js'

export type ExportFormat = 'geojson' | 'csv' | 'shp.zip' | 'fgb'
export const EXPORT_FORMATS: readonly ExportFormat[] = ['geojson', 'csv', 'shp.zip', 'fgb']

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  geojson: 'application/geo+json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  'shp.zip': 'application/zip',
  fgb: 'application/flatgeobuf',
}

export interface ExportRequest {
  planId: number
  version: number
  layer: ExportLayer
  format: ExportFormat
  /** CSV only: start with a UTF-8 byte order mark (for Excel). */
  bom?: boolean
}

/** Base name of the file and of the files inside a zip: `plan-12-v7-grids`. */
export function exportName(planId: number, version: number, what: string): string {
  return `plan-${planId}-v${version}-${what}`
}

/**
 * The export as a byte stream that reads the database page by page as the client reads it. The CSV is
 * the unit assignment whatever the layer. A Shapefile is first written to a temporary folder (its
 * headers need totals), then zipped as it is sent.
 */
export async function exportStream(db: Queryable, r: ExportRequest): Promise<Readable> {
  const name = exportName(r.planId, r.version, r.layer)
  const columns = COLUMNS[r.layer]
  switch (r.format) {
    case 'geojson':
      return Readable.from(geojsonChunks(geojsonPages(db, r.layer, r.planId, r.version), name))
    case 'csv':
      return Readable.from(csvChunks(assignmentRows(db, r.planId, r.version), { bom: r.bom }))
    case 'fgb': {
      const count = await exportCount(db, r.layer, r.planId)
      return Readable.from(flatgeobufChunks(layerRows(db, r.layer, r.planId, r.version), columns, count, name))
    }
    case 'shp.zip': {
      const widths = await exportTextWidths(db, r.layer, r.planId)
      return shapefileZip(layerRows(db, r.layer, r.planId, r.version), columns, widths, name)
    }
  }
}
