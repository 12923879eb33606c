/**
 * One import, start to finish, for the HTTP API and the CLI alike: read (streamed for GeoJSON), check each
 * feature, convert GCJ-02/BD-09 when asked, clean or refuse, stage in a temporary table, check validity,
 * overlaps and containment in PostGIS, then insert and record — all in one transaction, so a refused
 * import leaves the database exactly as it was.
 */
import type { Geometry } from 'geojson'
import {
  cleanGeometry,
  FeatureChecker,
  problem,
  ProblemCode,
  toWgs84,
  type BBox,
  type Problem,
} from '../../geo/validate/index.js'
import type { Db } from '../db/index.js'
import * as repo from '../repo/imports.js'
import type { ImportOptions, ImportRecord, ImportReport, ImportRepair } from '../schemas/imports.js'
import { readCsv } from './csv.js'
import { ImportError } from './errors.js'
import { readGeoJSON, type GeoJSONStats } from './geojson.js'
import { LAYERS, toStageRow, weightRules, type RowContext, type StageRow } from './layers.js'
import { mib, withLimits, type ImportLimits } from './limits.js'
import { readOsmXml } from './osm.js'
import { readShapefileZip } from './shapefile.js'

export interface ImportInput {
  db: Db
  options: ImportOptions
  /** The file's bytes as they arrive. */
  source: AsyncIterable<Uint8Array | string>
  filename?: string | null
  limits?: Partial<ImportLimits>
  userId?: number | null
  /** Size of the file when known (progress). */
  totalBytes?: number
  onProgress?: (fraction: number) => void
}

/** Overlaps smaller than this (m²) are rounding slivers, counted as notices. */
const MIN_OVERLAP_M2 = 1
/** A feature with more than this share of its area outside its parent is outside. */
const MAX_OUTSIDE_SHARE = 0.001
const BATCH = 500

async function collect(source: AsyncIterable<Uint8Array | string>, limits: ImportLimits, stats: { bytes: number }): Promise<Uint8Array> {
  const parts: Buffer[] = []
  for await (const c of source) {
    const b = typeof c === 'string' ? Buffer.from(c) : Buffer.from(c.buffer, c.byteOffset, c.byteLength)
    stats.bytes += b.byteLength
    if (stats.bytes > limits.maxBytes) throw new ImportError(413, ProblemCode.tooLarge, `the file is larger than ${mib(limits.maxBytes)}; split it`, 'file')
    parts.push(b)
  }
  return Buffer.concat(parts)
}

function checkOptions(o: ImportOptions): void {
  const spec = LAYERS[o.layer]
  if (o.layer !== 'district' && !o.district)
    throw new ImportError(400, ProblemCode.missingField, `district is required for layer ${o.layer}: the code of an imported district`, 'district')
  if (o.format === 'csv' && spec.family !== 'point')
    throw new ImportError(400, ProblemCode.unsupportedFormat, `format csv carries points; layer ${o.layer} needs ${spec.family === 'line' ? 'lines' : 'polygons'} (use geojson or shapefile)`, 'format')
  if (o.format === 'osm' && o.layer !== 'barriers')
    throw new ImportError(400, ProblemCode.unsupportedFormat, 'format osm imports roads, railways and rivers into layer barriers only', 'format')
}

export type ImportResult = ImportRecord

