import { VectorTile } from '@mapbox/vector-tile'
import { PbfReader } from 'pbf'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../server/app.js'
import type { Db } from '../server/db/index.js'
import { TileService, type TileHead } from '../server/tiles/index.js'
import { BACKEND, createTestDb } from './helpers/db.js'
import { build } from './helpers/app.js'
import { tokenFor, userFor } from './helpers/auth.js'
import { COLUMNS, ORIGIN, ROWS, UNIT_SIZE, createPlanFixture, moveUnit, type PlanFixture } from './helpers/plan-fixture.js'
import { userAndBaseStamp } from '../server/repo/tiles.js'
import { syntheticPlan, type SyntheticPlan } from '../bench/export-fixture.js'

/** XYZ tile of a lng/lat point (Web Mercator). */
function tileOf(lng: number, lat: number, z: number): [number, number] {
  const n = 2 ** z
  const r = (lat * Math.PI) / 180
  return [Math.floor(((lng + 180) / 360) * n), Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n)]
}
/** lng/lat box [w, s, e, n] of a tile. */
function tileBox(z: number, x: number, y: number): [number, number, number, number] {
  const n = 2 ** z
  const lat = (t: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * t) / n))) * 180) / Math.PI
  return [(x / n) * 360 - 180, lat(y + 1), ((x + 1) / n) * 360 - 180, lat(y)]
}

interface Decoded {
  id: number | undefined
  props: Record<string, unknown>
  box: [number, number, number, number]
}
function decode(buf: Buffer, layer: string, z: number, x: number, y: number): Decoded[] {
  const vt = new VectorTile(new PbfReader(buf))
  const l = vt.layers[layer]
  if (!l) return []
  const out: Decoded[] = []
  for (let i = 0; i < l.length; i++) {
    const f = l.feature(i)
    const gj = f.toGeoJSON(x, y, z)
    const pts = JSON.stringify(gj.geometry).match(/-?\d+(\.\d+)?,-?\d+(\.\d+)?/g)!.map((s) => s.split(',').map(Number))
    const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1])
    out.push({ id: f.id, props: f.properties, box: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)] })
  }
  return out
}

