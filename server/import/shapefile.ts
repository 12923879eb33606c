/**
 * Zipped Shapefile → raw GeoJSON features. The zip is opened with a bounded inflate (a zip bomb is
 * refused, not inflated); attributes are decoded with the .cpg encoding, or as UTF-8 when they are valid
 * UTF-8, or else as GBK (the usual encoding of Chinese ArcGIS exports) — the report says which. A .prj
 * that describes a projected system is refused; nothing is reprojected.
 */
import { inflateRawSync } from 'node:zlib'
import { iter } from 'but-unzip'
import { parseDbf, parseShp } from 'shpjs'
import { ProblemCode } from '../../geo/validate/index.js'
import { ImportError } from './errors.js'
import { mib, type ImportLimits } from './limits.js'

export interface ShapefileReport {
  layer: string
  encoding: string
  /** Where the encoding came from. */
  encodingSource: 'cpg' | 'utf-8' | 'gbk-default'
  prj?: string
  records: number
}

const bad = (msg: string, field = 'file') => new ImportError(400, ProblemCode.malformedFile, msg, field)

function unzipAll(bytes: Uint8Array, limits: ImportLimits): Map<string, Uint8Array> {
  let total = 0
  const files = new Map<string, Uint8Array>()
  const inflate = (raw: Uint8Array) => {
    try {
      return inflateRawSync(raw, { maxOutputLength: Math.max(1, limits.maxUnzippedBytes - total) })
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
        throw new ImportError(413, ProblemCode.tooLarge, `the zip inflates to more than ${mib(limits.maxUnzippedBytes)}; refused`, 'file')
      throw bad(`a file in the zip cannot be inflated: ${(err as Error).message}`)
    }
  }
  // but-unzip loops forever on some short non-zips: find the end-of-central-directory record first
  if (!hasEndRecord(bytes)) throw bad('the file is not a zip archive (no end-of-central-directory record); upload the .shp, .dbf, .prj and .cpg zipped together')
  let entries
  try {
    entries = [...iter(bytes, inflate)]
  } catch (err) {
    throw bad(`the file is not a readable zip archive (${(err as Error).message}); upload the .shp, .shx, .dbf, .prj and .cpg zipped together`)
  }
  for (const e of entries) {
    if (e.filename.includes('__MACOSX') || e.filename.endsWith('/')) continue
    if (!/\.(shp|dbf|cpg|prj)$/i.test(e.filename)) continue
    const data = e.read()
    if (data instanceof Promise) throw new Error('inflate must be synchronous here')
    total += data.byteLength
    if (total > limits.maxUnzippedBytes)
      throw new ImportError(413, ProblemCode.tooLarge, `the zip inflates to more than ${mib(limits.maxUnzippedBytes)}; refused`, 'file')
    files.set(e.filename, data)
  }
  return files
}

function hasEndRecord(b: Uint8Array): boolean {
  if (b.length < 22) return false
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 65535); i--)
    if (b[i] === 0x50 && b[i + 1] === 0x4b && b[i + 2] === 0x05 && b[i + 3] === 0x06) return true
  return false
}

function isUtf8(b: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b)
    return true
  } catch {
    return false
  }
}

