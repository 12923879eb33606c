/**
 * `gridweave import <file> --layer L [--format F] [--district CODE] [--mode reject|repair] [--crs wgs84|gcj02|bd09]
 *   [--id F --name F --population F --households F --parent F --kind F --date F --hard F --lon F --lat F | --mapping JSON]`
 *
 * Imports one file into the database of DATABASE_URL (or the embedded one in DATA_DIR) through the same
 * pipeline as POST /api/imports. Prints one line of JSON; exit 0 imported, 2 refused (problems on stderr),
 * 1 internal error.
 */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { loadConfig } from '../config.js'
import { openDb, type Db } from '../db/index.js'
import { migrate } from '../db/migrate.js'
import { ImportError } from '../import/errors.js'
import { mib, withLimits } from '../import/limits.js'
import { formatFromName, parseImportOptions } from '../import/options.js'
import { importFeatures } from '../import/pipeline.js'
import { HttpError } from '../plugins/errors.js'
import { BadInput, defaultIO, parse, runCommand, type CliIO } from './io.js'

const USAGE =
  'gridweave import <file> --layer district|jurisdictions|communities|units|barriers|stations|events [--format geojson|shapefile|csv|osm] ' +
  '[--district CODE] [--mode reject|repair] [--crs wgs84|gcj02|bd09] [--id F] [--name F] [--population F] [--households F] [--parent F] ' +
  '[--kind F] [--date F] [--hard F] [--lon F] [--lat F] [--mapping JSON]'
const MAPPED = ['id', 'name', 'population', 'households', 'parent', 'kind', 'date', 'hard', 'lon', 'lat'] as const
const OPTIONS = {
  layer: { type: 'string' },
  format: { type: 'string' },
  district: { type: 'string' },
  mode: { type: 'string' },
  crs: { type: 'string' },
  mapping: { type: 'string' },
  ...Object.fromEntries(MAPPED.map((k) => [k, { type: 'string' }])),
} as const
const SHOW = 20

export interface ImportCliDeps {
  io?: CliIO
  /** Database to use instead of opening one from the environment (tests). */
  db?: Db
}

export async function runImport(argv: string[], deps: ImportCliDeps = {}): Promise<number> {
  const io = deps.io ?? defaultIO
  return runCommand('import', io, async () => {
    const { values: v, positionals } = parse(argv, OPTIONS as never, USAGE) as { values: Record<string, string | undefined>; positionals: string[] }
    if (positionals.length !== 1) throw new BadInput(`expected one file, got ${positionals.length}\nusage: ${USAGE}`)
    const file = positionals[0]
    const limits = withLimits()
    let size: number
    try {
      size = (await stat(file)).size
    } catch (err) {
      throw new BadInput(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
    }
    const mapping: Record<string, string> = v.mapping ? {} : {}
    for (const k of MAPPED) if (v[k] !== undefined) mapping[k] = v[k]!
    let mappingText = v.mapping
    if (Object.keys(mapping).length) {
      if (mappingText) throw new BadInput('give either --mapping JSON or the single --id/--population/… flags, not both')
      mappingText = JSON.stringify(mapping)
    }
    let db: Db | undefined
    try {
      const options = parseImportOptions({
        layer: v.layer,
        format: v.format ?? formatFromName(file),
        mode: v.mode,
        crs: v.crs,
        district: v.district,
        mapping: mappingText,
      })
      // refuse an oversize file before opening anything
      if (size > limits.maxBytes) throw new ImportError(413, 'too_large', `${file} is ${mib(size)}; the limit is ${mib(limits.maxBytes)}. Split it`, 'file')
      if (deps.db) db = deps.db
      else {
        const cfg = loadConfig()
        db = await openDb({ databaseUrl: cfg.databaseUrl, dataDir: cfg.dataDir })
        await migrate(db)
      }
      const rec = await importFeatures({
        db,
        options,
        source: createReadStream(file, { highWaterMark: 1 << 16 }),
        filename: basename(file),
        limits,
        totalBytes: size,
      })
      io.stdout(
        JSON.stringify({
          ok: true,
          import: rec.id,
          layer: rec.layer,
          features: rec.features,
          mode: rec.mode,
          repaired: rec.report.repairedFeatures,
          notices: rec.report.notices,
          crsConversion: rec.crsConversion,
          ms: rec.report.durationMs,
        }),
      )
      return 0
    } catch (err) {
      if (!(err instanceof HttpError) || err.statusCode >= 500) throw err
      const d = (err.details ?? {}) as { code?: string; field?: string; problems?: { index: number; id: unknown; code: string; message: string }[]; totalProblems?: number }
      io.stderr(`gridweave import: ${err.message}`)
      for (const p of (d.problems ?? []).slice(0, SHOW)) io.stderr(`  feature ${p.index}${p.id !== null && p.id !== undefined ? ` (id ${p.id})` : ''}: ${p.code}: ${p.message}`)
      if ((d.totalProblems ?? 0) > SHOW) io.stderr(`  … ${(d.totalProblems ?? 0) - SHOW} more`)
      io.stdout(JSON.stringify({ ok: false, status: err.statusCode, code: d.code ?? null, field: d.field ?? null, problems: d.totalProblems ?? 0 }))
      return 2
    } finally {
      if (db && !deps.db) await db.close()
    }
  })
}