/** Runs one import; resolves with the stored record or throws ImportError (nothing written). */
export async function importFeatures(input: ImportInput): Promise<ImportResult> {
  const t0 = performance.now()
  const o = input.options
  const mode = o.mode ?? 'reject'
  const crs = o.crs && o.crs !== 'wgs84' ? o.crs : null
  const limits = withLimits(input.limits)
  const mapping = o.mapping ?? {}
  const spec = LAYERS[o.layer]
  checkOptions(o)

  const db = input.db
  let district: repo.DistrictRef | null = null
  if (o.layer !== 'district') {
    district = await repo.findDistrict(db, o.district!)
    if (!district) throw new ImportError(400, ProblemCode.unknownParent, `district ${JSON.stringify(o.district)} does not exist; import it first (layer=district)`, 'district')
  }
  const parents = spec.parent && district ? await repo.parentCodes(db, spec.parent.level, district.id) : undefined
  // a district's extent lets swapped or misplaced coordinates be named (GCJ-02 offsets are < 1 km)
  const expected: BBox | undefined = district?.bbox ? pad(district.bbox, 0.05) : undefined

  const checker = new FeatureChecker({
    family: spec.family,
    idField: mapping.id,
    idFallbacks: ['id', 'code', 'ID', 'CODE'],
    idRequired: spec.idRequired,
    weights: weightRules(o.layer, mapping),
    expected,
  })
  const problems: Problem[] = []
  let totalProblems = 0
  let failing = false
  const add = (p: Problem) => {
    if (p.severity === 'notice') return
    totalProblems++
    if (problems.length < limits.maxProblemsListed) problems.push(p)
    if (p.severity === 'error' || mode === 'reject') failing = true
  }
  const notices: Record<string, number> = {}
  const noticeExamples: Problem[] = []
  const repairs = new Map<number, ImportRepair>()
  const repair = (index: number, id: string | number | null, change: string) => {
    const r = repairs.get(index) ?? { index, id, changes: [] }
    r.changes.push(change)
    repairs.set(index, r)
  }
  const ctx: RowContext = { layer: o.layer, mapping, parents, counters: {} }
  const stats: GeoJSONStats = { bytes: 0, features: 0, coordinates: 0 }
  const source: Record<string, unknown> = {}

  // readers: GeoJSON streams; the others need the whole (bounded) file
  let features: AsyncIterable<unknown> | Iterable<unknown>
  if (o.format === 'geojson') features = readGeoJSON(input.source, limits, stats)
  else {
    const bytes = await collect(input.source, limits, stats)
    if (o.format === 'shapefile') {
      const r = readShapefileZip(bytes, limits)
      Object.assign(source, r.report)
      features = r.features
    } else if (o.format === 'csv') {
      const r = readCsv(bytes, { lon: mapping.lon, lat: mapping.lat }, limits)
      Object.assign(source, r.report)
      features = r.features
    } else {
      if (bytes.byteLength === 0) throw new ImportError(400, ProblemCode.malformedFile, 'the file is empty', 'file')
      const r = readOsmXml(new TextDecoder().decode(bytes))
      Object.assign(source, { osm: r.report })
      features = r.features
    }
  }

  const result = await db.transaction(async (tx) => {
    await repo.createStage(tx)
    let batch: StageRow[] = []
    let read = 0
    let lastProgress = 0
    for await (const raw of features) {
      const index = read++
      if (read > limits.maxFeatures)
        throw new ImportError(413, ProblemCode.tooManyFeatures, `the file has more than ${limits.maxFeatures} features; split it`, 'file')
      const c = checker.check(raw, index)
      let geometry: Geometry | undefined = c.geometry
      const geomError = c.problems.some((p) => p.severity === 'error' && p.field?.startsWith('geometry'))
      for (const p of c.problems) {
        if (p.severity === 'notice') {
          notices[p.code] = (notices[p.code] ?? 0) + 1
          if (noticeExamples.length < 20) noticeExamples.push(p)
        } else add(p)
      }
      if (geometry && !geomError) {
        const cleaned = cleanGeometry(geometry)
        geometry = cleaned.geometry
        if (mode === 'repair') for (const ch of cleaned.changes) if (!ch.includes('rewound')) repair(index, c.id, ch)
        if (crs) geometry = toWgs84(geometry, crs)
      }
      const attrProblems: Problem[] = []
      const row = toStageRow(index, c, geomError ? undefined : geometry, ctx, attrProblems)
      for (const p of attrProblems) add(p)
      if (row && !failing) {
        batch.push(row)
        if (batch.length >= BATCH) {
          await repo.stageRows(tx, batch)
          batch = []
        }
      }
      if (input.onProgress && input.totalBytes) {
        const f = Math.min(0.9, (0.9 * stats.bytes) / input.totalBytes)
        if (f - lastProgress >= 0.02) {
          lastProgress = f
          input.onProgress(f)
        }
      }
    }
    if (!failing) await repo.stageRows(tx, batch)
    batch = []
    for (const p of checker.finish()) add(p)
    if (read === 0) add(problem(-1, null, ProblemCode.noFeatures, 'the file has no features'))
    if (failing) throw refusal(problems, totalProblems, mode)

    // topology checks that need PostGIS
    await repo.indexStage(tx)
    const flagged = new Set(problems.map((p) => p.index))
    if (mode === 'reject') {
      for (const r of await repo.invalidStaged(tx, limits.maxProblemsListed)) {
        if (flagged.has(r.idx)) continue
        add(problem(r.idx, r.ext_id, ProblemCode.invalidGeometry, `PostGIS finds the geometry invalid: ${r.reason}`, 'geometry'))
      }
    } else {
      for (const r of await repo.makeValidStaged(tx, spec.dim)) {
        if (r.empty) {
          add(problem(r.idx, r.ext_id, ProblemCode.emptyGeometry, `ST_MakeValid leaves nothing of this geometry (${r.reason}); fix it by hand`, 'geometry'))
          continue
        }
        const area = r.area_before !== null && r.area_after !== null ? `; area ${Math.round(r.area_before)} → ${Math.round(r.area_after)} m²` : ''
        repair(r.idx, r.ext_id, `ST_MakeValid (${r.reason}): ${r.type_before.replace('ST_', '')} → ${r.type_after.replace('ST_', '')} of ${r.parts} part(s)${area}`)
      }
    }
    for (const r of await repo.existingIds(tx, o.layer, district?.id ?? null))
      add(problem(r.idx, r.ext_id, ProblemCode.existingId, `id ${JSON.stringify(r.ext_id)} already exists in ${o.layer}; ids must be unique`, 'id'))
    if (spec.family === 'polygon' && o.layer !== 'district' && mode === 'repair') {
      for (const r of await repo.cutOverlapsStaged(tx, MIN_OVERLAP_M2)) {
        if (r.empty) add(problem(r.idx, r.ext_id, ProblemCode.overlap, `lies entirely inside earlier feature(s) ${r.others.join(', ')}; nothing is left after removing the overlap`, 'geometry'))
        else repair(r.idx, r.ext_id, `removed ${Math.round(r.area_before - r.area_after)} m² overlapping earlier feature(s) ${r.others.join(', ')} (area ${Math.round(r.area_before)} → ${Math.round(r.area_after)} m²)`)
      }
    } else if (spec.family === 'polygon' && o.layer !== 'district') {
      for (const r of await repo.overlapsStaged(tx, MIN_OVERLAP_M2, limits.maxProblemsListed))
        add(problem(r.b, r.b_id, ProblemCode.overlap, `overlaps feature ${r.a}${r.a_id ? ` (id ${r.a_id})` : ''} by ${r.area.toFixed(1)} m²`, 'geometry'))
    }
    for (const r of await repo.outsideParent(tx, o.layer, district?.id ?? null, MAX_OUTSIDE_SHARE, limits.maxProblemsListed)) {
      const what = spec.parent ? `its ${spec.parent.level} (or the district)` : 'the district'
      add(
        problem(
          r.idx,
          r.ext_id,
          ProblemCode.outsideParent,
          spec.family === 'point' ? `lies outside ${what}` : `${(r.share * 100).toFixed(1)} % (${Math.round(r.outside)} m²) lies outside ${what}`,
          'geometry',
        ),
      )
    }
    if (failing) throw refusal(problems, totalProblems, mode)

    const imported = await repo.insertFromStage(tx, o.layer, district?.id ?? null)
    const districtId = district?.id ?? (o.layer === 'district' && read === 1 ? await firstDistrictId(tx) : null)
    const report: ImportReport = {
      read,
      imported,
      bytes: stats.bytes,
      notices: { ...notices, ...ctx.counters },
      noticeExamples,
      repairs: [...repairs.values()].sort((a, b) => a.index - b.index).slice(0, limits.maxProblemsListed),
      repairedFeatures: repairs.size,
      crsConversion: crs,
      source: { ...source, ...(stats.crs ? { crs: stats.crs } : {}), ...(o.format === 'geojson' ? { coordinates: stats.coordinates } : {}) },
      durationMs: Math.round(performance.now() - t0),
    }
    const rec = await repo.insertImport(tx, {
      districtId,
      layer: o.layer,
      format: o.format,
      filename: input.filename ?? null,
      features: imported,
      mode,
      crsConversion: crs,
      report,
      userId: input.userId ?? null,
    })
    return rec
  })
  input.onProgress?.(1)
  return toRecord(result)

  async function firstDistrictId(tx: Parameters<Parameters<Db['transaction']>[0]>[0]) {
    const { rows } = await tx.query<{ id: number }>(`SELECT id FROM districts ORDER BY id DESC LIMIT 1`)
    return rows[0]?.id ?? null
  }
}

