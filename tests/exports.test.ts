import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../server/app.js'
import type { Db } from '../server/db/index.js'
import { BACKEND, createTestDb } from './helpers/db.js'
import { build } from './helpers/app.js'
import { tokenFor } from './helpers/auth.js'
import { createPlanFixture, moveUnit, type PlanFixture } from './helpers/plan-fixture.js'
import { layerRows, PlanChangedError } from '../server/export/rows.js'
import { COLUMNS, type ExportLayer } from '../server/export/columns.js'
import { properties } from '../server/export/values.js'
import type { Queryable } from '../server/db/index.js'

const HAS_OGR = spawnSync('ogrinfo', ['--version']).status === 0
if (!HAS_OGR) console.warn('ogrinfo (Debian gdal-bin) not found: the read-back checks of exports/*.test.ts are skipped')

/** `ogrinfo` on a file: the summary (-so) or every feature (-q). */
function ogrinfo(path: string, summary: boolean): string {
  const r = spawnSync('ogrinfo', ['-ro', '-al', summary ? '-so' : '-q', path], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`ogrinfo ${path} failed: ${r.stderr}`)
  return r.stdout
}
const featureCount = (info: string) => Number(/Feature Count: (\d+)/.exec(info)?.[1])

/** Signed area of a ring (lng/lat); > 0 when counter-clockwise. */
function signedArea(ring: number[][]): number {
  let a = 0
  for (let i = 0; i < ring.length - 1; i++) a += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1]
  return a / 2
}

