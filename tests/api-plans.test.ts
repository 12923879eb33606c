import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../server/app.js'
import type { Db } from '../server/db/index.js'
import { BACKEND, createTestDb } from './helpers/db.js'
import { build } from './helpers/app.js'
import { tokenFor } from './helpers/auth.js'
import { divisionCsv, loadTestDistrict, type TestDistrict } from './helpers/district.js'

type H = Record<string, string>

describe(`plans, edits, metrics and compare on ${BACKEND}`, () => {
  let db: Db
  let app: App
  let t: TestDistrict
  let planner: H
  let analyst: H
  let planId: number
  let grid: Record<string, number>
  let cell: Record<string, number>

  const get = (url: string, headers = planner) => app.inject({ method: 'GET', url, headers })
  const edit = (id: number, version: number | string | undefined, payload: object, headers: H = planner) =>
    app.inject({
      method: 'POST',
      url: `/api/plans/${id}/edits`,
      headers: version === undefined ? headers : { ...headers, 'if-match': `"${version}"` },
      payload,
    })
  const version = async (id: number) => (await get(`/api/plans/${id}`)).json().version as number
  const unitGrids = async (id: number) =>
    (await db.query<{ u: number; code: string }>(`SELECT ug.unit_id AS u, g.code FROM unit_grids ug JOIN grids g ON g.id = ug.grid_id WHERE ug.plan_id = $1 ORDER BY 1`, [id])).rows
  const importPlan = async (name: string) => {
    const r = await app.inject({
      method: 'POST', url: '/api/plans/import', headers: planner,
      payload: { districtId: t.districtId, name, csv: divisionCsv(t), params: { min: 500, max: 700, cellMin: 2, cellMax: 4 } },
    })
    expect(r.statusCode, r.body).toBe(201)
    return r.json()
  }
  const ids = async (id: number) => {
    const p = (await get(`/api/plans/${id}`)).json()
    return {
      grid: Object.fromEntries(p.gridList.map((g: { code: string; id: number }) => [g.code, g.id])) as Record<string, number>,
      cell: Object.fromEntries(p.cellList.map((c: { code: string; id: number }) => [c.code, c.id])) as Record<string, number>,
    }
  }

  beforeAll(async () => {
    db = await createTestDb()
    app = await build(db)
    t = await loadTestDistrict(db)
    planner = await tokenFor(app, db, 'planner')
    analyst = await tokenFor(app, db, 'analyst')
  })
  afterAll(async () => {
    await app?.close()
    await db?.close()
  })

  it('creates an empty plan; bad input names the field and creates nothing', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/plans', headers: planner, payload: { districtId: t.districtId, name: '空方案' } })
    expect(r.statusCode).toBe(201)
    expect(r.json()).toMatchObject({ name: '空方案', status: 'draft', version: 1, grids: 0, cells: 0, assignedUnits: 0 })
    const bad = await app.inject({ method: 'POST', url: '/api/plans', headers: planner, payload: { districtId: 99999, name: 'x' } })
    expect(bad.statusCode).toBe(422)
    expect(bad.json().details.field).toBe('body.districtId')
    const noName = await app.inject({ method: 'POST', url: '/api/plans', headers: planner, payload: { districtId: t.districtId, name: '' } })
    expect(noName.statusCode).toBe(400)
    expect(JSON.stringify(noName.json().details)).toMatch(/name/)
    expect((await get('/api/plans', analyst)).json().plans).toHaveLength(1)
  })

  it('imports a hand-made division CSV, reporting every bad row with its line number and importing nothing', async () => {
    const csv = ['unit_id,grid_id,cell_id', '0001,00101,0501', '1,00101,0501', '0001,00102,0501', '0003,00101', '0004,00101,0601', ''].join('\r\n')
    const r = await app.inject({ method: 'POST', url: '/api/plans/import', headers: planner, payload: { districtId: t.districtId, name: 'bad', csv } })
    expect(r.statusCode).toBe(422)
    const rows = r.json().details.rows as { line: number; reason: string; value?: string }[]
    expect(rows.map((x) => x.line)).toEqual([3, 4, 5, 6])
    expect(rows[0]).toMatchObject({ value: '1', reason: expect.stringMatching(/no unit/) })
    expect(rows[1].reason).toMatch(/line 2/)
    expect(rows[3].reason).toMatch(/cell 0501 on line 2/)
    expect((await get('/api/plans')).json().plans).toHaveLength(1)

    const ok = await importPlan('手工划分')
    expect(ok.import).toEqual({ rows: 36, grids: 6, cells: 2, unassignedUnits: 0 })
    expect(ok.plan).toMatchObject({ version: 1, grids: 6, cells: 2, assignedUnits: 36 })
    planId = ok.plan.id
    ;({ grid, cell } = await ids(planId))
    // Codes keep their leading zeros.
    expect(Object.keys(grid).sort()).toEqual(['00101', '00102', '00201', '00202', '00301', '00302'])
    const a = (await get(`/api/plans/${planId}/assignments`, analyst)).json()
    expect(a.units).toHaveLength(36)
    expect(a.version).toBe(1)
  })

  it('metrics: a valid plan has no violations; per grid and per cell numbers add up', async () => {
    const r = await get(`/api/plans/${planId}/metrics`, analyst)
    expect(r.statusCode).toBe(200)
    const m = r.json()
    expect(m.summary).toMatchObject({ grids: 6, cells: 2, units: 36, unassigned: 0, population: 3600, nonContiguous: 0, valid: true })
    expect(m.violations).toEqual([])
    for (const g of m.grids) expect(g).toMatchObject({ units: 6, population: 600, households: 240, pieces: 1, inBand: true, crossesCommunity: false })
    expect(m.cells.map((c: { grids: number }) => c.grids).sort()).toEqual([2, 4])
    expect(m.cells.every((c: { crossesJurisdiction: boolean; pieces: number }) => !c.crossesJurisdiction && c.pieces === 1)).toBe(true)
  })

  it('move: If-Match required, stale versions get 409 with the current version, accepted edits bump the version and log', async () => {
    const body = { op: 'move', units: [t.at(0, 1)], grid: grid['00102'] }
    expect((await edit(planId, undefined, body)).statusCode).toBe(428)
    const ok = await edit(planId, 1, body)
    expect(ok.statusCode, ok.body).toBe(200)
    const r = ok.json()
    expect(r.version).toBe(2)
    expect(ok.headers.etag).toBe('"2"')
    const byCode = Object.fromEntries(r.grids.map((g: { code: string }) => [g.code, g]))
    expect(byCode['00101']).toMatchObject({ units: 5, population: 500, pieces: 1 })
    expect(byCode['00102']).toMatchObject({ units: 7, population: 700, pieces: 1 })
    expect(r.cells.map((c: { code: string }) => c.code)).toEqual(['0501'])

    const stale = await edit(planId, 1, { op: 'move', units: [t.at(1, 1)], grid: grid['00102'] })
    expect(stale.statusCode).toBe(409)
    expect(stale.json().details).toMatchObject({ reason: 'stale', currentVersion: 2 })

    const log = (await get(`/api/plans/${planId}/edits`)).json()
    expect(log.edits[0]).toMatchObject({ version: 2, op: 'move', undone: false })
    expect(log.canUndo).toBe(true)
    const audit = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE entity = 'plan' AND entity_id = $1 AND action = 'edit.move'`, [String(planId)])
    expect(audit.rows[0].n).toBe(1)
    // Outlines are re-dissolved shortly after the commit: the moved unit now lies inside 00102's outline.
    let inside = false
    for (let i = 0; i < 50 && !inside; i++) {
      await new Promise((r) => setTimeout(r, 100))
      const q = await db.query<{ ok: boolean }>(
        `SELECT ST_Covers(g.geom, u.geom) AS ok FROM grids g, units u WHERE g.id = $1 AND u.id = $2 AND g.geom IS NOT NULL`,
        [grid['00102'], t.at(0, 1)],
      )
      inside = q.rows[0]?.ok === true
    }
    expect(inside).toBe(true)
  })

  it('refuses edits that break a hard rule with 422 and a reason, changing nothing', async () => {
    const before = await unitGrids(planId)
    const v = await version(planId)
    const cases: [object, string][] = [
      [{ op: 'move', units: [t.at(3, 0)], grid: grid['00101'] }, 'cross-community'],
      [{ op: 'move', units: [t.at(2, 0)], grid: grid['00102'] }, 'not-contiguous'],
      [{ op: 'move', units: [999999], grid: grid['00102'] }, 'unknown-unit'],
      [{ op: 'move', units: [t.at(0, 0)], grid: 999999 }, 'unknown-grid'],
      [{ op: 'assign', grids: [grid['00301']], cell: cell['0501'] }, 'cross-jurisdiction'],
      [{ op: 'rename', target: 'grid', id: grid['00101'], code: '00102' }, 'code-taken'],
      [{ op: 'merge', into: grid['00101'], grids: [grid['00201']] }, 'cross-community'],
      [{ op: 'split', grid: grid['00201'], units: [t.at(0, 0)] }, 'not-in-grid'],
    ]
    for (const [body, reason] of cases) {
      const r = await edit(planId, v, body)
      expect(r.statusCode, `${JSON.stringify(body)} ${r.body}`).toBe(422)
      expect(r.json().details.reason).toBe(reason)
    }
    const bad = await edit(planId, v, { op: 'move', units: [], grid: grid['00101'] })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().details[0].field).toBe('body.units')
    const noGrid = await edit(planId, v, { op: 'move', units: [t.at(0, 0)] })
    expect(noGrid.json()).toMatchObject({ message: 'Invalid move edit: body.grid required.' })
    const noOp = await edit(planId, v, { op: 'fly' })
    expect(noOp.json().details[0].field).toBe('body.op')
    expect(await unitGrids(planId)).toEqual(before)
    expect(await version(planId)).toBe(v)
  })

  it('locked grids and cells refuse edits until unlocked', async () => {
    let v = await version(planId)
    const lock = await edit(planId, v, { op: 'lock', target: 'grid', ids: [grid['00101']], locked: true })
    expect(lock.statusCode).toBe(200)
    v = lock.json().version
    expect((await edit(planId, v, { op: 'move', units: [t.at(0, 1)], grid: grid['00101'] })).json().details.reason).toBe('grid-locked')
    expect((await edit(planId, v, { op: 'move', units: [t.at(1, 1)], grid: grid['00102'] })).json().details.reason).toBe('source-locked')
    expect((await edit(planId, v, { op: 'split', grid: grid['00101'], units: [t.at(0, 0)] })).json().details.reason).toBe('grid-locked')
    const unlock = await edit(planId, v, { op: 'lock', target: 'grid', ids: [grid['00101']], locked: false })
    v = unlock.json().version
    const lockCell = await edit(planId, v, { op: 'lock', target: 'cell', ids: [cell['0601']], locked: true })
    v = lockCell.json().version
    expect((await edit(planId, v, { op: 'assign', grids: [grid['00301']], cell: null })).json().details.reason).toBe('cell-locked')
    expect((await edit(planId, v, { op: 'lock', target: 'cell', ids: [cell['0601']], locked: false })).statusCode).toBe(200)
  })

  it('move with grid null (the eraser) leaves units unassigned, reported by metrics; locks, contiguity and undo hold', async () => {
    const p = (await importPlan('橡皮擦')).plan
    const { grid: g } = await ids(p.id)
    let v = await version(p.id)
    const before = await unitGrids(p.id)
    // erasing the middle column of 00101 (3 × 2 units) would leave it in two pieces
    const split = await edit(p.id, v, { op: 'move', units: [t.at(1, 0), t.at(1, 1)], grid: null })
    expect(split.statusCode, split.body).toBe(422)
    expect(split.json().details.reason).toBe('not-contiguous')
    expect(await unitGrids(p.id)).toEqual(before)

    const r = await edit(p.id, v, { op: 'move', units: [t.at(0, 0), t.at(0, 1)], grid: null })
    expect(r.statusCode, r.body).toBe(200)
    v = r.json().version
    expect(r.json().grids.find((x: { code: string }) => x.code === '00101')).toMatchObject({ units: 4, population: 400 })
    const after = await unitGrids(p.id)
    expect(after.map((x) => x.u)).toEqual(before.map((x) => x.u).filter((u) => u !== t.at(0, 0) && u !== t.at(0, 1)))
    const m = (await get(`/api/plans/${p.id}/metrics`)).json()
    expect(m.violations.find((x: { code: string }) => x.code === 'unassigned').unitIds.sort()).toEqual([t.at(0, 0), t.at(0, 1)].sort())
    expect((await edit(p.id, v, { op: 'move', units: [t.at(0, 0)], grid: null })).json().details.reason).toBe('no-change')

    const lock = await edit(p.id, v, { op: 'lock', target: 'grid', ids: [g['00201']], locked: true })
    v = lock.json().version
    expect((await edit(p.id, v, { op: 'move', units: [t.at(3, 0)], grid: null })).json().details.reason).toBe('source-locked')

    // undo the lock, then the eraser: every unit back where it was
    for (let i = 0; i < 2; i++) {
      const u = await app.inject({ method: 'POST', url: `/api/plans/${p.id}/undo`, headers: { ...planner, 'if-match': `"${v}"` } })
      expect(u.statusCode, u.body).toBe(200)
      v = u.json().version
    }
    expect(await unitGrids(p.id)).toEqual(before)
    // police may not erase
    const police = await tokenFor(app, db, 'police', { jurisdictionId: t.jurisdictions.J1 })
    expect((await edit(p.id, v, { op: 'move', units: [t.at(0, 0)], grid: null }, police)).statusCode).toBe(403)
  })

  it('split, merge, assign and rename; undo replays inverses (same ids back) and redo re-applies', async () => {
    let v = await version(planId)
    const before = await unitGrids(planId)
    const split = await edit(planId, v, { op: 'split', grid: grid['00302'], units: [t.at(6, 3), t.at(7, 3), t.at(8, 3)], code: '00303' })
    expect(split.statusCode, split.body).toBe(200)
    const newId = split.json().createdGrids[0]
    v = split.json().version
    const m = Object.fromEntries(split.json().grids.map((g: { code: string }) => [g.code, g]))
    expect(m['00303']).toMatchObject({ units: 3, population: 300, cellId: cell['0601'], inBand: false })
    expect(split.json().violations.map((x: { code: string }) => x.code)).toContain('out-of-band')

    const merge = await edit(planId, v, { op: 'merge', into: grid['00302'], grids: [newId] })
    expect(merge.statusCode, merge.body).toBe(200)
    expect(merge.json().removedGrids).toEqual([newId])
    v = merge.json().version
    expect(await unitGrids(planId)).toEqual(before)

    const undo = async () => app.inject({ method: 'POST', url: `/api/plans/${planId}/undo`, headers: { ...planner, 'if-match': String(v) } })
    const redo = async () => app.inject({ method: 'POST', url: `/api/plans/${planId}/redo`, headers: { ...planner, 'if-match': String(v) } })
    let r = await undo() // un-merge: the split grid comes back with its id
    expect(r.statusCode, r.body).toBe(200)
    v = r.json().version
    expect((await ids(planId)).grid['00303']).toBe(newId)
    r = await undo() // un-split
    v = r.json().version
    expect((await ids(planId)).grid['00303']).toBeUndefined()
    expect(await unitGrids(planId)).toEqual(before)
    r = await redo() // split again, same id
    v = r.json().version
    expect((await ids(planId)).grid['00303']).toBe(newId)
    expect((await get(`/api/plans/${planId}/edits`)).json().canRedo).toBe(true)
    // A new edit ends the redo stack.
    r = await edit(planId, v, { op: 'rename', target: 'grid', id: newId, name: '站前三网格' })
    expect(r.statusCode).toBe(200)
    v = r.json().version
    expect((await redo()).json().details.reason).toBe('nothing-to-redo')
    r = await edit(planId, v, { op: 'assign', grids: [newId], cell: null })
    expect(r.statusCode).toBe(200)
    v = r.json().version
    expect(r.json().cells.find((c: { code: string }) => c.code === '0601')).toMatchObject({ grids: 2 })
    const metrics = (await get(`/api/plans/${planId}/metrics`)).json()
    expect(metrics.violations.map((x: { code: string }) => x.code)).toEqual(expect.arrayContaining(['out-of-band', 'no-cell']))
  })

  it('copy, compare, publish/archive, delete', async () => {
    const copy = await app.inject({ method: 'POST', url: `/api/plans/${planId}/copy`, headers: planner, payload: { name: '副本' } })
    expect(copy.statusCode, copy.body).toBe(201)
    const c = copy.json()
    expect(c).toMatchObject({ name: '副本', version: 1, copiedFrom: planId, status: 'draft' })
    expect((await unitGrids(c.id)).map((x) => [x.u, x.code])).toEqual((await unitGrids(planId)).map((x) => [x.u, x.code]))
    const cg = (await ids(c.id)).grid
    const mv = await edit(c.id, 1, { op: 'move', units: [t.at(1, 1)], grid: cg['00102'] })
    expect(mv.statusCode, mv.body).toBe(200)

    const cmp = await get(`/api/plans/${planId}/compare/${c.id}`, analyst)
    expect(cmp.statusCode, cmp.body).toBe(200)
    const d = cmp.json()
    expect(d).toMatchObject({ unitsMoved: 1, peopleMoved: 100, gridsAdded: [], gridsRemoved: [] })
    expect(d.changes.features).toHaveLength(1)
    expect(d.changes.features[0].properties).toMatchObject({ extId: t.extAt(1, 1), from: '00101', to: '00102' })
    expect(d.changes.features[0].geometry.type).toBe('MultiPolygon')
    expect(d.gridDeltas.map((g: { code: string }) => g.code)).toEqual(['00101', '00102'])

    const pub = await app.inject({ method: 'PATCH', url: `/api/plans/${c.id}`, headers: planner, payload: { status: 'published', name: '发布方案' } })
    expect(pub.json()).toMatchObject({ status: 'published', name: '发布方案', version: 2 })
    const frozen = await edit(c.id, 2, { op: 'move', units: [t.at(1, 1)], grid: cg['00101'] })
    expect(frozen.statusCode).toBe(409)
    expect(frozen.json().details.reason).toBe('not-draft')
    expect((await app.inject({ method: 'DELETE', url: `/api/plans/${c.id}`, headers: planner })).statusCode).toBe(409)
    await app.inject({ method: 'PATCH', url: `/api/plans/${c.id}`, headers: planner, payload: { status: 'archived' } })
    expect((await app.inject({ method: 'DELETE', url: `/api/plans/${c.id}`, headers: planner })).statusCode).toBe(204)
    expect((await get(`/api/plans/${c.id}`)).statusCode).toBe(404)
    expect((await db.query('SELECT 1 FROM unit_grids WHERE plan_id = $1', [c.id])).rows).toHaveLength(0)
  })

  it('20 concurrent edits: with one If-Match exactly one wins; with successive versions every accepted edit lands; rejected ones get 409 and change nothing', async () => {
    const p = (await importPlan('并发')).plan.id as number
    const { grid: g } = await ids(p)
    const before = await unitGrids(p)

    // Round 1: 20 different, individually valid edits, all made on version 1.
    const moves = [] as { unit: number; to: number }[]
    for (let col = 0; col < 9 && moves.length < 20; col++) {
      const com = col < 3 ? '001' : col < 6 ? '002' : '003'
      moves.push({ unit: t.at(col, 1), to: g[`${com}02`] }, { unit: t.at(col, 2), to: g[`${com}01`] })
    }
    const bodies = [
      ...moves.slice(0, 18).map((m) => ({ op: 'move', units: [m.unit], grid: m.to })),
      { op: 'create-cell', jurisdictionId: t.jurisdictions.J1, code: 'R1' },
      { op: 'create-cell', jurisdictionId: t.jurisdictions.J2, code: 'R2' },
    ]
    const r1 = await Promise.all(bodies.map((b) => edit(p, 1, b)))
    const codes1 = r1.map((r) => r.statusCode)
    expect(codes1.filter((c) => c === 200)).toHaveLength(1)
    expect(codes1.filter((c) => c === 409)).toHaveLength(19)
    const winner = bodies[codes1.indexOf(200)] as { op: string; units?: number[] }
    const after1 = await unitGrids(p)
    const changed = after1.filter((x, i) => x.code !== before[i].code)
    if (winner.op === 'move') expect(changed.map((x) => x.u)).toEqual(winner.units)
    else expect(changed).toEqual([])
    expect(await version(p)).toBe(2)

    // Round 2: 20 independent edits sent at once with versions 2..21.
    const cellsBefore = (await ids(p)).cell
    const r2 = await Promise.all(
      Array.from({ length: 20 }, (_, i) => edit(p, 2 + i, { op: 'create-cell', jurisdictionId: t.jurisdictions.J1, code: `C${String(i).padStart(2, '0')}` })),
    )
    const codes2 = r2.map((r) => r.statusCode)
    expect(codes2.every((c) => c === 200 || c === 409)).toBe(true)
    expect(codes2[0]).toBe(200)
    const accepted = r2.flatMap((r, i) => (r.statusCode === 200 ? [`C${String(i).padStart(2, '0')}`] : []))
    for (const r of r2.filter((x) => x.statusCode === 409)) expect(r.json().details.reason).toBe('stale')
    const cellsAfter = (await ids(p)).cell
    const newCells = Object.keys(cellsAfter).filter((k) => !(k in cellsBefore)).sort()
    expect(newCells).toEqual(accepted.sort())
    expect(await version(p)).toBe(2 + accepted.length)
    expect(await unitGrids(p)).toEqual(after1)
    const log = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM plan_edits WHERE plan_id = $1', [p])
    expect(log.rows[0].n).toBe(1 + accepted.length)
    // Accepted edits carry versions 3, 4, … in the order they were applied.
    expect(r2.filter((r) => r.statusCode === 200).map((r) => r.json().version).sort((a, b) => a - b)).toEqual(accepted.map((_, i) => 3 + i))
  })
  it('units: every unit of the district as columns in id order, unassigned ones with grid null; 304 on a matching ETag', async () => {
    // a division that leaves the west column (the first unit of each row) out
    const west = [0, 1, 2, 3].map((row) => t.extAt(0, row))
    const csv = divisionCsv(t).split('\n').filter((l) => !west.includes(l.split(',')[0])).join('\n')
    const imp = await app.inject({ method: 'POST', url: '/api/plans/import', headers: planner, payload: { districtId: t.districtId, name: '部分', csv } })
    expect(imp.statusCode, imp.body).toBe(201)
    const p = imp.json().plan.id as number
    expect(imp.json().import.unassignedUnits).toBe(4)
    const police = await tokenFor(app, db, 'police')
    const r = await get(`/api/plans/${p}/units`, police)
    expect(r.statusCode, r.body).toBe(200)
    const body = r.json() as { version: number; units: Record<string, unknown[]> }
    expect(body.version).toBe(1)
    expect(r.headers.etag).toBeTruthy()

    const { rows } = await db.query<{ id: number; ext: string; pop: number; hh: number; com: number | null; grid: number | null }>(
      `SELECT u.id, u.ext_id AS ext, u.population AS pop, u.households AS hh, u.community_id AS com, ug.grid_id AS grid
         FROM units u LEFT JOIN unit_grids ug ON ug.plan_id = $1 AND ug.unit_id = u.id WHERE u.district_id = $2 ORDER BY u.id`,
      [p, t.districtId],
    )
    expect(rows).toHaveLength(36)
    const u = body.units
    for (const k of ['id', 'extId', 'population', 'households', 'community', 'grid']) expect(u[k], k).toHaveLength(36)
    expect(u.id).toEqual(rows.map((x) => x.id))
    expect(u.extId).toEqual(rows.map((x) => x.ext))
    expect(u.population).toEqual(rows.map((x) => x.pop))
    expect(u.households).toEqual(rows.map((x) => x.hh))
    expect(u.community).toEqual(rows.map((x) => x.com))
    expect(u.grid).toEqual(rows.map((x) => x.grid))
    // the units left out of the CSV are there, unassigned
    const left = [0, 1, 2, 3].map((row) => t.at(0, row))
    expect(u.id.filter((_, i) => u.grid[i] === null)).toEqual(left)
    expect(u.grid.filter((g) => g !== null)).toHaveLength(32)
    // and the assigned ones agree with /assignments
    const a = (await get(`/api/plans/${p}/assignments`)).json()
    expect(u.id.filter((_, i) => u.grid[i] !== null)).toEqual(a.units)
    expect(u.grid.filter((g) => g !== null)).toEqual(a.grids)

    const tag = r.headers.etag as string
    const same = await app.inject({ method: 'GET', url: `/api/plans/${p}/units`, headers: { ...analyst, 'if-none-match': tag } })
    expect(same.statusCode).toBe(304)
    expect(same.body).toBe('')
    expect(same.headers.etag).toBe(tag)
    // another plan's tag (same version) does not match
    const other = await app.inject({ method: 'GET', url: `/api/plans/${planId}/units`, headers: { ...analyst, 'if-none-match': tag } })
    expect(other.statusCode).toBe(200)
    expect(other.headers.etag).not.toBe(tag)

    // an edit makes a new version: the old tag no longer matches and the column shows the move
    const { grid: g } = await ids(p)
    const mv = await edit(p, 1, { op: 'move', units: [t.at(0, 0)], grid: g['00101'] })
    expect(mv.statusCode, mv.body).toBe(200)
    const after = await app.inject({ method: 'GET', url: `/api/plans/${p}/units`, headers: { ...analyst, 'if-none-match': tag } })
    expect(after.statusCode).toBe(200)
    expect(after.json().version).toBe(2)
    expect(after.json().units.grid[after.json().units.id.indexOf(t.at(0, 0))]).toBe(g['00101'])
    expect((await get('/api/plans/999999/units')).statusCode).toBe(404)
  })
})