describe(`vector tiles on ${BACKEND}`, () => {
  let db: Db
  let app: App
  let fx: PlanFixture
  let headers: { authorization: string }
  const get = (url: string, extra: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers: { ...headers, ...extra } })
  const planTile = (layer: string, z: number, x: number, y: number) => get(`/api/plans/${fx.planId}/tiles/${layer}/${z}/${x}/${y}.mvt`)
  // The whole fixture (0.006° × 0.008°) sits inside one z14 tile; z17 tiles (~0.0027°) cut through it.
  const centre: [number, number] = [ORIGIN[0] + (COLUMNS * UNIT_SIZE) / 2, ORIGIN[1] + (ROWS * UNIT_SIZE) / 2]
  const [x14, y14] = tileOf(...centre, 14)

  beforeAll(async () => {
    db = await createTestDb()
    app = await build(db)
    fx = await createPlanFixture(db)
    headers = await tokenFor(app, db, 'police')
  })
  afterAll(async () => {
    await app?.close()
    await db?.close()
  })

  it('needs a signed-in user (any of the four roles); validates z/x/y naming the field; 404 for no plan', async () => {
    expect((await app.inject({ method: 'GET', url: `/api/plans/${fx.planId}/tiles/units/14/${x14}/${y14}.mvt` })).statusCode).toBe(401)
    expect((await app.inject({ method: 'GET', url: `/api/tiles/communities/14/${x14}/${y14}.mvt` })).statusCode).toBe(401)
    for (const role of ['admin', 'planner', 'police', 'analyst'] as const) {
      const h = await tokenFor(app, db, role)
      expect((await app.inject({ method: 'GET', url: `/api/plans/${fx.planId}/tiles/cells/14/${x14}/${y14}.mvt`, headers: h })).statusCode, role).toBe(200)
      expect((await app.inject({ method: 'GET', url: `/api/tiles/communities/14/${x14}/${y14}.mvt`, headers: h })).statusCode, role).toBe(200)
    }
    for (const [path, field] of [['units/19/0/0', 'z'], ['units/3/8/0', 'x'], ['units/3/0/8', 'y'], ['units/3/0/-1', 'y'], ['units/a/0/0', 'z'], ['roads/3/0/0', 'layer']]) {
      const r = await get(`/api/plans/${fx.planId}/tiles/${path}.mvt`)
      expect(r.statusCode, path).toBe(400)
      expect(JSON.stringify(r.json().details), path).toContain(field)
    }
    expect((await get(`/api/plans/999999/tiles/units/14/${x14}/${y14}.mvt`)).statusCode).toBe(404)
  })

  it('units land in the right z17 tiles with their assignment', async () => {
    const z = 17
    const tiles = new Map<string, [number, number]>()
    for (const u of fx.units) {
      const t = tileOf((u.box[0] + u.box[2]) / 2, (u.box[1] + u.box[3]) / 2, z)
      tiles.set(t.join('/'), t)
    }
    expect(tiles.size).toBeGreaterThan(1)
    for (const [x, y] of tiles.values()) {
      const r = await planTile('units', z, x, y)
      expect(r.statusCode).toBe(200)
      expect(r.headers['content-type']).toBe('application/vnd.mapbox-vector-tile')
      const feats = decode(r.rawPayload, 'units', z, x, y)
      const ids = new Set(feats.map((f) => f.props.unit_id))
      const [w, s, e, n] = tileBox(z, x, y)
      const margin = (e - w) / 8
      for (const u of fx.units) {
        const [cx, cy] = [(u.box[0] + u.box[2]) / 2, (u.box[1] + u.box[3]) / 2]
        if (cx >= w && cx < e && cy > s && cy <= n) expect(ids.has(u.extId), `${u.extId} in ${z}/${x}/${y}`).toBe(true)
        const far = u.box[2] < w - margin || u.box[0] > e + margin || u.box[3] < s - margin || u.box[1] > n + margin
        if (far) expect(ids.has(u.extId), `${u.extId} not in ${z}/${x}/${y}`).toBe(false)
      }
      for (const f of feats) {
        const u = fx.units.find((v) => v.extId === f.props.unit_id)!
        expect(f.id).toBe(u.id)
        const i = fx.units.indexOf(u)
        expect(f.props).toMatchObject({ name: u.name, grid_code: u.gridCode, grid_id: fx.grids[u.gridCode], households: 100 + 10 * i, weight: 2 * (100 + 10 * i), locked: u.gridCode === 'G003' })
        expect(f.props.cell_code).toBe(u.gridCode === 'G003' ? 'J02' : 'J01')
        // Decoded outline overlaps the unit's box (clipped at the tile edge + buffer).
        expect(f.box[0]).toBeLessThan(u.box[2])
        expect(f.box[2]).toBeGreaterThan(u.box[0])
      }
    }
  })

  it('grids and cells: stored or dissolved outlines with totals, Chinese names intact', async () => {
    const grids = decode((await planTile('grids', 14, x14, y14)).rawPayload, 'grids', 14, x14, y14)
    expect(grids.map((f) => f.props.grid_code).sort()).toEqual(['G001', 'G002', 'G003'])
    const g2 = grids.find((f) => f.props.grid_code === 'G002')!
    expect(g2.props).toMatchObject({ name: '和平第二网格', cell_code: 'J01', units: 4, locked: false })
    const tol = 1e-4 // a z14 tile unit is ~0.0005° / 8
    const col = [ORIGIN[0] + UNIT_SIZE, ORIGIN[1], ORIGIN[0] + 2 * UNIT_SIZE, ORIGIN[1] + ROWS * UNIT_SIZE]
    g2.box.forEach((v, i) => expect(Math.abs(v - col[i])).toBeLessThan(tol))
    const cells = decode((await planTile('cells', 14, x14, y14)).rawPayload, 'cells', 14, x14, y14)
    expect(cells.map((f) => [f.props.cell_code, f.props.name, f.props.grids, f.props.units]).sort()).toEqual([
      ['J01', '龙华第一警格', 2, 8],
      ['J02', '龙华第二警格', 1, 4],
    ])
  })

  it('an empty tile answers 204 with an ETag', async () => {
    const r = await planTile('units', 14, 0, 0)
    expect(r.statusCode).toBe(204)
    expect(r.body).toBe('')
    expect(r.headers['content-length'] ?? '0').toBe('0')
    expect(r.headers.etag).toBeDefined()
  })

  it('base-map layers: jurisdictions, communities, barriers, stations', async () => {
    for (const [layer, name] of [['jurisdictions', '龙华街道'], ['communities', '和平社区'], ['barriers', '龙华路'], ['stations', '龙华派出所']]) {
      const r = await get(`/api/tiles/${layer}/14/${x14}/${y14}.mvt`)
      expect(r.statusCode, layer).toBe(200)
      expect(decode(r.rawPayload, layer, 14, x14, y14).map((f) => f.props.name), layer).toContain(name)
      expect((await get(`/api/tiles/${layer}/14/${x14}/${y14}.mvt`, { 'if-none-match': r.headers.etag as string })).statusCode).toBe(304)
    }
    expect((await get(`/api/tiles/stations/14/0/0.mvt`)).statusCode).toBe(204)
  })

  it('ETag follows the plan version: 304 while current; an edit changes the tag and the content', async () => {
    const z = 14
    const first = await planTile('units', z, x14, y14)
    const tag = first.headers.etag as string
    expect(tag).toMatch(new RegExp(`plan-${fx.planId}-v1-units`))
    expect(first.headers['cache-control']).toMatch(/no-cache/)
    const same = await get(`/api/plans/${fx.planId}/tiles/units/${z}/${x14}/${y14}.mvt`, { 'if-none-match': tag })
    expect(same.statusCode).toBe(304)
    expect(same.headers['content-length'] ?? '0').toBe('0')
    const gridsBefore = await planTile('grids', z, x14, y14) // warm the caches of the old version

    const moved = fx.units[1] // 00102, G002 -> G001
    const version = await moveUnit(db, fx.planId, moved.id, fx.grids.G001)
    const after = await get(`/api/plans/${fx.planId}/tiles/units/${z}/${x14}/${y14}.mvt`, { 'if-none-match': tag })
    expect(after.statusCode).toBe(200)
    expect(after.headers.etag).toMatch(new RegExp(`-v${version}-`))
    const f = decode(after.rawPayload, 'units', z, x14, y14).find((d) => d.props.unit_id === moved.extId)!
    expect(f.props.grid_code).toBe('G001')
    const grids = decode((await planTile('grids', z, x14, y14)).rawPayload, 'grids', z, x14, y14)
    expect(grids.find((d) => d.props.grid_code === 'G002')!.props.units).toBe(3)
    expect(gridsBefore.headers.etag).not.toBe((await planTile('grids', z, x14, y14)).headers.etag)
  })

  it.runIf(BACKEND === 'postgres')('first requests of one tile at once share one ST_AsMVT; a request after an edit never gets the older cut', async () => {
    let cuts = 0
    const counting: Db = { ...db, query: (sql, params, opts) => ((cuts += sql.includes('ST_AsMVT') ? 1 : 0), db.query(sql, params, opts)) }
    const tiles = new TileService(counting)
    const { user } = await userFor(app, db, 'analyst')
    const head: TileHead = async (_key, read) => read(counting, user.id)
    const [x, y] = tileOf(...centre, 16)
    const units = (a: { body?: Buffer }) => decode(a.body!, 'units', 16, x, y).map((f) => `${f.props.unit_id}:${f.props.grid_code}`).sort()

    const answers = await Promise.all(Array.from({ length: 12 }, () => tiles.planTile(fx.planId, 'units', 16, x, y, undefined, head)))
    expect(cuts).toBe(1)
    for (const a of answers) expect(a).toEqual(answers[0])

    // An edit lands while a cut is running: requests that read the new version cut their own tile.
    const unit = fx.units.find((u) => units(answers[0]).some((k) => k.startsWith(`${u.extId}:`)))!
    const [before] = units(answers[0]).filter((k) => k.startsWith(`${unit.extId}:`))
    const target = before.endsWith(':G001') ? fx.grids.G002 : fx.grids.G001
    const gridCode = Object.entries(fx.grids).find(([, id]) => id === target)![0]
    cuts = 0
    const racing = tiles.planTile(fx.planId, 'units', 16, x, y, undefined, head) // at the old version, or the new one
    const version = await moveUnit(db, fx.planId, unit.id, target)
    const after = await Promise.all(Array.from({ length: 6 }, () => tiles.planTile(fx.planId, 'units', 16, x, y, undefined, head)))
    const raced = await racing
    for (const a of after) {
      expect(a.etag).toContain(`-v${version}-`)
      expect(units(a)).toContain(`${unit.extId}:${gridCode}`)
      expect(a).toEqual(after[0])
    }
    expect(cuts).toBeLessThanOrEqual(2) // the racing cut, and one more if it read the old version
    // the racing request's tile is whole at the version its tag names
    expect(units(raced)).toContain(raced.etag!.includes(`-v${version}-`) ? `${unit.extId}:${gridCode}` : before)
  })

  it.runIf(BACKEND === 'postgres')('ST_AsMVT and the in-process tiler cut the same features', async () => {
    const sql = new TileService(db)
    const mem = new TileService(db, { inProcess: true })
    const { user } = await userFor(app, db, 'analyst')
    const head: TileHead = async (_key, read) => read(db, user.id)
    for (const [layer, key, z] of [['units', 'unit_id', 17], ['grids', 'grid_code', 16], ['cells', 'cell_code', 14]] as const) {
      const [x, y] = tileOf(ORIGIN[0] + 0.0001, ORIGIN[1] + 0.0001, z)
      const a = await sql.planTile(fx.planId, layer, z, x, y, undefined, head)
      const b = await mem.planTile(fx.planId, layer, z, x, y, undefined, head)
      // Again: now from the version check and the tile cache, the same answer.
      expect(await sql.planTile(fx.planId, layer, z, x, y, undefined, head)).toEqual(a)
      expect(a.etag).toBe(b.etag)
      const props = (buf?: Buffer) => decode(buf!, layer, z, x, y).map((f) => JSON.stringify([f.props[key], f.props.weight, f.props.households, f.props.locked])).sort()
      expect(props(a.body), layer).toEqual(props(b.body))
    }
  })

  it('events: a base layer of points with kind and date; a new event changes the tag and the tile', async () => {
    const event = (kind: string, day: string, lng: number, lat: number) =>
      db.query(`INSERT INTO events (district_id, kind, occurred_on, geom) VALUES ($1, $2, $3, ST_SetSRID(ST_MakePoint($4, $5), 4326))`, [fx.districtId, kind, day, lng, lat])
    const url = `/api/tiles/events/14/${x14}/${y14}.mvt`
    expect((await get(url)).statusCode).toBe(204) // no event yet
    await event('incident', '2026-03-01', ORIGIN[0] + 0.001, ORIGIN[1] + 0.001)
    await event('mediation', '2026-03-02', ORIGIN[0] + 0.003, ORIGIN[1] + 0.005)
    const first = await get(url)
    expect(first.statusCode).toBe(200)
    expect(first.headers.etag).toMatch(/^"base-events-/)
    const props = (r: { rawPayload: Buffer }) => decode(r.rawPayload, 'events', 14, x14, y14).map((f) => f.props).sort((p, q) => String(p.occurred_on).localeCompare(String(q.occurred_on)))
    expect(props(first)).toEqual([{ kind: 'incident', occurred_on: '2026-03-01' }, { kind: 'mediation', occurred_on: '2026-03-02' }])
    expect((await get(url, { 'if-none-match': first.headers.etag as string })).statusCode).toBe(304)
    await event('demand', '2026-03-03', ORIGIN[0] + 0.005, ORIGIN[1] + 0.002)
    const after = await get(url, { 'if-none-match': first.headers.etag as string })
    expect(after.statusCode).toBe(200)
    expect(after.headers.etag).not.toBe(first.headers.etag)
    expect(props(after).map((p) => p.kind)).toEqual(['incident', 'mediation', 'demand'])
    expect((await get(`/api/tiles/events/14/0/0.mvt`)).statusCode).toBe(204)
    if (BACKEND === 'postgres') {
      // ST_AsMVT and the in-process tiler write the same points and properties.
      const { stamp } = await userAndBaseStamp(db, 0, 'events')
      const a = await new TileService(db).baseTile('events', stamp, 14, x14, y14)
      const b = await new TileService(db, { inProcess: true }).baseTile('events', stamp, 14, x14, y14)
      expect(a.etag).toBe(b.etag)
      const events = (buf?: Buffer) => decode(buf!, 'events', 14, x14, y14).map((f) => JSON.stringify([f.id, f.props])).sort()
      expect(events(a.body)).toHaveLength(3)
      expect(events(a.body)).toEqual(events(b.body))
    }
  })

  // What the request head (user + plan version, or user + table fingerprint) is cached by: nothing on
  // PostgreSQL, the read memo on the embedded database. Each test warms it first, so a memo that
  // outlived a write would answer with the old user or version.
  describe('no stale user or plan after a write', () => {
    const warm = async (url: string, h: { authorization: string }) => {
      for (let i = 0; i < 2; i++) expect((await app.inject({ method: 'GET', url, headers: h })).statusCode).toBe(200)
    }
    const plan14 = (planId: number, layer = 'units') => `/api/plans/${planId}/tiles/${layer}/14/${x14}/${y14}.mvt`

    it('an edit through the API: the next tile has the new version and content', async () => {
      const planner = await tokenFor(app, db, 'planner')
      await warm(plan14(fx.planId), planner)
      const before = await app.inject({ method: 'GET', url: plan14(fx.planId), headers: planner })
      const version = Number(/-v(\d+)-/.exec(before.headers.etag as string)![1])
      const unit = fx.units.find((u) => u.extId === '00102')!
      const from = decode(before.rawPayload, 'units', 14, x14, y14).find((f) => f.id === unit.id)!.props.grid_code
      const to = from === 'G001' ? 'G002' : 'G001'
      const edit = await app.inject({
        method: 'POST', url: `/api/plans/${fx.planId}/edits`, headers: { ...planner, 'if-match': `"${version}"` },
        payload: { op: 'move', units: [unit.id], grid: fx.grids[to] },
      })
      expect(edit.statusCode, edit.body).toBe(200)
      const after = await app.inject({ method: 'GET', url: plan14(fx.planId), headers: { ...planner, 'if-none-match': before.headers.etag as string } })
      expect(after.statusCode).toBe(200)
      expect(after.headers.etag).toContain(`-v${version + 1}-`)
      expect(decode(after.rawPayload, 'units', 14, x14, y14).find((f) => f.id === unit.id)!.props.grid_code).toBe(to)
    })

    it('a deleted user and a changed password: the old token is refused on tiles and elsewhere', async () => {
      const admin = await tokenFor(app, db, 'admin')
      for (const change of ['delete', 'password'] as const) {
        const { user, headers: h } = await userFor(app, db, 'analyst')
        await warm(plan14(fx.planId), h)
        await warm(`/api/tiles/communities/14/${x14}/${y14}.mvt`, h)
        await warm('/api/auth/me', h)
        const r = change === 'delete'
          ? await app.inject({ method: 'DELETE', url: `/api/users/${user.id}`, headers: admin })
          : await app.inject({ method: 'PATCH', url: `/api/users/${user.id}`, headers: admin, payload: { password: 'a-new-password-1234' } })
        expect(r.statusCode, r.body).toBe(change === 'delete' ? 204 : 200)
        // A tile asked for the first time (on PostgreSQL read with the user in one statement) too.
        const [fx1, fy1] = tileOf(ORIGIN[0] + 0.0001, ORIGIN[1] + 0.0001, change === 'delete' ? 15 : 16)
        const fresh = `/api/plans/${fx.planId}/tiles/grids/${change === 'delete' ? 15 : 16}/${fx1}/${fy1}.mvt`
        for (const url of [plan14(fx.planId), fresh, `/api/tiles/communities/14/${x14}/${y14}.mvt`, '/api/auth/me']) {
          expect((await app.inject({ method: 'GET', url, headers: h })).statusCode, `${change} ${url}`).toBe(401)
        }
      }
    })

    it('a changed role takes effect on the next request', async () => {
      const admin = await tokenFor(app, db, 'admin')
      const { user, headers: h } = await userFor(app, db, 'planner')
      await warm(plan14(fx.planId), h)
      await warm('/api/auth/me', h)
      // A planner gets as far as body validation (400); an analyst is refused first (403).
      const edit = () => app.inject({ method: 'POST', url: `/api/plans/${fx.planId}/edits`, headers: { ...h, 'if-match': '"1"' }, payload: { op: 'nonsense' } })
      expect((await edit()).statusCode).toBe(400)
      expect((await app.inject({ method: 'PATCH', url: `/api/users/${user.id}`, headers: admin, payload: { role: 'analyst' } })).statusCode).toBe(200)
      expect((await edit()).statusCode).toBe(403)
      expect((await app.inject({ method: 'GET', url: '/api/auth/me', headers: h })).json()).toMatchObject({ role: 'analyst' })
    })

    it('a different plan over the same tile gets its own features and tag', async () => {
      const other = await createPlanFixture(db, { name: '另一方案' })
      await moveUnit(db, other.planId, other.units[1].id, other.grids.G001)
      await warm(plan14(fx.planId), headers)
      for (const layer of ['units', 'grids', 'cells']) {
        const a = await get(plan14(fx.planId, layer))
        const b = await get(plan14(other.planId, layer))
        expect(b.headers.etag).toContain(`plan-${other.planId}-v2-${layer}`)
        const ids = (r: { rawPayload: Buffer }) => decode(r.rawPayload, layer, 14, x14, y14).map((f) => f.id).sort()
        const own = new Set<number>(layer === 'units' ? other.units.map((u) => u.id) : Object.values(layer === 'grids' ? other.grids : other.cells))
        expect(ids(b).length).toBeGreaterThan(0)
        for (const id of ids(b)) expect(own.has(id!), `${layer} ${id}`).toBe(true)
        expect(ids(a)).not.toEqual(ids(b))
      }
      expect((await get(plan14(999_999))).statusCode).toBe(404)
    })
  })

  // A 20 × 20 lattice of 0.001° units: 16 grids of 5 × 5 units (G00000 at the south-west corner, G00001 east
  // of it, row by row) and 3 police cells of 6 grids (J0000 = the south 10 unit rows but 10 units of the
  // north-east; J0002 = the north 5 unit rows). z17 tiles are ~0.0027° × 0.0019°.
  describe('a tile stays the tile across versions while no edit reaches it', () => {
    let sp: SyntheticPlan
    let analyst: { authorization: string }
    let planner: { authorization: string }
    const z = 17
    const at = (col: number, row: number) => tileOf(sp.box[0] + (col + 0.5) * 0.001, sp.box[1] + (row + 0.5) * 0.001, z)
    const url = (layer: string, [x, y]: [number, number]) => `/api/plans/${sp.planId}/tiles/${layer}/${z}/${x}/${y}.mvt`
    const fetchTile = (layer: string, t: [number, number], tag?: string) =>
      app.inject({ method: 'GET', url: url(layer, t), headers: { ...analyst, ...(tag ? { 'if-none-match': tag } : {}) } })
    const version = async () => (await db.query<{ version: number }>('SELECT version FROM plans WHERE id = $1', [sp.planId])).rows[0].version
    const edit = async (body: object) => {
      const r = await app.inject({ method: 'POST', url: `/api/plans/${sp.planId}/edits`, headers: { ...planner, 'if-match': `"${await version()}"` }, payload: body })
      expect(r.statusCode, r.body).toBe(200)
      return r.json<{ version: number }>().version
    }
    const idOf = async (table: 'grids' | 'cells', code: string) => (await db.query<{ id: number }>(`SELECT id FROM ${table} WHERE plan_id = $1 AND code = $2`, [sp.planId, code])).rows[0].id
    const unitAt = async (col: number, row: number) =>
      (await db.query<{ id: number }>(`SELECT u.id FROM units u JOIN plans p ON p.district_id = u.district_id WHERE p.id = $1 AND u.ext_id = lpad($2::text, 7, '0')`, [sp.planId, row * 20 + col])).rows[0].id
    // tile (z17) over unit (col 4, row 2), the east edge of G00000; and over (col 10, row 17), in G00014 of J0002
    let near: [number, number]
    let far: [number, number]
    const layers = ['units', 'grids', 'cells'] as const
    const snapshot = async (t: [number, number]) => Object.fromEntries(await Promise.all(layers.map(async (l) => [l, await fetchTile(l, t)] as const)))

    beforeAll(async () => {
      sp = await syntheticPlan(db, { units: 400, size: 0.001, storedOutlines: true })
      analyst = await tokenFor(app, db, 'analyst')
      planner = await tokenFor(app, db, 'planner')
      near = at(4, 2)
      far = at(10, 17)
      expect(far[1]).not.toBe(near[1])
    })

    it('an edit elsewhere: the kept tile and its tag are sent again, and a browser copy answers 304; over the edit, a new tile', async () => {
      const v0 = await version()
      const east = at(9, 0) // over G00001 but not over the unit that moves into it
      expect(east[0]).not.toBe(near[0])
      const eastGrids = await fetchTile('grids', east)
      const before = { near: await snapshot(near), far: await snapshot(far) }
      for (const l of layers) expect(before.far[l].statusCode, l).toBe(200)
      const v1 = await edit({ op: 'move', units: [await unitAt(4, 2)], grid: await idOf('grids', 'G00001') })
      expect(v1).toBe(v0 + 1)
      for (const l of layers) {
        const tag = before.far[l].headers.etag as string
        expect(tag, l).toContain(`-v${v0}-`)
        const again = await fetchTile(l, far, tag)
        expect(again.statusCode, l).toBe(304)
        expect(again.headers.etag, l).toBe(tag)
        const plain = await fetchTile(l, far)
        expect(plain.headers.etag, l).toBe(tag)
        expect(plain.rawPayload.equals(before.far[l].rawPayload), l).toBe(true)
        const moved = await fetchTile(l, near, before.near[l].headers.etag as string)
        expect(moved.statusCode, l).toBe(200)
        expect(moved.headers.etag, l).toContain(`-v${v1}-`)
      }
      // G00001's totals are in every grids tile it is in, the edited unit or not
      const g1 = await fetchTile('grids', east, eastGrids.headers.etag as string)
      expect(g1.statusCode).toBe(200)
      const g1Units = (r: { rawPayload: Buffer }) => decode(r.rawPayload, 'grids', z, ...east).find((f) => f.props.grid_code === 'G00001')!.props.units
      expect(g1Units(g1)).toBe(Number(g1Units(eastGrids)) + 1)
      const units = decode((await fetchTile('units', near)).rawPayload, 'units', z, ...near)
      expect(units.find((f) => f.props.unit_id === String(2 * 20 + 4).padStart(7, '0'))!.props.grid_code).toBe('G00001')
      // The new version of a tile the edit reached is kept in turn.
      const tag1 = (await fetchTile('grids', near)).headers.etag as string
      expect((await fetchTile('grids', near, tag1)).statusCode).toBe(304)
      // A server holding only a newer cut (restarted, or the tile evicted) still answers an older copy no edit reached with 304.
      const fresh = new TileService(db)
      const { user } = await userFor(app, db, 'analyst')
      const head: TileHead = async (_key, read) => read(db, user.id)
      const old = before.far.units.headers.etag as string
      expect((await fresh.planTile(sp.planId, 'units', z, ...far, undefined, head)).etag).toContain(`-v${v1}-`)
      expect(await fresh.planTile(sp.planId, 'units', z, ...far, old, head)).toEqual({ status: 304, etag: old })
    })

    it('a renamed grid changes every tile its units are in; a grid put in another cell changes the tiles of both cells', async () => {
      const before = { near: await snapshot(near), far: await snapshot(far) }
      const g14 = await idOf('grids', 'G00014')
      const v = await edit({ op: 'rename', target: 'grid', id: g14, code: 'G00014b' })
      for (const l of ['units', 'grids'] as const) {
        const r = await fetchTile(l, far, before.far[l].headers.etag as string)
        expect(r.statusCode, l).toBe(200)
        expect(r.headers.etag, l).toContain(`-v${v}-`)
        expect(decode(r.rawPayload, l, z, ...far).some((f) => f.props.grid_code === 'G00014b'), l).toBe(true)
      }
      for (const l of layers) expect((await fetchTile(l, near, before.near[l].headers.etag as string)).statusCode, l).toBe(304)

      // G00014 (north, J0002) joins J0000 (south): J0000's totals change over the near tile too.
      const cellsNear = await fetchTile('cells', near)
      const unitsNear = await fetchTile('units', near)
      const w = await edit({ op: 'assign', grids: [g14], cell: await idOf('cells', 'J0000') })
      const after = await fetchTile('cells', near, cellsNear.headers.etag as string)
      expect(after.statusCode).toBe(200)
      expect(after.headers.etag).toContain(`-v${w}-`)
      const grids = (r: { rawPayload: Buffer }) => decode(r.rawPayload, 'cells', z, ...near).find((f) => f.props.cell_code === 'J0000')!.props.grids
      expect(grids(after)).toBe(Number(grids(cellsNear)) + 1)
      // the units of J0000 carry its code, not its totals: but they are inside the footprint, so cut again
      expect((await fetchTile('units', near, unitsNear.headers.etag as string)).statusCode).toBe(200)
    })

    it('a version made without an edit row (a job, an import) changes every tile', async () => {
      const tags = Object.fromEntries(await Promise.all(layers.map(async (l) => [l, (await fetchTile(l, far)).headers.etag as string] as const)))
      const v = await moveUnit(db, sp.planId, await unitAt(4, 2), await idOf('grids', 'G00000'))
      for (const l of layers) {
        const r = await fetchTile(l, far, tags[l])
        expect(r.statusCode, l).toBe(200)
        expect(r.headers.etag, l).toContain(`-v${v}-`)
      }
      // and an edit row without a footprint (NULL: nothing recorded) does the same
      const tags2 = Object.fromEntries(await Promise.all(layers.map(async (l) => [l, (await fetchTile(l, far)).headers.etag as string] as const)))
      const v2 = await edit({ op: 'move', units: [await unitAt(4, 2)], grid: await idOf('grids', 'G00001') })
      await db.query('UPDATE plan_edits SET footprint = NULL WHERE plan_id = $1 AND version = $2', [sp.planId, v2])
      for (const l of layers) expect((await fetchTile(l, far, tags2[l])).headers.etag, l).toContain(`-v${v2}-`)
    })
  })
})

