/**
 * Reads an assignment CSV of a hand-made division: header `unit_id,grid_id[,cell_id]`, one unit per row.
 * Ids stay strings (leading zeros kept). Every bad row is reported with its line number (the header is
 * line 1); nothing is imported unless every row is good.
 */

export interface CsvRow {
  line: number
  unitId: string
  gridId: string
  cellId: string | null
}
export interface CsvProblem {
  line: number
  field?: string
  value?: string
  reason: string
}

/** Splits CSV text into records of fields (RFC 4180 quoting), with the line each record starts on. */
export function parseCsv(text: string): { line: number; fields: string[] }[] {
  const out: { line: number; fields: string[] }[] = []
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  let line = 1
  let fields: string[] = []
  let field = ''
  let start = 1
  let quoted = false
  let any = false
  const endRecord = () => {
    fields.push(field)
    if (!(fields.length === 1 && fields[0] === '' && !any)) out.push({ line: start, fields })
    fields = []
    field = ''
    any = false
  }
  for (; i < text.length; i++) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') (field += '"'), i++
        else quoted = false
      } else {
        if (ch === '\n') line++
        field += ch
      }
      continue
    }
    if (ch === '"' && field === '') (quoted = true), (any = true)
    else if (ch === ',') (fields.push(field), (field = ''), (any = true))
    else if (ch === '\r' && text[i + 1] === '\n') continue
    else if (ch === '\n' || ch === '\r') {
      endRecord()
      line++
      start = line
    } else field += ch
  }
  if (field !== '' || fields.length || any) endRecord()
  return out
}

const MAX_ID = 128

export function readAssignmentCsv(text: string): { rows: CsvRow[]; problems: CsvProblem[]; hasCells: boolean } {
  const records = parseCsv(text)
  const problems: CsvProblem[] = []
  if (!records.length) return { rows: [], problems: [{ line: 1, reason: 'the file is empty; expected the header unit_id,grid_id[,cell_id]' }], hasCells: false }
  const header = records[0].fields.map((h) => h.trim().toLowerCase())
  const hasCells = header.length === 3 && header[2] === 'cell_id'
  if (header[0] !== 'unit_id' || header[1] !== 'grid_id' || !(header.length === 2 || hasCells)) {
    return {
      rows: [],
      problems: [{ line: records[0].line, reason: `the header must be unit_id,grid_id or unit_id,grid_id,cell_id; got ${records[0].fields.join(',')}` }],
      hasCells: false,
    }
  }
  const rows: CsvRow[] = []
  for (const r of records.slice(1)) {
    const f = r.fields.map((x) => x.trim())
    if (f.length !== header.length) {
      problems.push({ line: r.line, reason: `expected ${header.length} fields, found ${f.length}` })
      continue
    }
    let ok = true
    const limits = [['unit_id', MAX_ID], ['grid_id', 64], ['cell_id', 64]] as const
    f.forEach((v, k) => {
      const [name, max] = limits[k]
      if (!v && k < 2) (problems.push({ line: r.line, field: name, reason: 'empty' }), (ok = false))
      else if (v.length > max) (problems.push({ line: r.line, field: name, value: v.slice(0, 40), reason: `longer than ${max} characters` }), (ok = false))
    })
    if (ok) rows.push({ line: r.line, unitId: f[0], gridId: f[1], cellId: hasCells && f[2] !== '' ? f[2] : null })
  }
  return { rows, problems, hasCells }
}
