/**
 * GET /api/plans/:id/topology: unit boxes and rook adjacency for the editor, read back with the editor's
 * own decoder. The adjacency must be geo/graph's buildGraph on the same units (the graph the server's
 * checks use), in the order of GET /api/plans/:id/units; the body follows imports, not plan edits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson'
import { buildGraph } from '../geo/graph/index.js'
import { loadDemo, readDemo } from '../fixtures/demo/load.js'
import type { App } from '../server/app.js'
import type { Db } from '../server/db/index.js'
import { encodeTopology, roundOutward } from '../server/routes/topology/encode.js'
import { TOPOLOGY_TYPE } from '../server/schemas/topology.js'
import { decodeTopology, sameUnits, TopologyFormatError, type Topology } from '../web/src/api/topology.js'
import { planStateFromApi } from '../web/src/api/load.js'
import { moveUnits, violations, type PlanState } from '../web/src/ops/index.js'
import { build } from './helpers/app.js'
import { tokenFor, userFor } from './helpers/auth.js'
import { BACKEND, createTestDb } from './helpers/db.js'
import { COLS, divisionCsv, loadTestDistrict, ROWS, type TestDistrict } from './helpers/district.js'

const X0 = 123.9, Y0 = 47.3, S = 0.001 // tests/helpers/district.ts: unit (col, row) is [X0 + col·S, Y0 + row·S] + S

/** Neighbour sets by unit id, so two CSR graphs over the same units compare whatever the order of a row. */
function neighbourIds(ids: ArrayLike<number | string>, xadj: Int32Array, adjncy: Int32Array): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (let i = 0; i < ids.length; i++) out.set(String(ids[i]), [...adjncy.subarray(xadj[i], xadj[i + 1])].map((j) => String(ids[j])).sort())
  return out
}