function pad(b: BBox, f: number): BBox {
  const dx = Math.max((b[2] - b[0]) * f, 0.01)
  const dy = Math.max((b[3] - b[1]) * f, 0.01)
  return [b[0] - dx, b[1] - dy, b[2] + dx, b[3] + dy]
}

function refusal(problems: Problem[], total: number, mode: string): ImportError {
  problems.sort((a, b) => a.index - b.index)
  const byCode: Record<string, number> = {}
  for (const p of problems) byCode[p.code] = (byCode[p.code] ?? 0) + 1
  const summary = Object.entries(byCode)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ')
  const features = new Set(problems.filter((p) => p.index >= 0).map((p) => p.index)).size
  const hint =
    mode === 'reject' && problems.every((p) => p.severity !== 'error')
      ? ' All of them can be repaired: import again with mode=repair to fix them and get a report of each change.'
      : ''
  return new ImportError(
    422,
    problems.length === 1 ? problems[0].code : 'invalid_features',
    `nothing was imported: ${total} problem(s) in ${features} feature(s) (${summary}${total > problems.length ? `; first ${problems.length} listed` : ''}).${hint}`,
    undefined,
    problems,
    total,
  )
}

export function toRecord(r: repo.ImportRow): ImportRecord {
  return {
    id: r.id,
    districtId: r.district_id,
    layer: r.layer,
    format: r.format,
    filename: r.filename,
    features: r.features,
    mode: r.mode,
    crsConversion: r.crs_conversion,
    report: r.report as ImportReport,
    createdAt: r.created_at,
  }
}
