import type { Column } from './columns.js'
import { columnValue } from './values.js'

/**
 * dBase III (.dbf) fields and records for a Shapefile, text in UTF-8 (declared by the .cpg beside it, so
 * Chinese names survive in ArcGIS, QGIS and GDAL). Text fields are as wide as their longest value in bytes.
 */
interface Field {
  col: Column
  type: 'C' | 'N' | 'L'
  width: number
  decimals: number
}

export class DbfLayout {
  readonly fields: Field[]
  readonly recordLength: number
  readonly headerLength: number

  /** `textWidths`: longest UTF-8 byte length per text column (clamped to 1..254). */
  constructor(columns: readonly Column[], textWidths: Record<string, number>) {
    this.fields = columns.map((col) => {
      switch (col.kind) {
        case 'text':
          return { col, type: 'C', width: Math.min(254, Math.max(1, textWidths[col.name] ?? 1)), decimals: 0 }
        case 'int':
          return { col, type: 'N', width: 18, decimals: 0 }
        case 'float':
          return { col, type: 'N', width: 24, decimals: 6 }
        case 'bool':
          return { col, type: 'L', width: 1, decimals: 0 }
      }
    })
    this.recordLength = 1 + this.fields.reduce((s, f) => s + f.width, 0)
    this.headerLength = 32 + 32 * this.fields.length + 1
  }

  /** The file header for `records` records (written first as a placeholder, patched at the end). */
  header(records: number, now = new Date()): Buffer {
    const b = Buffer.alloc(this.headerLength)
    b[0] = 0x03
    b[1] = now.getUTCFullYear() - 1900
    b[2] = now.getUTCMonth() + 1
    b[3] = now.getUTCDate()
    b.writeUInt32LE(records, 4)
    b.writeUInt16LE(this.headerLength, 8)
    b.writeUInt16LE(this.recordLength, 10)
    this.fields.forEach((f, i) => {
      const o = 32 + 32 * i
      b.write(f.col.name, o, 10, 'latin1')
      b.write(f.type, o + 11, 1, 'latin1')
      b[o + 16] = f.width
      b[o + 17] = f.decimals
    })
    b[this.headerLength - 1] = 0x0d
    return b
  }

  record(row: Record<string, unknown>): Buffer {
    const b = Buffer.alloc(this.recordLength, 0x20)
    let o = 1
    for (const f of this.fields) {
      const v = columnValue(row, f.col)
      if (v !== null) {
        if (f.type === 'C') utf8Into(b, o, String(v), f.width)
        else if (f.type === 'L') b.write(v ? 'T' : 'F', o, 1, 'latin1')
        else {
          const s = (f.decimals ? Number(v).toFixed(f.decimals) : String(Math.round(Number(v)))).slice(0, f.width)
          b.write(s.padStart(f.width, ' '), o, f.width, 'latin1')
        }
      } else if (f.type === 'L') b.write('?', o, 1, 'latin1')
      o += f.width
    }
    return b
  }
}

/** Writes `s` as UTF-8 at `o`, cut to `width` bytes at a character boundary (never half a character). */
function utf8Into(b: Buffer, o: number, s: string, width: number) {
  const bytes = Buffer.from(s, 'utf8')
  let n = Math.min(bytes.length, width)
  if (n < bytes.length) while (n > 0 && (bytes[n] & 0xc0) === 0x80) n--
  bytes.copy(b, o, 0, n)
}

export const DBF_EOF = Buffer.from([0x1a])