describe.runIf(BACKEND === 'pglite')('read memo of the embedded database', () => {
  let db: Db
  let planId: number
  beforeAll(async () => {
    db = await createTestDb()
    planId = (await createPlanFixture(db)).planId
  })
  afterAll(async () => {
    await db?.close()
  })
  const version = async (q: Pick<Db, 'query'>) => (await q.query<{ version: number }>('SELECT version FROM plans WHERE id = $1', [planId])).rows[0].version

  it('answers from memory until any other statement is sent, even one sent while a load runs', async () => {
    let loads = 0
    const read = () => db.memo!('v', (q) => (loads++, version(q)))
    const v = await read()
    expect(await read()).toBe(v)
    expect(loads).toBe(1) // remembered
    await db.query('SELECT 1') // any statement, read or write, clears it
    expect(await read()).toBe(v)
    expect(loads).toBe(2)
    // A write sent while the load is in flight: that load may have read the old row, so it is not reused.
    const [during] = await Promise.all([read(), db.query('UPDATE plans SET version = version + 1 WHERE id = $1', [planId])])
    expect(during === v || during === v + 1).toBe(true)
    expect(await read()).toBe(v + 1)
    await db.transaction((tx) => tx.query('UPDATE plans SET version = version + 1 WHERE id = $1', [planId]))
    expect(await read()).toBe(v + 2)
    // A failed load is not remembered.
    await expect(db.memo!('bad', (q) => q.query('SELECT nonsense'))).rejects.toThrow()
    expect(await db.memo!('bad', async () => 7)).toBe(7)
  })
})
