import type { AssignmentRow } from '../repo/exports.js'

const CHUNK = 64 * 1024
export const CSV_HEADER = ['unit_id', 'grid_id', 'grid_code', 'cell_code'] as const

/** RFC 4180 field: quoted only when it holds a comma, quote, line break or edge space. Ids stay text. */
function field(v: string | number | null): string {
  if (v === null) return ''
  const s = String(v)
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/**
 * The assignment CSV `unit_id,grid_id,grid_code,cell_code` with a header and CRLF line ends, unassigned
 * units with empty grid and cell. `bom` prefixes a UTF-8 byte order mark so Excel reads Chinese text as UTF-8.
 */
export async function* csvChunks(rows: AsyncIterable<AssignmentRow>, opts: { bom?: boolean } = {}): AsyncGenerator<string> {
  let out = (opts.bom ? '\uFEFF' : '') + CSV_HEADER.join(',') + '\r\n'
  for await (const r of rows) {
    out += `${field(r.unit_id)},${field(r.grid_id)},${field(r.grid_code)},${field(r.cell_code)}\r\n`
    if (out.length >= CHUNK) {
      yield out
      out = ''
    }
  }
  yield out
}
