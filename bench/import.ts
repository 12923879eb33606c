/**
 * Import benchmark (not a test): a generated ~100 MB GeoJSON of units streamed through the import pipeline
 * (reject mode: every check, PostGIS validity/overlap/containment, one transaction), with wall time and
 * peak RSS; then how fast an oversize (1 GB, sparse) file is refused by the CLI and by the HTTP route.
 *
 *   npx tsx bench/import.ts [--mb 100] [--write]       DATABASE_URL=… for PostgreSQL, else embedded PGlite
 *
 * --write replaces this benchmark's section of bench/RESULTS.md.
 */
import { once } from 'node:events'
import { createReadStream, createWriteStream, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, open, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { buildApp } from '../server/app.js'
import { runImport } from '../server/cli/import.js'
import { openDb } from '../server/db/index.js'
import { migrate } from '../server/db/migrate.js'
import { importFeatures } from '../server/import/pipeline.js'
import { signToken } from '../server/plugins/auth.js'
import { insertUser } from '../server/repo/users.js'
import { squareRing } from '../fixtures/lattice.js'

const { values } = parseArgs({ options: { mb: { type: 'string', default: '100' }, write: { type: 'boolean', default: false } } })
const targetBytes = Number(values.mb) * 1024 * 1024

// Units: a lattice of square cells with 10 vertices per side (collinear, like digitised blocks), ~1.7 KB each.
const X0 = 123.0
const Y0 = 47.0
const CELL = 0.0005
const PER_SIDE = 10

const cellRing = (i: number, j: number) => squareRing(X0 + i * CELL, Y0 + j * CELL, CELL, PER_SIDE)

async function generate(path: string): Promise<{ features: number; cols: number; rows: number; bytes: number }> {
  const out = createWriteStream(path)
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain')
  }
  const sample = JSON.stringify({ type: 'Feature', properties: { code: 'U0000000', name: 'unit', population: 100, households: 40 }, geometry: { type: 'Polygon', coordinates: [cellRing(0, 0)] } })
  const n = Math.ceil(targetBytes / (sample.length + 2))
  const cols = Math.ceil(Math.sqrt(n))
  const rows = Math.ceil(n / cols)
  await write('{"type":"FeatureCollection","features":[\n')
  for (let k = 0; k < n; k++) {
    const i = k % cols
    const j = Math.floor(k / cols)
    const f = { type: 'Feature', properties: { code: `U${String(k).padStart(7, '0')}`, name: `unit ${k}`, population: (k * 37) % 400, households: (k * 13) % 160 }, geometry: { type: 'Polygon', coordinates: [cellRing(i, j)] } }
    await write((k ? ',\n' : '') + JSON.stringify(f))
  }
  await write('\n]}\n')
  out.end()
  await once(out, 'finish')
  return { features: n, cols, rows, bytes: (await stat(path)).size }
}

