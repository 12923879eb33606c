/**
 * CSV with longitude/latitude columns → raw point features. Numbers are parsed strictly (a "12,5" or
 * an empty cell stays as text so the checker names it); the encoding is UTF-8, or GBK when the bytes
 * are not valid UTF-8 (reported).
 */
import { parse } from 'csv-parse/sync'
import { ProblemCode } from '../../geo/validate/index.js'
import { ImportError } from './errors.js'
import { mib, type ImportLimits } from './limits.js'

const LON = ['lon', 'lng', 'long', 'longitude', 'x', '经度']
const LAT = ['lat', 'latitude', 'y', '纬度']
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

export interface CsvReport {
  encoding: 'utf-8' | 'gbk'
  lon: string
  lat: string
  rows: number
}

function pick(header: string[], wanted: string | undefined, names: string[], what: string): string {
  if (wanted) {
    if (!header.includes(wanted))
      throw new ImportError(400, ProblemCode.missingField, `mapping.${what} names column ${JSON.stringify(wanted)}, which the CSV header does not have (${header.join(', ')})`, `mapping.${what}`)
    return wanted
  }
  const found = header.find((h) => names.includes(h.trim().toLowerCase()))
  if (!found)
    throw new ImportError(400, ProblemCode.missingField, `the CSV has no ${what} column (looked for ${names.join(', ')}); name it in mapping.${what}`, `mapping.${what}`)
  return found
}

export function readCsv(bytes: Uint8Array, opts: { lon?: string; lat?: string }, limits: ImportLimits): { features: unknown[]; report: CsvReport } {
  if (bytes.byteLength > limits.maxBytes) throw new ImportError(413, ProblemCode.tooLarge, `the file is larger than ${mib(limits.maxBytes)}; split it`, 'file')
  let text: string
  let encoding: CsvReport['encoding'] = 'utf-8'
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    text = new TextDecoder('gbk').decode(bytes)
    encoding = 'gbk'
  }
  if (text.trim() === '') throw new ImportError(400, ProblemCode.malformedFile, 'the CSV file is empty', 'file')
  let rows: string[][]
  try {
    rows = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: false, max_record_size: 1 << 20 }) as string[][]
  } catch (err) {
    throw new ImportError(400, ProblemCode.malformedFile, `the CSV cannot be parsed: ${(err as Error).message}`, 'file')
  }
  const header = rows[0].map((h) => h.trim())
  if (rows.length - 1 > limits.maxFeatures)
    throw new ImportError(413, ProblemCode.tooManyFeatures, `the CSV has ${rows.length - 1} rows, more than ${limits.maxFeatures}; split it`, 'file')
  const lon = pick(header, opts.lon, LON, 'lon')
  const lat = pick(header, opts.lat, LAT, 'lat')
  const ix = header.indexOf(lon)
  const iy = header.indexOf(lat)
  const num = (s: string) => (NUMBER.test(s.trim()) ? Number(s.trim()) : s.trim() === '' ? null : s)
  const features = rows.slice(1).map((r) => {
    const properties: Record<string, unknown> = {}
    header.forEach((h, i) => {
      if (i !== ix && i !== iy) properties[h] = r[i]
    })
    return { type: 'Feature', properties, geometry: { type: 'Point', coordinates: [num(r[ix]), num(r[iy])] } }
  })
  return { features, report: { encoding, lon, lat, rows: features.length } }
}
