import type { Column, ExportRow } from './columns.js'
import { properties } from './values.js'

/** Chunks are flushed at about this many characters, so the socket gets few, reasonably sized writes. */
const CHUNK = 64 * 1024

/**
 * An RFC 7946 FeatureCollection as text chunks, one feature per line. Geometry text comes from the
 * database already in the right-hand rule and is spliced in as is (never parsed); `id` is the first
 * column (unit_id, grid_id or cell_id).
 */
export async function* geojsonChunks(rows: AsyncIterable<ExportRow>, columns: readonly Column[], name: string): AsyncGenerator<string> {
  let out = `{"type":"FeatureCollection","name":${JSON.stringify(name)},"features":[\n`
  let first = true
  const idCol = columns[0]
  for await (const row of rows) {
    const props = properties(row, columns)
    out += `${first ? '' : ',\n'}{"type":"Feature","id":${JSON.stringify(props[idCol.name])},"geometry":${row.geometry ?? 'null'},"properties":${JSON.stringify(props)}}`
    first = false
    if (out.length >= CHUNK) {
      yield out
      out = ''
    }
  }
  yield `${out}\n]}\n`
}