let peak = 0
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50)
const MB = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`

const dir = await mkdtemp(join(tmpdir(), 'gw-bench-import-'))
const file = join(dir, 'units.geojson')
try {
  const g = await generate(file)
  console.error(`generated ${g.features} units, ${MB(g.bytes)}`)
  const db = await openDb({ databaseUrl: process.env.DATABASE_URL, inMemory: true })
  const backend = db.kind
  let fresh = db
  let dropScratch = async () => {}
  if (process.env.DATABASE_URL) {
    // a scratch database so repeated runs do not collide on ids
    const { default: pg } = await import('pg')
    const name = `gw_bench_import_${Date.now()}`
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name}`)
    await admin.end()
    const u = new URL(process.env.DATABASE_URL)
    u.pathname = `/${name}`
    await db.close()
    fresh = await openDb({ databaseUrl: u.toString() })
    dropScratch = async () => {
      const a = new pg.Client({ connectionString: process.env.DATABASE_URL })
      await a.connect()
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await a.end()
    }
  }
  await migrate(fresh)
  const x1 = X0 + (g.cols + 1) * CELL
  const y1 = Y0 + (g.rows + 1) * CELL
  await fresh.query(`INSERT INTO districts (code, name, geom) VALUES ('bench', 'bench', ST_Multi(ST_MakeEnvelope($1, $2, $3, $4, 4326)))`, [X0 - CELL, Y0 - CELL, x1, y1])
  global.gc?.()
  const rssBefore = process.memoryUsage().rss
  peak = rssBefore
  const t0 = performance.now()
  const rec = await importFeatures({
    db: fresh,
    options: { layer: 'units', format: 'geojson', district: 'bench' },
    source: createReadStream(file, { highWaterMark: 1 << 16 }),
    filename: 'units.geojson',
    totalBytes: g.bytes,
  })
  const importMs = performance.now() - t0
  const importPeak = peak
  console.error(`imported ${rec.features} in ${(importMs / 1000).toFixed(1)} s, peak RSS ${MB(importPeak)} (before ${MB(rssBefore)})`)

  // 1 GB refused: a sparse file for the CLI, a declared Content-Length for HTTP
  const huge = join(dir, 'huge.geojson')
  const fh = await open(huge, 'w')
  await fh.truncate(1024 ** 3)
  await fh.close()
  const io = { stdout: () => {}, stderr: () => {} }
  const t1 = performance.now()
  const code = await runImport([huge, '--layer', 'units', '--district', 'bench'], { io, db: fresh })
  const cliMs = performance.now() - t1
  const app = await buildApp({ db: fresh, logger: false })
  await app.ready()
  const user = await insertUser(fresh, { username: `bench-${Date.now()}`, passwordHash: 'x', role: 'planner', jurisdictionId: null })
  const t2 = performance.now()
  const r = await app.inject({
    method: 'POST',
    url: '/api/imports?layer=units&format=geojson&district=bench',
    headers: { 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(1024 ** 3), authorization: `Bearer ${signToken(app, user, 'x')}` },
    payload: '--x--\r\n',
  })
  const httpMs = performance.now() - t2
  await app.close()
  await fresh.close()
  await dropScratch()
  console.error(`1 GB: CLI exit ${code} in ${cliMs.toFixed(1)} ms; HTTP ${r.statusCode} in ${httpMs.toFixed(1)} ms`)

  const section = [
    `<!-- bench/import.ts ${backend}: begin -->`,
    `## Import on ${backend} (bench/import.ts)`,
    '',
    `\`npx tsx bench/import.ts --mb ${values.mb} --write\` on ${backend}${backend === 'postgres' ? ' (PostgreSQL 15 + PostGIS on this machine; its memory is not in the RSS below)' : ' (embedded PGlite in this process: its WASM heap is in the RSS below)'}, ${new Date().toISOString().slice(0, 10)}.`,
    `Input: generated FeatureCollection of ${g.features} square units with ${4 * PER_SIDE} vertices each (${MB(g.bytes)}); reject mode, so every check runs`,
    '(geo/validate per feature, then PostGIS validity, overlaps between units and containment in the district, all in one transaction).',
    '',
    '| what | result |',
    '|---|---|',
    `| import ${MB(g.bytes)} GeoJSON, ${g.features} units | ${(importMs / 1000).toFixed(1)} s, ${rec.features} imported |`,
    `| peak RSS during the import | ${MB(importPeak)} (RSS before: ${MB(rssBefore)}) |`,
    `| 1 GB file, CLI (\`gridweave import\`) | exit ${code} in ${cliMs.toFixed(1)} ms (refused by size before opening) |`,
    `| 1 GB upload, HTTP (declared Content-Length) | ${r.statusCode} in ${httpMs.toFixed(1)} ms (refused on request, before the body) |`,
    `<!-- bench/import.ts ${backend}: end -->`,
  ].join('\n')
  console.log(section)
  if (values.write) {
    const path = new URL('./RESULTS.md', import.meta.url)
    const text = readFileSync(path, 'utf8')
    const re = new RegExp(`<!-- bench/import\\.ts ${backend}: begin -->[\\s\\S]*?<!-- bench/import\\.ts ${backend}: end -->`)
    writeFileSync(path, re.test(text) ? text.replace(re, section) : `${text.trimEnd()}\n\n${section}\n`)
  }
} finally {
  clearInterval(sampler)
  await rm(dir, { recursive: true, force: true })
}