/** Reads a zipped Shapefile with exactly one layer; returns raw features for the checker. */
export function readShapefileZip(bytes: Uint8Array, limits: ImportLimits): { features: unknown[]; report: ShapefileReport } {
  if (bytes.byteLength > limits.maxBytes)
    throw new ImportError(413, ProblemCode.tooLarge, `the zip is larger than ${mib(limits.maxBytes)}; split it`, 'file')
  const files = unzipAll(bytes, limits)
  const shps = [...files.keys()].filter((k) => /\.shp$/i.test(k))
  if (shps.length === 0) throw new ImportError(400, ProblemCode.missingPart, 'the zip holds no .shp file', 'file')
  if (shps.length > 1)
    throw new ImportError(400, ProblemCode.missingPart, `the zip holds ${shps.length} layers (${shps.join(', ')}); upload one layer per import`, 'file')
  const base = shps[0].slice(0, -4)
  const part = (ext: string) => [...files.entries()].find(([k]) => k.slice(0, -4) === base && k.slice(-4).toLowerCase() === ext)?.[1]
  const shp = part('.shp')!
  const dbf = part('.dbf')
  if (!dbf) throw new ImportError(400, ProblemCode.missingPart, `the zip has ${base}.shp but no ${base}.dbf; attributes (ids, weights) are needed`, 'file')
  const prjBytes = part('.prj')
  const cpgBytes = part('.cpg')
  const prj = prjBytes ? new TextDecoder().decode(prjBytes).trim() : undefined
  if (prj && /^\s*PROJCS\s*\[/i.test(prj)) {
    const name = /^\s*PROJCS\s*\[\s*"([^"]*)"/i.exec(prj)?.[1] ?? prj.slice(0, 60)
    throw new ImportError(
      400,
      ProblemCode.projectedCoordinates,
      `${base}.prj says the coordinates are projected (${name}); reproject to WGS84 lng, lat (EPSG:4326) before importing`,
      'prj',
    )
  }

  // header checks: shpjs stops quietly at a truncated record; we refuse instead
  if (shp.byteLength < 100) throw bad(`${base}.shp is ${shp.byteLength} bytes; a Shapefile header alone is 100`)
  const sv = new DataView(shp.buffer, shp.byteOffset, shp.byteLength)
  if (sv.getInt32(0) !== 9994) throw bad(`${base}.shp does not start with the Shapefile file code 9994`)
  const declared = sv.getInt32(24) * 2
  if (declared !== shp.byteLength) throw bad(`${base}.shp declares ${declared} bytes but has ${shp.byteLength} (truncated or padded)`)
  if (dbf.byteLength < 32) throw bad(`${base}.dbf is too short for a dBASE header`)
  const dv = new DataView(dbf.buffer, dbf.byteOffset, dbf.byteLength)
  const records = dv.getUint32(4, true)
  const headerLen = dv.getUint16(8, true)
  const recLen = dv.getUint16(10, true)
  if (headerLen + records * recLen > dbf.byteLength) throw bad(`${base}.dbf declares ${records} records but is truncated`)
  if (records > limits.maxFeatures)
    throw new ImportError(413, ProblemCode.tooManyFeatures, `the layer has ${records} records, more than ${limits.maxFeatures}; split it`, 'file')

  let encoding: string
  let encodingSource: ShapefileReport['encodingSource']
  if (cpgBytes) {
    const label = new TextDecoder().decode(cpgBytes).trim()
    const norm = /^\d+$/.test(label) ? `windows-${label}` : /^(ANSI\s*)?936$/i.test(label) ? 'gbk' : label
    try {
      encoding = new TextDecoder(norm).encoding
    } catch {
      throw new ImportError(400, ProblemCode.unsupportedEncoding, `${base}.cpg names encoding ${JSON.stringify(label)}, which is not known`, 'cpg')
    }
    encodingSource = 'cpg'
  } else if (isUtf8(dbf.subarray(0, headerLen + records * recLen))) {
    encoding = 'utf-8'
    encodingSource = 'utf-8'
  } else {
    encoding = 'gbk'
    encodingSource = 'gbk-default'
  }

  let geoms: unknown[]
  let rows: Record<string, unknown>[]
  try {
    geoms = parseShp(shp)
  } catch (err) {
    throw bad(`${base}.shp cannot be read: ${(err as Error).message}`)
  }
  try {
    rows = parseDbf(dbf, encoding)
  } catch (err) {
    throw bad(`${base}.dbf cannot be read: ${(err as Error).message}`)
  }
  if (geoms.length !== rows.length)
    throw bad(`${base}.shp has ${geoms.length} shapes but ${base}.dbf has ${rows.length} records; the files do not belong together`)
  const features = geoms.map((g, i) => ({ type: 'Feature', geometry: g, properties: rows[i] }))
  return { features, report: { layer: base, encoding, encodingSource, ...(prj ? { prj } : {}), records } }
}
