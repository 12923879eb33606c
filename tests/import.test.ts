/**
 * Imports that succeed, end to end: Shapefile with GBK Chinese names, GCJ-02 conversion, repair mode with
 * its per-feature report, the HTTP API (roles, multipart, size refusal, a job for a large upload), the CLI
 * exit contract, the Henrico census blocks (reject names the 12 invalid polygons; repair imports them) and
 * OpenStreetMap roads polygonized into blocks that tile their area.
 */
process.env.GRIDWEAVE_IMPORT_SYNC_MAX_BYTES = '4000'

import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildBlocks } from '../geo/blocks/index.js'
import { toWgs84 } from '../geo/validate/index.js'
import type { App } from '../server/app.js'
import { runImport } from '../server/cli/import.js'
import type { Db } from '../server/db/index.js'
import { ImportError } from '../server/import/errors.js'
import { readOsmXml } from '../server/import/osm.js'
import { parseImportOptions } from '../server/import/options.js'
import { importFeatures } from '../server/import/pipeline.js'
import type { ImportFields } from '../server/schemas/imports.js'
import { encodeGbk, fc, polygonFeature as poly, square, writeDbf, writeShp, writeZip } from '../fixtures/cases/import-builders.js'
import { build } from './helpers/app.js'
import { tokenFor } from './helpers/auth.js'
import { BACKEND, createTestDb } from './helpers/db.js'

const DATA = join(import.meta.dirname, '../../shared/data')
const HENRICO = join(DATA, 'henrico_va_blocks2010.geojson')
const OAKLAND = join(DATA, 'west_oakland.osm')

async function* once(body: string | Uint8Array) {
  yield typeof body === 'string' ? new TextEncoder().encode(body) : body
}

let db: Db
let app: App
const run = (fields: ImportFields, body: string | Uint8Array) => importFeatures({ db, options: parseImportOptions(fields), source: once(body) })
const refusal = async (p: Promise<unknown>) => {
  try {
    await p
  } catch (err) {
    if (err instanceof ImportError) return err
    throw err
  }
  throw new Error('expected the import to be refused')
}

function multipart(fields: Record<string, string>, file: { name: string; data: string | Uint8Array }) {
  const boundary = '----gridweave' + Math.random().toString(16).slice(2)
  const parts: Buffer[] = []
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`))
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`))
  parts.push(Buffer.from(file.data))
  parts.push(Buffer.from(`\r\n--${boundary}--\r\n`))
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

