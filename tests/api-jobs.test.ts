import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../server/app.js'
import type { Db } from '../server/db/index.js'
import { jobRunnerFor } from '../server/jobs/index.js'
import { BACKEND, createTestDb } from './helpers/db.js'
import { build } from './helpers/app.js'
import { tokenFor } from './helpers/auth.js'
import { divisionCsv, loadTestDistrict, type TestDistrict } from './helpers/district.js'

type H = Record<string, string>

describe(`jobs (pg-boss, worker thread) on ${BACKEND}`, () => {
  let db: Db
  let app: App
  let t: TestDistrict
  let planner: H
  // The test holds a job between its engine run and its write when `hold` is set.
  let hold: { reached: () => void; release: Promise<void> } | null = null

  const get = (url: string) => app.inject({ method: 'GET', url, headers: planner })
  const createPlan = async (name: string) =>
    (await app.inject({ method: 'POST', url: '/api/plans', headers: planner, payload: { districtId: t.districtId, name, params: { min: 500, max: 700, cellMin: 2, cellMax: 4 } } })).json()
      .id as number
  const startJob = async (planId: number, payload: object) => {
    const r = await app.inject({ method: 'POST', url: `/api/plans/${planId}/jobs`, headers: planner, payload })
    expect(r.statusCode, r.body).toBe(202)
    return r.json().id as string
  }
  const waitDone = async (id: string) => {
    for (let i = 0; i < 600; i++) {
      const j = (await get(`/api/jobs/${id}`)).json()
      if (['succeeded', 'failed', 'cancelled'].includes(j.status)) return j
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`job ${id} did not finish`)
  }
  const holdNext = () => {
    let reached!: () => void
    let release!: () => void
    const atWrite = new Promise<void>((r) => (reached = r))
    hold = { reached, release: new Promise<void>((r) => (release = r)) }
    return { atWrite, release }
  }
  const state = async (planId: number) => ({
    version: (await get(`/api/plans/${planId}`)).json().version,
    units: (await db.query('SELECT unit_id, grid_id FROM unit_grids WHERE plan_id = $1 ORDER BY unit_id', [planId])).rows,
    grids: (await db.query('SELECT id, code FROM grids WHERE plan_id = $1 ORDER BY id', [planId])).rows,
  })

  beforeAll(async () => {
    db = await createTestDb()
    app = await build(db)
    jobRunnerFor(db).configure({
      beforeWrite: async () => {
        const h = hold
        if (!h) return
        hold = null
        h.reached()
        await h.release
      },
    })
    t = await loadTestDistrict(db)
    planner = await tokenFor(app, db, 'planner')
  })
  afterAll(async () => {
    await app?.close()
    await db?.close()
  })

  it('partition: 202 at once, progress as server-sent events, then every unit in a contiguous in-band grid of its community', async () => {
    const planId = await createPlan('自动划分')
    const id = await startJob(planId, { kind: 'partition', params: { seed: 7 } })
    const events = await get(`/api/jobs/${id}/events`)
    expect(events.headers['content-type']).toMatch(/text\/event-stream/)
    const names = [...events.body.matchAll(/^event: (\w+)$/gm)].map((m) => m[1])
    expect(names.at(-1)).toBe('done')
    const last = JSON.parse(events.body.trim().split('\n').filter((l) => l.startsWith('data: ')).at(-1)!.slice(6))
    expect(last.status, JSON.stringify(last)).toBe('succeeded')
    expect(last.progress).toBe(1)
    expect(last.result).toMatchObject({ version: 2, parts: 6 })

    const m = (await get(`/api/plans/${planId}/metrics`)).json()
    expect(m.version).toBe(2)
    expect(m.summary).toMatchObject({ grids: 6, unassigned: 0, nonContiguous: 0, population: 3600, valid: true })
    expect(m.grids.every((g: { inBand: boolean; crossesCommunity: boolean }) => g.inBand && !g.crossesCommunity)).toBe(true)
    // The job's result is one undoable edit.
    const log = (await get(`/api/plans/${planId}/edits`)).json()
    expect(log.edits[0]).toMatchObject({ op: 'partition', version: 2 })
    const undo = await app.inject({ method: 'POST', url: `/api/plans/${planId}/undo`, headers: { ...planner, 'if-match': '2' } })
    expect(undo.statusCode, undo.body).toBe(200)
    expect((await get(`/api/plans/${planId}`)).json()).toMatchObject({ version: 3, grids: 0, assignedUnits: 0 })
    const redo = await app.inject({ method: 'POST', url: `/api/plans/${planId}/redo`, headers: { ...planner, 'if-match': '3' } })
    expect(redo.statusCode, redo.body).toBe(200)
    expect((await get(`/api/plans/${planId}/metrics`)).json().summary).toMatchObject({ grids: 6, unassigned: 0, valid: true })
  })

  it('cells and rebalance: locked grids and cells are kept; rebalance moves few units', async () => {
    const imp = await app.inject({
      method: 'POST', url: '/api/plans/import', headers: planner,
      payload: { districtId: t.districtId, name: 'rebalance', csv: divisionCsv(t).replace(/,0[56]01$/gm, ','), params: { min: 500, max: 700, cellMin: 2, cellMax: 4 } },
    })
    expect(imp.statusCode, imp.body).toBe(201)
    const planId = imp.json().plan.id
    let j = await waitDone(await startJob(planId, { kind: 'cells' }))
    expect(j.status, JSON.stringify(j)).toBe('succeeded')
    // grids per cell come from the plan's cellMin/cellMax, not its min/max (the grid band, 500–700 people)
    expect(j.result.feasibility).toMatchObject({ min: 2, max: 4 })
    let m = (await get(`/api/plans/${planId}/metrics`)).json()
    expect(m.summary.cells).toBeGreaterThanOrEqual(2)
    expect(m.cells.every((c: { inBand: boolean; crossesJurisdiction: boolean }) => c.inBand && !c.crossesJurisdiction)).toBe(true)
    expect(m.violations).toEqual([])

    // Population grows in the south-west corner: grid 00101 leaves the band.
    await db.query('UPDATE units SET population = 200 WHERE id = ANY($1::bigint[])', [[t.at(0, 0), t.at(1, 0)]])
    const before = await state(planId)
    const gridIds = Object.fromEntries(before.grids.map((g) => [(g as { code: string }).code, (g as { id: number }).id]))
    const lock = await app.inject({
      method: 'POST', url: `/api/plans/${planId}/edits`, headers: { ...planner, 'if-match': String(before.version) },
      payload: { op: 'lock', target: 'grid', ids: [gridIds['00301']], locked: true },
    })
    expect(lock.statusCode).toBe(200)
    j = await waitDone(await startJob(planId, { kind: 'rebalance' }))
    expect(j.status, JSON.stringify(j)).toBe('succeeded')
    const after = await state(planId)
    m = (await get(`/api/plans/${planId}/metrics`)).json()
    expect(m.summary.nonContiguous).toBe(0)
    expect(m.grids.every((g: { inBand: boolean }) => g.inBand)).toBe(true)
    const moved = after.units.filter((u, i) => (u as { grid_id: number }).grid_id !== (before.units[i] as { grid_id: number }).grid_id)
    expect(moved.length).toBeGreaterThan(0)
    expect(moved.length).toBeLessThanOrEqual(6)
    // The locked grid kept its id and units.
    const lockedBefore = before.units.filter((u) => (u as { grid_id: number }).grid_id === gridIds['00301'])
    expect(after.units.filter((u) => (u as { grid_id: number }).grid_id === gridIds['00301'])).toEqual(lockedBefore)
  })

  it('cancel: a running job stops and the plan is unchanged', async () => {
    const planId = await createPlan('取消')
    const { atWrite, release } = holdNext()
    const before = await state(planId)
    const id = await startJob(planId, { kind: 'partition' })
    await atWrite
    const c = await app.inject({ method: 'POST', url: `/api/jobs/${id}/cancel`, headers: planner })
    expect(c.statusCode).toBe(200)
    expect(c.json().cancelRequested).toBe(true)
    release()
    const j = await waitDone(id)
    expect(j.status).toBe('cancelled')
    expect(await state(planId)).toEqual(before)
    expect((await app.inject({ method: 'POST', url: `/api/jobs/${id}/cancel`, headers: planner })).statusCode).toBe(409)
  })

  it('an edit made while a job runs wins: the job fails instead of overwriting it', async () => {
    const planId = await createPlan('并发作业')
    const { atWrite, release } = holdNext()
    const id = await startJob(planId, { kind: 'partition' })
    await atWrite
    const e = await app.inject({
      method: 'POST', url: `/api/plans/${planId}/edits`, headers: { ...planner, 'if-match': '1' },
      payload: { op: 'create-cell', jurisdictionId: t.jurisdictions.J1, code: 'X1' },
    })
    expect(e.statusCode, e.body).toBe(200)
    const before = await state(planId)
    release()
    const j = await waitDone(id)
    expect(j.status).toBe('failed')
    expect(j.error).toMatch(/changed/)
    expect(await state(planId)).toEqual(before)
  })

  it('bad job requests are refused with the field named', async () => {
    const planId = await createPlan('no band')
    await app.inject({ method: 'PATCH', url: `/api/plans/${planId}`, headers: planner, payload: { params: {} } })
    const r = await app.inject({ method: 'POST', url: `/api/plans/${planId}/jobs`, headers: planner, payload: { kind: 'partition' } })
    expect(r.statusCode).toBe(422)
    expect(r.json().details.field).toBe('body.params.min')
    const k = await app.inject({ method: 'POST', url: `/api/plans/${planId}/jobs`, headers: planner, payload: { kind: 'dance' } })
    expect(k.statusCode).toBe(400)
    expect((await get('/api/jobs/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404)
  })

  it('killing the worker mid-job leaves the plan version and assignments unchanged', async () => {
    const planId = await createPlan('崩溃')
    const { atWrite } = holdNext()
    const before = await state(planId)
    const id = await startJob(planId, { kind: 'partition' })
    await atWrite
    expect((await get(`/api/jobs/${id}`)).json().status).toBe('running')
    // As a crash would: threads terminated, nothing more written (the held write never resumes).
    await jobRunnerFor(db).stop()
    await new Promise((r) => setTimeout(r, 300))
    expect(await state(planId)).toEqual(before)
    const j = (await get(`/api/jobs/${id}`)).json()
    expect(j.status).toBe('running')
    expect(j.result).toBeNull()
  })
})
