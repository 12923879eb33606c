import type { Column } from './columns.js'

/** A row's value for a column, as the column's kind: number, boolean, string or null. */
export function columnValue(row: Record<string, unknown>, col: Column): string | number | boolean | null {
  const v = row[col.name]
  if (v === null || v === undefined) return null
  switch (col.kind) {
    case 'int':
    case 'float': {
      const n = Number(v)
      return Number.isFinite(n) ? n : null
    }
    case 'bool':
      return Boolean(v)
    case 'text':
      return String(v)
  }
}

/** The attributes of a row as a plain object, in column order. */
export function properties(row: Record<string, unknown>, columns: readonly Column[]): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {}
  for (const col of columns) out[col.name] = columnValue(row, col)
  return out
}