describe(`imports on ${BACKEND}`, () => {
  beforeAll(async () => {
    db = await createTestDb()
    app = await build(db)
    await run({ layer: 'district', format: 'geojson' }, fc([poly({ code: '230204', name: '铁锋区' }, [square(123.9, 47.3, 124.0, 47.4)])]))
    await run({ layer: 'jurisdictions', format: 'geojson', district: '230204' }, fc([poly({ code: '230204005', name: '龙华街道' }, [square(123.9, 47.3, 124.0, 47.4)])]))
  })
  afterAll(async () => {
    await app?.close()
    await db?.close()
  })

  it('a zipped Shapefile with GBK names and no .cpg keeps the Chinese names', async () => {
    const names = ['和平社区', '自建二社区']
    const zip = writeZip({
      'communities.shp': writeShp([{ type: 'polygon', rings: [square(123.9, 47.3, 123.95, 47.4)] }, { type: 'polygon', rings: [square(123.95, 47.3, 124.0, 47.4)] }]),
      'communities.dbf': writeDbf(
        [{ name: 'code', type: 'C', length: 12 }, { name: 'name', type: 'C', length: 24 }, { name: 'street', type: 'C', length: 12 }],
        [['C1', names[0], '230204005'], ['C2', names[1], '230204005']],
        encodeGbk,
      ),
    })
    const rec = await run({ layer: 'communities', format: 'shapefile', district: '230204', mapping: '{"parent":"street"}' }, zip)
    expect(rec.features).toBe(2)
    expect(rec.report.source).toMatchObject({ encoding: 'gbk', encodingSource: 'gbk-default' })
    // the format's clockwise exteriors are rewound to RFC 7946 and counted, never silently
    expect(rec.report.notices.wrong_winding).toBe(2)
    const { rows } = await db.query<{ name: string }>(`SELECT name FROM communities ORDER BY code`)
    expect(rows.map((r) => r.name)).toEqual(names)
  })

  it('honours a .cpg that says UTF-8', async () => {
    const zip = writeZip({
      'u.shp': writeShp([{ type: 'polygon', rings: [square(123.91, 47.31, 123.911, 47.311)] }]),
      'u.dbf': writeDbf([{ name: 'code', type: 'C', length: 8 }, { name: 'name', type: 'C', length: 30 }, { name: 'pop', type: 'N', length: 6 }], [['CPG1', '幸福小区', 321]]),
      'u.cpg': 'UTF-8',
    })
    const rec = await run({ layer: 'units', format: 'shapefile', district: '230204', mapping: '{"population":"pop","parent":"none"}' }, zip)
    expect(rec.report.source).toMatchObject({ encoding: 'utf-8', encodingSource: 'cpg' })
    const { rows } = await db.query<{ name: string; population: number }>(`SELECT name, population FROM units WHERE ext_id = 'CPG1'`)
    expect(rows).toEqual([{ name: '幸福小区', population: 321 }])
  })

  it('converts GCJ-02 station points to WGS84 on request and records it', async () => {
    const gcj: [number, number] = [123.955, 47.355]
    const csv = `name,kind,lng,lat\n龙华派出所,police,${gcj[0]},${gcj[1]}\n`
    const rec = await run({ layer: 'stations', format: 'csv', district: '230204', crs: 'gcj02' }, csv)
    expect(rec.crsConversion).toBe('gcj02')
    const { rows } = await db.query<{ x: number; y: number }>(`SELECT ST_X(geom) x, ST_Y(geom) y FROM stations WHERE name = '龙华派出所'`)
    const want = (toWgs84({ type: 'Point', coordinates: gcj }, 'gcj02') as { coordinates: number[] }).coordinates
    expect(rows[0].x).toBeCloseTo(want[0], 9)
    expect(rows[0].y).toBeCloseTo(want[1], 9)
    expect(Math.abs(rows[0].x - gcj[0]) + Math.abs(rows[0].y - gcj[1])).toBeGreaterThan(1e-4)
    const stored = await db.query<{ crs_conversion: string }>(`SELECT crs_conversion FROM imports WHERE id = $1`, [rec.id])
    expect(stored.rows[0].crs_conversion).toBe('gcj02')
  })

  it('drops heights (z) and says so, never silently', async () => {
    const ring = square(123.96, 47.36, 123.961, 47.361).map(([x, y]) => [x, y, 152.5])
    const rec = await run({ layer: 'units', format: 'geojson', district: '230204' }, fc([poly({ code: 'Z1', population: 3 }, [ring])]))
    expect(rec.report.notices.z_dropped).toBe(1)
    const { rows } = await db.query<{ dims: number }>(`SELECT ST_NDims(geom) AS dims FROM units WHERE ext_id = 'Z1'`)
    expect(rows).toEqual([{ dims: 2 }])
  })

  it('units added to a district give each of its plans a new version (no edit row: kept tiles are cut again); other layers do not', async () => {
    const planId = (await db.query<{ id: number }>(`INSERT INTO plans (district_id, name) SELECT id, '导入前方案' FROM districts WHERE code = '230204' RETURNING id`)).rows[0].id
    const state = async () =>
      (await db.query<{ version: number; edits: number }>('SELECT version, (SELECT count(*)::int FROM plan_edits WHERE plan_id = $1) AS edits FROM plans WHERE id = $1', [planId])).rows[0]
    expect(await state()).toEqual({ version: 1, edits: 0 })
    await run({ layer: 'units', format: 'geojson', district: '230204' }, fc([poly({ code: 'V1', population: 5 }, [square(123.97, 47.37, 123.971, 47.371)])]))
    expect(await state()).toEqual({ version: 2, edits: 0 })
    await run({ layer: 'stations', format: 'csv', district: '230204' }, `name,kind,lng,lat\n铁锋站,police,123.95,47.35\n`)
    expect(await state()).toEqual({ version: 2, edits: 0 })
    // a refused import changes nothing
    await refusal(run({ layer: 'units', format: 'geojson', district: '230204' }, fc([poly({ code: 'V1', population: 5 }, [square(123.98, 47.38, 123.981, 47.381)])])))
    expect(await state()).toEqual({ version: 2, edits: 0 })
  })

  it('repair mode fixes what it can and reports each change per feature', async () => {
    const body = fc([
      poly({ code: 'R1', population: 5 }, [square(123.92, 47.32, 123.921, 47.321).slice(0, 4)]), // unclosed
      poly({ code: 'R2', population: 5 }, [[[123.93, 47.33], [123.931, 47.331], [123.931, 47.33], [123.93, 47.331], [123.93, 47.33]]]), // bow-tie
      poly({ code: 'R3', population: 5 }, [square(123.94, 47.34, 123.941, 47.341)]),
    ])
    const rejected = await refusal(run({ layer: 'units', format: 'geojson', district: '230204' }, body))
    expect(rejected.statusCode).toBe(422)
    expect(rejected.problems.map((p) => [p.index, p.code])).toEqual([
      [0, 'unclosed_ring'],
      [1, 'self_intersection'],
    ])
    expect(rejected.message).toMatch(/mode=repair/)
    const rec = await run({ layer: 'units', format: 'geojson', district: '230204', mode: 'repair' }, body)
    expect(rec.features).toBe(3)
    expect(rec.report.repairedFeatures).toBe(2)
    const byIndex = Object.fromEntries(rec.report.repairs.map((r) => [r.index, r.changes.join('; ')]))
    expect(byIndex[0]).toMatch(/closed the ring/)
    expect(byIndex[1]).toMatch(/ST_MakeValid .*Self-intersection.*MultiPolygon of 2 part/)
    const { rows } = await db.query<{ bad: number }>(`SELECT count(*)::int bad FROM units WHERE ext_id IN ('R1','R2','R3') AND NOT ST_IsValid(geom)`)
    expect(rows[0].bad).toBe(0)
  })

  describe('HTTP', () => {
    const body = (id: string, x: number) => fc([poly({ code: id, population: 7 }, [square(x, 47.36, x + 0.001, 47.361)])])
    it('refuses without a token (401) and for an analyst (403), before reading the body', async () => {
      const m = multipart({ layer: 'units', format: 'geojson', district: '230204' }, { name: 'u.geojson', data: body('H0', 123.95) })
      expect((await app.inject({ method: 'POST', url: '/api/imports', ...m })).statusCode).toBe(401)
      const analyst = await tokenFor(app, db, 'analyst')
      const r = await app.inject({ method: 'POST', url: '/api/imports', payload: m.payload, headers: { ...m.headers, ...analyst } })
      expect(r.statusCode).toBe(403)
    })
    it('a planner uploads a small file and reads the record back', async () => {
      const auth = await tokenFor(app, db, 'planner')
      const m = multipart({ layer: 'units', format: 'geojson', district: '230204' }, { name: 'u.geojson', data: body('H1', 123.951) })
      const r = await app.inject({ method: 'POST', url: '/api/imports', payload: m.payload, headers: { ...m.headers, ...auth } })
      expect(r.statusCode, r.body).toBe(200)
      const rec = r.json()
      expect(rec).toMatchObject({ layer: 'units', format: 'geojson', features: 1, filename: 'u.geojson', mode: 'reject' })
      const g = await app.inject({ method: 'GET', url: `/api/imports/${rec.id}`, headers: auth })
      expect(g.statusCode).toBe(200)
      expect(g.json().id).toBe(rec.id)
      expect((await app.inject({ method: 'GET', url: '/api/imports/999999', headers: auth })).statusCode).toBe(404)
    })
    it('answers 422 with the problems, 415 for a non-multipart body, 413 for a declared 1 GB body', async () => {
      const auth = await tokenFor(app, db, 'admin')
      const m = multipart({ layer: 'units', format: 'geojson', district: '230204' }, { name: 'u.geojson', data: body('H1', 123.952) })
      const dup = await app.inject({ method: 'POST', url: '/api/imports', payload: m.payload, headers: { ...m.headers, ...auth } })
      expect(dup.statusCode).toBe(422)
      expect(dup.json().details.problems[0]).toMatchObject({ index: 0, id: 'H1', code: 'existing_id' })
      const json = await app.inject({ method: 'POST', url: '/api/imports', payload: { layer: 'units' }, headers: auth })
      expect(json.statusCode).toBe(415)
      const big = await app.inject({
        method: 'POST',
        url: '/api/imports?layer=units&format=geojson&district=230204',
        payload: m.payload,
        headers: { ...m.headers, ...auth, 'content-length': String(1024 ** 3) },
      })
      expect(big.statusCode).toBe(413)
      expect(big.json().message).toMatch(/1024 MiB/)
    })
    it('a large upload runs as a job with progress, then shows its import', async () => {
      const auth = await tokenFor(app, db, 'planner')
      const many = fc(Array.from({ length: 60 }, (_, i) => poly({ code: `J${i}`, population: i }, [square(123.96 + i * 0.0005, 47.37, 123.9604 + i * 0.0005, 47.3704)])))
      expect(many.length).toBeGreaterThan(4000)
      const m = multipart({ layer: 'units', format: 'geojson', district: '230204' }, { name: 'many.geojson', data: many })
      const r = await app.inject({ method: 'POST', url: '/api/imports', payload: m.payload, headers: { ...m.headers, ...auth } })
      expect(r.statusCode, r.body).toBe(202)
      const job = r.json().job
      let state: { status: string; progress: number; import?: { features: number } } = { status: 'queued', progress: 0 }
      for (let i = 0; i < 200 && !['succeeded', 'failed'].includes(state.status); i++) {
        await new Promise((res) => setTimeout(res, 100))
        state = (await app.inject({ method: 'GET', url: `/api/imports/${job}`, headers: auth })).json()
      }
      expect(state.status, JSON.stringify(state)).toBe('succeeded')
      expect(state.progress).toBe(1)
      expect(state.import?.features).toBe(60)
    })
  })

  it('CLI: exit 0 with a JSON line, 2 on refusal, 2 on a missing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-import-cli-'))
    const ok = join(dir, 'ok.geojson')
    const bad = join(dir, 'bad.geojson')
    await writeFile(ok, fc([poly({ code: 'CLI1', population: 3 }, [square(123.98, 47.38, 123.981, 47.381)])]))
    await writeFile(bad, fc([poly({ code: 'CLI2', population: -3 }, [square(123.98, 47.39, 123.981, 47.391)])]))
    const out: string[] = []
    const err: string[] = []
    const io = { stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s) }
    expect(await runImport([ok, '--layer', 'units', '--district', '230204'], { io, db })).toBe(0)
    expect(JSON.parse(out[0])).toMatchObject({ ok: true, features: 1, layer: 'units' })
    expect(await runImport([bad, '--layer', 'units', '--district', '230204'], { io, db })).toBe(2)
    expect(JSON.parse(out[1])).toMatchObject({ ok: false, status: 422, code: 'negative_weight' })
    expect(err.join('\n')).toMatch(/feature 0 \(id CLI2\): negative_weight/)
    expect(await runImport([join(dir, 'nope.geojson'), '--layer', 'units'], { io, db })).toBe(2)
    expect(await runImport([ok, '--layer', 'planets'], { io, db })).toBe(2)
    expect(err.join('\n')).toMatch(/layer is "planets"/)
  })

  describe.skipIf(!existsSync(HENRICO))('Henrico census blocks (real, messy)', () => {
    const opts = { layer: 'units', format: 'geojson', district: 'henrico', mapping: '{"id":"GEOID","population":"pop","parent":"-"}' }
    beforeAll(async () => {
      await run({ layer: 'district', format: 'geojson' }, fc([poly({ code: 'henrico', name: 'Henrico County' }, [square(-77.7, 37.3, -77.1, 37.8)])]))
    })
    it('reject mode names its 12 invalid polygons and imports nothing', async () => {
      const err = await refusal(run(opts, readFileSync(HENRICO)))
      expect(err.statusCode).toBe(422)
      expect(err.problems).toHaveLength(12)
      expect(new Set(err.problems.map((p) => p.code))).toEqual(new Set(['hole_outside_shell']))
      expect(err.problems.map((p) => p.index)).toEqual([21, 786, 816, 941, 1064, 1684, 2173, 2852, 2854, 3598, 3835, 6283])
      expect(err.problems[0].id).toBe('510872016021043')
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int n FROM units u JOIN districts d ON d.id = u.district_id WHERE d.code = 'henrico'`)
      expect(rows[0].n).toBe(0)
    }, 180_000)
    it('repair mode imports every block, valid and without overlaps, with a report', async () => {
      const rec = await run({ ...opts, mode: 'repair' }, readFileSync(HENRICO))
      expect(rec.features).toBe(6354)
      const made = rec.report.repairs.filter((r) => r.changes.some((c) => c.startsWith('ST_MakeValid')))
      expect(made.map((r) => r.index)).toEqual([21, 786, 816, 941, 1064, 1684, 2173, 2852, 2854, 3598, 3835, 6283])
      expect(rec.report.repairs.some((r) => r.changes.some((c) => /overlapping earlier feature/.test(c)))).toBe(true)
      const { rows } = await db.query<{ invalid: number; pop: number }>(
        `SELECT count(*) FILTER (WHERE NOT ST_IsValid(u.geom))::int invalid, sum(u.population)::int pop
           FROM units u JOIN districts d ON d.id = u.district_id WHERE d.code = 'henrico'`,
      )
      expect(rows[0]).toEqual({ invalid: 0, pop: 306935 })
    }, 300_000)
  })

  describe.skipIf(!existsSync(OAKLAND))('OpenStreetMap roads → blocks (west Oakland)', () => {
    it('imports the roads as barriers and polygonizes them into blocks with no gap or overlap', async () => {
      const xml = readFileSync(OAKLAND, 'utf8')
      const b = /<bounds minlon="([-\d.]+)" minlat="([-\d.]+)" maxlon="([-\d.]+)" maxlat="([-\d.]+)"/.exec(xml)!.slice(1).map(Number)
      const outline = square(b[0], b[1], b[2], b[3])
      await run({ layer: 'district', format: 'geojson' }, fc([poly({ code: 'oakland', name: 'West Oakland' }, [outline])]))
      const roads = await run({ layer: 'barriers', format: 'osm', district: 'oakland' }, xml)
      expect(roads.features).toBeGreaterThan(10)
      expect(roads.report.source).toMatchObject({ osm: { lines: roads.features } })

      const { features } = readOsmXml(xml)
      const { units, report } = buildBlocks(poly({}, [outline]) as never, { type: 'FeatureCollection', features: features as never })
      expect(units.features.length).toBeGreaterThan(5)
      expect(report.areaError).toBeLessThan(1e-9) // no gap: blocks add up to the area
      // no overlap: import as units in reject mode (PostGIS overlap check), then compare areas in the database
      const blocks = fc(units.features.map((f) => ({ ...f, properties: { code: `B${f.properties.id}`, population: 0 } })))
      const rec = await run({ layer: 'units', format: 'geojson', district: 'oakland' }, blocks)
      expect(rec.features).toBe(units.features.length)
      const { rows } = await db.query<{ sum: number; union: number; district: number }>(
        `SELECT sum(ST_Area(u.geom::geography)) sum, ST_Area(ST_Union(u.geom)::geography) "union", ST_Area(d.geom::geography) district
           FROM units u JOIN districts d ON d.id = u.district_id WHERE d.code = 'oakland' GROUP BY d.geom`,
      )
      expect(Math.abs(rows[0].sum - rows[0].union)).toBeLessThan(0.01)
      // GEOS re-nodes the union, so allow a square metre of rounding on 126,000 m²
      expect(Math.abs(rows[0].union - rows[0].district)).toBeLessThan(1)
    })
  })
})