describe(`plan exports on ${BACKEND}`, () => {
  let db: Db
  let app: App
  let fx: PlanFixture
  let headers: { authorization: string }
  let dir: string
  const get = (url: string, extra: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers: { ...headers, ...extra } })
  const url = (fmt: string, q = '') => `/api/plans/${fx.planId}/export.${fmt}${q}`

  beforeAll(async () => {
    db = await createTestDb()
    app = await build(db)
    fx = await createPlanFixture(db)
    headers = await tokenFor(app, db, 'analyst')
    dir = mkdtempSync(join(tmpdir(), 'gridweave-export-test-'))
  })
  afterAll(async () => {
    await app?.close()
    await db?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('needs a signed-in user (any of the four roles), and says which plan is missing', async () => {
    expect((await app.inject({ method: 'GET', url: url('geojson') })).statusCode).toBe(401)
    for (const role of ['admin', 'planner', 'police', 'analyst'] as const) {
      const r = await app.inject({ method: 'GET', url: url('csv'), headers: await tokenFor(app, db, role) })
      expect(r.statusCode, role).toBe(200)
    }
    const r = await get(`/api/plans/999999/export.geojson`)
    expect(r.statusCode).toBe(404)
    expect(r.json().message).toMatch(/999999/)
    const bad = await get(url('xlsx'))
    expect(bad.statusCode).toBe(400)
    expect(JSON.stringify(bad.json().details)).toMatch(/format/)
    expect((await get(url('geojson', '?layer=streets'))).statusCode).toBe(400)
  })

  it('GeoJSON of grids: RFC 7946 right-hand rule, dissolved outlines, totals and Chinese names', async () => {
    const r = await get(url('geojson', '?layer=grids'))
    expect(r.statusCode).toBe(200)
    expect(r.headers['content-type']).toMatch(/application\/geo\+json/)
    const fc = r.json()
    expect(fc.type).toBe('FeatureCollection')
    expect(fc.features).toHaveLength(3)
    const byCode = Object.fromEntries(fc.features.map((f: { properties: { code: string } }) => [f.properties.code, f]))
    // G002 has no stored outline: dissolved from its 4 units into one 1 × 4 rectangle.
    const g2 = byCode.G002
    expect(g2.properties).toMatchObject({ name: '和平第二网格', parent: 'J01', units: 4, locked: false, grid_id: fx.grids.G002 })
    const hh = fx.units.filter((u) => u.gridCode === 'G002').map((u) => 100 + 10 * fx.units.indexOf(u))
    expect(g2.properties.households).toBe(hh.reduce((a, b) => a + b, 0))
    expect(g2.properties.weight).toBe(2 * g2.properties.households) // weight = population
    expect(byCode.G003.properties.locked).toBe(true)
    for (const f of fc.features) {
      expect(f.geometry.type).toBe('MultiPolygon')
      expect(f.geometry.coordinates).toHaveLength(1)
      const [outer] = f.geometry.coordinates[0]
      expect(signedArea(outer)).toBeGreaterThan(0) // exterior counter-clockwise
      expect(Math.abs(signedArea(outer))).toBeCloseTo(4 * 0.002 * 0.002, 9)
    }
    if (HAS_OGR) {
      const file = join(dir, 'grids.geojson')
      writeFileSync(file, r.rawPayload)
      expect(featureCount(ogrinfo(file, true))).toBe(3)
      const all = ogrinfo(file, false)
      for (const n of ['和平第一网格', '和平第二网格', '和平第三网格']) expect(all).toContain(n)
    }
  })

  it('GeoJSON of units and cells carries the assignment and totals', async () => {
    const units = (await get(url('geojson', '?layer=units'))).json()
    expect(units.features).toHaveLength(12)
    const u = units.features.find((f: { id: string }) => f.id === '00102')
    expect(u.properties).toMatchObject({ unit_id: '00102', name: '和平小区1排2号楼', grid_code: 'G002', parent: 'G002', cell_code: 'J01', community: '230204005001' })
    const cells = (await get(url('geojson', '?layer=cells'))).json()
    expect(cells.features.map((f: { properties: { code: string } }) => f.properties.code)).toEqual(['J01', 'J02'])
    expect(cells.features[0].properties).toMatchObject({ name: '龙华第一警格', parent: '230204005', grids: 2, units: 8 })
    expect(cells.features[1].properties).toMatchObject({ grids: 1, units: 4 })
    const [outer] = cells.features[0].geometry.coordinates[0]
    expect(signedArea(outer)).toBeCloseTo(8 * 0.002 * 0.002, 9)
  })

  it('CSV assignment keeps leading zeros and offers a BOM for Excel', async () => {
    const r = await get(url('csv'))
    expect(r.statusCode).toBe(200)
    expect(r.headers['content-type']).toMatch(/text\/csv/)
    const lines = r.body.trimEnd().split('\r\n')
    expect(lines[0]).toBe('unit_id,grid_id,grid_code,cell_code')
    expect(lines).toHaveLength(13)
    const rows = lines.slice(1).map((l) => l.split(','))
    expect(rows.map((c) => c[0]).sort()).toEqual(fx.units.map((u) => u.extId).sort())
    expect(rows.find((c) => c[0] === '00403')).toEqual(['00403', String(fx.grids.G003), 'G003', 'J02'])
    const bom = await get(url('csv', '?bom=true'))
    expect([...bom.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    expect(r.rawPayload[0]).toBe(0x75) // 'u': no BOM unless asked
  })

  it.skipIf(!HAS_OGR)('zipped Shapefile opens in GDAL with WGS 84, UTF-8 names and every feature', async () => {
    const r = await get(url('shp.zip', '?layer=units'))
    expect(r.statusCode).toBe(200)
    expect(r.headers['content-type']).toBe('application/zip')
    const file = join(dir, 'units.shp.zip')
    writeFileSync(file, r.rawPayload)
    const names = r.rawPayload.toString('latin1')
    for (const ext of ['shp', 'shx', 'dbf', 'prj', 'cpg']) expect(names).toContain(`plan-${fx.planId}-v1-units.${ext}`)
    const summary = ogrinfo(`/vsizip/${file}`, true)
    expect(featureCount(summary)).toBe(12)
    expect(summary).toMatch(/Geometry: (Multi )?Polygon/)
    expect(summary).toMatch(/WGS 84|WGS_1984/)
    const all = ogrinfo(`/vsizip/${file}`, false)
    for (const u of fx.units) expect(all).toContain(u.name)
    expect(all).toContain('unit_id (String) = 00101')
    const grids = join(dir, 'grids.shp.zip')
    writeFileSync(grids, (await get(url('shp.zip', '?layer=grids'))).rawPayload)
    expect(featureCount(ogrinfo(`/vsizip/${grids}`, true))).toBe(3)
    expect(ogrinfo(`/vsizip/${grids}`, false)).toContain('和平第二网格')
  })

  it.skipIf(!HAS_OGR)('FlatGeobuf opens in GDAL with every feature and Chinese names', async () => {
    for (const [layer, n, name] of [['cells', 2, '龙华第一警格'], ['units', 12, '和平小区4排3号楼']] as const) {
      const r = await get(url('fgb', `?layer=${layer}`))
      expect(r.statusCode).toBe(200)
      const file = join(dir, `${layer}.fgb`)
      writeFileSync(file, r.rawPayload)
      const summary = ogrinfo(file, true)
      expect(featureCount(summary)).toBe(n)
      expect(summary).toMatch(/Multi Polygon/)
      expect(ogrinfo(file, false)).toContain(name)
    }
  })

  it('ETag is the plan version: 304 while current, a new tag after an edit', async () => {
    const first = await get(url('geojson', '?layer=grids'))
    const tag = first.headers.etag as string
    expect(tag).toMatch(new RegExp(`^"plan-${fx.planId}-v\\d+-grids-geojson"$`))
    const again = await get(url('geojson', '?layer=grids'), { 'if-none-match': tag })
    expect(again.statusCode).toBe(304)
    expect(again.body).toBe('')
    expect(again.headers['content-length'] ?? '0').toBe('0')
    expect((await get(url('fgb', '?layer=grids'))).headers.etag).not.toBe(tag)
    await moveUnit(db, fx.planId, fx.units[0].id, fx.grids.G002)
    const after = await get(url('geojson', '?layer=grids'), { 'if-none-match': tag })
    expect(after.statusCode).toBe(200)
    expect(after.headers.etag).not.toBe(tag)
    const g2 = after.json().features.find((f: { properties: { code: string } }) => f.properties.code === 'G002')
    expect(g2.properties.units).toBe(5)
  })

  it('an export never mixes versions: a plan edited mid-export fails instead of ending short', async () => {
    const { rows } = await db.query<{ version: number }>('SELECT version FROM plans WHERE id = $1', [fx.planId])
    const version = rows[0].version
    // A database on which an edit lands just before the first page is read.
    let edited = false
    const racing: Queryable = {
      async query(sql, params) {
        if (!edited && /ORDER BY u\.id LIMIT/.test(sql)) {
          edited = true
          await moveUnit(db, fx.planId, fx.units[2].id, fx.grids.G001)
        }
        return db.query(sql, params)
      },
      exec: (sql) => db.exec(sql),
    }
    const read = async () => {
      for await (const _row of layerRows(racing, 'units', fx.planId, version)) void _row
    }
    await expect(read()).rejects.toBeInstanceOf(PlanChangedError)
    expect(edited).toBe(true)
  })

  it('GeoJSON built by the database is byte for byte what JSON.stringify writes from the exported rows', async () => {
    // A plan of its own: awkward names, a unit without a name or grid, a fractional weight field.
    const p = await createPlanFixture(db, { name: '转义"测试' })
    const names = ['quote " back\\slash', 'line\nbreak\ttab\r', 'ctl \u0001\u001f\u007f', 'emoji 🏠 和平 \u2028', null]
    for (const [i, name] of names.entries()) await db.query('UPDATE units SET name = $2 WHERE id = $1', [p.units[i].id, name])
    const scores = [12.5, 0.1, 1 / 3, 123456.789, 2 ** 40, 0.0001, 7, -3.25, 'x', null]
    for (const [i, v] of scores.entries()) {
      await db.query(`UPDATE units SET attrs = jsonb_build_object('score', $2::jsonb) WHERE id = $1`, [p.units[i].id, JSON.stringify(v)])
    }
    await db.query(`UPDATE plans SET params = '{"weight":"score"}' WHERE id = $1`, [p.planId])
    await db.query('DELETE FROM unit_grids WHERE plan_id = $1 AND unit_id = $2', [p.planId, p.units[11].id])
    await db.query(`UPDATE grids SET name = $2 WHERE id = $1`, [p.grids.G002, '网格 "二" \\ \n'])
    const { rows } = await db.query<{ version: number }>('SELECT version FROM plans WHERE id = $1', [p.planId])
    const version = rows[0].version
    for (const layer of ['units', 'grids', 'cells'] as ExportLayer[]) {
      const cols = COLUMNS[layer]
      const features: string[] = []
      for await (const row of layerRows(db, layer, p.planId, version)) {
        const props = properties(row, cols)
        features.push(`{"type":"Feature","id":${JSON.stringify(props[cols[0].name])},"geometry":${row.geometry ?? 'null'},"properties":${JSON.stringify(props)}}`)
      }
      const want = `{"type":"FeatureCollection","name":"plan-${p.planId}-v${version}-${layer}","features":[\n${features.join(',\n')}\n]}\n`
      const r = await get(`/api/plans/${p.planId}/export.geojson?layer=${layer}`)
      expect(r.statusCode).toBe(200)
      expect(r.body, layer).toBe(want)
    }
    const units = (await get(`/api/plans/${p.planId}/export.geojson?layer=units`)).json().features
    expect(units.map((f: { properties: { name: string | null } }) => f.properties.name).slice(0, 5)).toEqual(names)
    expect(units.map((f: { properties: { weight: number | null } }) => f.properties.weight).slice(0, 10)).toEqual([12.5, 0.1, 1 / 3, 123456.789, 2 ** 40, 0.0001, 7, -3.25, 0, 0])
    expect(units[11].properties).toMatchObject({ grid_id: null, grid_code: null, parent: null, cell_id: null, cell_code: null, locked: false })
  })
})