function multipart(fields: Record<string, string>, file: { name: string; data: string }) {
  const boundary = '----gridweave' + Math.random().toString(16).slice(2)
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
  parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n${file.data}\r\n--${boundary}--\r\n`)
  return { payload: Buffer.from(parts.join('')), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

describe(`GET /api/plans/:id/topology on ${BACKEND}`, () => {
  let db: Db
  let app: App
  let t: TestDistrict
  let planner: Record<string, string>
  let planId: number
  /** The unit left out at setup, imported back by the last test. */
  const LATE = { col: COLS - 1, row: ROWS - 1 }

  const get = (url: string, headers: Record<string, string> = planner) => app.inject({ method: 'GET', url, headers })
  const topology = async (id = planId): Promise<{ t: Topology; etag: string }> => {
    const r = await get(`/api/plans/${id}/topology`)
    expect(r.statusCode, r.body).toBe(200)
    const raw = r.rawPayload
    return { t: decodeTopology(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength) as ArrayBuffer), etag: String(r.headers.etag) }
  }
  const unitIds = async (id = planId): Promise<number[]> => (await get(`/api/plans/${id}/units`)).json().units.id

  beforeAll(async () => {
    db = await createTestDb()
    app = await build(db)
    t = await loadTestDistrict(db)
    // the north-east unit arrives later, by an import
    await db.query('DELETE FROM units WHERE id = $1', [t.at(LATE.col, LATE.row)])
    planner = await tokenFor(app, db, 'planner')
    const late = t.extAt(LATE.col, LATE.row)
    const csv = divisionCsv(t).split('\n').filter((l) => l.split(',')[0] !== late).join('\n')
    const r = await app.inject({ method: 'POST', url: '/api/plans/import', headers: planner, payload: { districtId: t.districtId, name: '拓扑', csv } })
    expect(r.statusCode, r.body).toBe(201)
    planId = r.json().plan.id
  })
  afterAll(async () => {
    await app?.close()
    await db?.close()
  })

  it('answers typed arrays: the units of /units in order, their boxes, and rook neighbours (no corner touches)', async () => {
    const r = await get(`/api/plans/${planId}/topology`)
    expect(r.statusCode).toBe(200)
    expect(r.headers['content-type']).toBe(TOPOLOGY_TYPE)
    expect(r.headers['cache-control']).toBe('private, no-cache')
    expect(r.headers.etag).toMatch(/^"topology-[\w-]+"$/)
    const { t: topo } = await topology()
    const ids = await unitIds()
    expect(ids).toHaveLength(COLS * ROWS - 1)
    expect(sameUnits(topo, ids)).toBe(true)
    expect(sameUnits(topo, ids.slice(1))).toBe(false)
    // boxes hold their unit and are within float32 rounding of it
    for (let row = 0; row < ROWS; row++) {
      for (let col = 0; col < COLS; col++) {
        if (col === LATE.col && row === LATE.row) continue
        const i = ids.indexOf(t.at(col, row))
        const exact = [X0 + col * S, Y0 + row * S, X0 + (col + 1) * S, Y0 + (row + 1) * S]
        const b = [...topo.boxes.subarray(4 * i, 4 * i + 4)]
        expect(b[0]).toBeLessThanOrEqual(exact[0])
        expect(b[1]).toBeLessThanOrEqual(exact[1])
        expect(b[2]).toBeGreaterThanOrEqual(exact[2])
        expect(b[3]).toBeGreaterThanOrEqual(exact[3])
        for (let k = 0; k < 4; k++) expect(Math.abs(b[k] - exact[k])).toBeLessThan(2e-5)
      }
    }
    // a grid of squares: the four side neighbours, never the diagonal ones that meet at a corner
    const nb = neighbourIds(ids, topo.adjacency.xadj, topo.adjacency.adjncy)
    for (let row = 0; row < ROWS; row++) {
      for (let col = 0; col < COLS; col++) {
        if (col === LATE.col && row === LATE.row) continue
        const want = [[col - 1, row], [col + 1, row], [col, row - 1], [col, row + 1]]
          .filter(([c, w]) => c >= 0 && c < COLS && w >= 0 && w < ROWS && !(c === LATE.col && w === LATE.row))
          .map(([c, w]) => String(t.at(c, w)))
          .sort()
        expect(nb.get(String(t.at(col, row))), `unit (${col}, ${row})`).toEqual(want)
      }
    }
  })

  it('is buildGraph\'s adjacency of the same units', async () => {
    const { t: topo } = await topology()
    const ids = await unitIds()
    const units: FeatureCollection<Polygon> = {
      type: 'FeatureCollection',
      features: ids.map((id) => {
        const k = Number([...t.unit].find(([, u]) => u === id)![0]) - 1 // ext ids count row-major from 1
        const [col, row] = [k % COLS, Math.floor(k / COLS)]
        const [w, s, e, n] = [X0 + col * S, Y0 + row * S, X0 + (col + 1) * S, Y0 + (row + 1) * S]
        return { type: 'Feature', properties: { id: String(id) }, geometry: { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] } }
      }),
    }
    const { graph } = buildGraph(units, { id: 'id' })
    expect(neighbourIds(ids, topo.adjacency.xadj, topo.adjacency.adjncy)).toEqual(neighbourIds(graph.ids, graph.xadj, graph.adjncy))
  })

  it('401 without a token, 403 before the one-time password is replaced, 404 for a missing plan, 400 for a bad id; every role reads', async () => {
    expect((await app.inject({ method: 'GET', url: `/api/plans/${planId}/topology` })).statusCode).toBe(401)
    const { user, headers } = await userFor(app, db, 'analyst')
    await db.query('UPDATE users SET must_change_password = true WHERE id = $1', [user.id])
    const fresh = await get(`/api/plans/${planId}/topology`, headers)
    expect(fresh.statusCode).toBe(403)
    expect(fresh.json().message).toMatch(/one-time password/)
    const missing = await get('/api/plans/999999/topology')
    expect(missing.statusCode).toBe(404)
    expect(missing.json().message).toMatch(/Plan 999999 does not exist/)
    const bad = await get('/api/plans/abc/topology')
    expect(bad.statusCode).toBe(400)
    expect(bad.json().message).toMatch(/id/)
    for (const role of ['admin', 'police', 'analyst'] as const) expect((await get(`/api/plans/${planId}/topology`, await tokenFor(app, db, role))).statusCode, role).toBe(200)
  })

  it('304 for the current ETag; the tag survives plan edits and is shared by every plan of the district', async () => {
    const { etag } = await topology()
    const same = await get(`/api/plans/${planId}/topology`, { ...planner, 'if-none-match': etag })
    expect(same.statusCode).toBe(304)
    expect(same.rawPayload.length).toBe(0)
    expect(same.headers.etag).toBe(etag)
    expect((await get(`/api/plans/${planId}/topology`, { ...planner, 'if-none-match': '"topology-other"' })).statusCode).toBe(200)
    // an edit bumps the plan version; the units and their geometry are unchanged
    const plan = (await get(`/api/plans/${planId}`)).json()
    const edit = await app.inject({
      method: 'POST', url: `/api/plans/${planId}/edits`, headers: { ...planner, 'if-match': `"${plan.version}"` },
      payload: { op: 'rename', target: 'grid', id: plan.gridList[0].id, name: '新名' },
    })
    expect(edit.statusCode, edit.body).toBe(200)
    expect((await get(`/api/plans/${planId}`)).json().version).toBe(plan.version + 1)
    expect((await get(`/api/plans/${planId}/topology`, { ...planner, 'if-none-match': etag })).statusCode).toBe(304)
    const other = await app.inject({ method: 'POST', url: '/api/plans', headers: planner, payload: { districtId: t.districtId, name: '空' } })
    expect(other.statusCode).toBe(201)
    expect((await topology(other.json().id)).etag).toBe(etag)
  })

  it('with it, the editor\'s live contiguity names the same broken grids as the server\'s metrics', async () => {
    const load = async (): Promise<PlanState> => {
      const [detail, units] = [(await get(`/api/plans/${planId}`)).json(), (await get(`/api/plans/${planId}/units`)).json()]
      const { t: topo } = await topology()
      expect(sameUnits(topo, units.units.id)).toBe(true)
      const { state } = planStateFromApi(detail, units)
      return { ...state, adjacency: topo.adjacency }
    }
    const broken = (s: PlanState) =>
      violations(s).flatMap((v) => (v.kind === 'non-contiguous' ? [`${s.grids[v.grid]!.id}:${v.pieces}`] : [])).sort()
    const serverBroken = async () => {
      const m = (await get(`/api/plans/${planId}/metrics`)).json()
      return (m.violations as { code: string; gridId?: number; message: string }[])
        .filter((v) => v.code === 'not-contiguous')
        .map((v) => `${v.gridId}:${/in (\d+) pieces/.exec(v.message)![1]}`)
        .sort()
    }
    const s = await load()
    expect(broken(s)).toEqual([])
    expect(await serverBroken()).toEqual([])
    // two units of C1's south grid (3 × 2) go north, leaving its south-west unit touching the rest only at
    // a corner: two pieces by rook adjacency, one if corners counted; (1, 0) is a detached piece of the north grid
    const middle = [t.at(1, 0), t.at(0, 1)]
    const south = s.unitGrid[s.unitIds.indexOf(String(middle[0]))]!
    const north = s.unitGrid[s.unitIds.indexOf(String(t.at(1, 2)))]!
    const local = moveUnits(s, { units: middle.map((u) => s.unitIds.indexOf(String(u))), grid: north })
    expect(local.valid).toBe(true)
    if (!local.valid) return
    expect(broken(local.state)).toEqual([`${s.grids[south]!.id}:2`, `${s.grids[north]!.id}:2`].sort())
    const edit = await app.inject({
      method: 'POST', url: `/api/plans/${planId}/edits`, headers: { ...planner, 'if-match': `"${s.version}"` },
      payload: { op: 'move', units: middle, grid: Number(s.grids[north]!.id), allowDisconnected: true },
    })
    expect(edit.statusCode, edit.body).toBe(200)
    expect(await serverBroken()).toEqual(broken(local.state))
    expect(broken(await load())).toEqual(broken(local.state))
  })

  it('an import of units changes it: the new unit, its neighbours and a new ETag', async () => {
    const before = await topology()
    const [col, row] = [LATE.col, LATE.row]
    const [w, s, e, n] = [X0 + col * S, Y0 + row * S, X0 + (col + 1) * S, Y0 + (row + 1) * S]
    const late = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { code: t.extAt(col, row), population: 100, households: 40, community: '003' }, geometry: { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] } }] }
    const m = multipart({ layer: 'units', format: 'geojson', district: '230204' }, { name: 'late.geojson', data: JSON.stringify(late) })
    const imp = await app.inject({ method: 'POST', url: '/api/imports', payload: m.payload, headers: { ...m.headers, ...planner } })
    expect(imp.statusCode, imp.body).toBe(200)
    // the district graph is trusted for up to a second before its fingerprint is read again
    await new Promise((res) => setTimeout(res, 1100))
    const ids = await unitIds()
    expect(ids).toHaveLength(COLS * ROWS)
    const after = await topology()
    expect(after.etag).not.toBe(before.etag)
    expect((await get(`/api/plans/${planId}/topology`, { ...planner, 'if-none-match': before.etag })).statusCode).toBe(200)
    expect(sameUnits(after.t, ids)).toBe(true)
    const nb = neighbourIds(ids, after.t.adjacency.xadj, after.t.adjacency.adjncy)
    expect(nb.get(String(ids.at(-1)))).toEqual([String(t.at(col - 1, row)), String(t.at(col, row - 1))].sort())
    expect(nb.get(String(t.at(col - 1, row)))).toContain(String(ids.at(-1)))
  })

  it('the decoder refuses a body that is not one (wrong magic, version or length)', () => {
    const body = encodeTopology({ ids: [5, 9], boxes: [0, 0, 1, 1, 1, 0, 2, 1], xadj: Int32Array.from([0, 1, 2]), adjncy: Int32Array.from([1, 0]) })
    const ab = (b: Buffer) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer
    const ok = decodeTopology(ab(body))
    expect([ok.n, ok.firstId, ok.lastId, [...ok.boxes], [...ok.adjacency.xadj], [...ok.adjacency.adjncy]]).toEqual([2, 5, 9, [0, 0, 1, 1, 1, 0, 2, 1], [0, 1, 2], [1, 0]])
    const bad = Buffer.from(body)
    bad.write('JSON', 0, 'latin1')
    expect(() => decodeTopology(ab(bad))).toThrow(TopologyFormatError)
    const v2 = Buffer.from(body)
    v2.writeUInt32LE(2, 4)
    expect(() => decodeTopology(ab(v2))).toThrow(/version 2/)
    expect(() => decodeTopology(ab(body.subarray(0, body.length - 4)))).toThrow(/expected/)
    // float32 boxes rounded outward still hold the float64 value
    for (const x of [123.9001, 47.3003, -0.1, 1e-50]) {
      expect(roundOutward(x, -1)).toBeLessThanOrEqual(x)
      expect(roundOutward(x, 1)).toBeGreaterThanOrEqual(x)
    }
  })
})

describe(`topology of the demo district on ${BACKEND}`, () => {
  let db: Db
  let app: App
  beforeAll(async () => {
    db = await createTestDb()
    app = await build(db)
    await loadDemo(db)
  }, 120_000)
  afterAll(async () => {
    await app?.close()
    await db?.close()
  })

  it('equals buildGraph on the demo\'s units file, unit by unit', async () => {
    const headers = await tokenFor(app, db, 'analyst')
    const { rows } = await db.query<{ id: number }>('SELECT id FROM districts LIMIT 1')
    const planner = await tokenFor(app, db, 'planner')
    const p = await app.inject({ method: 'POST', url: '/api/plans', headers: planner, payload: { districtId: rows[0].id, name: 'demo' } })
    expect(p.statusCode, p.body).toBe(201)
    const r = await app.inject({ method: 'GET', url: `/api/plans/${p.json().id}/topology`, headers })
    expect(r.statusCode).toBe(200)
    const raw = r.rawPayload
    const topo = decodeTopology(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength) as ArrayBuffer)
    const units = (await app.inject({ method: 'GET', url: `/api/plans/${p.json().id}/units`, headers })).json().units as { id: number[]; extId: string[] }
    expect(sameUnits(topo, units.id)).toBe(true)
    // the file, with its own ids (codes), through buildGraph here: the same pairs by ext id
    const demo = readDemo().units as FeatureCollection<Polygon | MultiPolygon>
    const { graph } = buildGraph(demo, { id: 'code' })
    const byExt = neighbourIds(units.extId, topo.adjacency.xadj, topo.adjacency.adjncy)
    expect(byExt.size).toBe(demo.features.length)
    expect(byExt).toEqual(neighbourIds(graph.ids, graph.xadj, graph.adjncy))
    expect(topo.adjacency.adjncy.length).toBeGreaterThan(2 * demo.features.length)
  }, 120_000)
})
