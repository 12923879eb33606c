import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../server/app.js'
import type { Db } from '../server/db/index.js'
import type { Role } from '../server/plugins/auth.js'
import { BACKEND, createTestDb } from './helpers/db.js'
import { build } from './helpers/app.js'
import { tokenFor, userFor } from './helpers/auth.js'
import { divisionCsv, loadTestDistrict, type TestDistrict } from './helpers/district.js'

const ROLES: Role[] = ['admin', 'planner', 'police', 'analyst']
const ANY = 'any signed-in role'
const PUBLIC = 'public'

interface Entry {
  /** Who may call it: nobody needs to sign in, any signed-in role, or these roles only. */
  allow: typeof PUBLIC | typeof ANY | Role[]
  /** A request that passes validation, so the answer reflects the role check only. */
  body?: (ctx: Ctx) => unknown
  headers?: Record<string, string>
  query?: string
  /** Path parameters that differ from PARAMS. */
  params?: Record<string, string>
}
interface Ctx {
  t: TestDistrict
  login: { username: string; password: string }
}

const NONE = 999999
const PLANNERS: Role[] = ['admin', 'planner']

/**
 * Every route of the app, keyed as in the OpenAPI document. A route missing here fails the test: decide
 * who may call it and add it.
 */
const MATRIX: Record<string, Entry> = {
  'GET /health': { allow: PUBLIC },
  'GET /api/areas': { allow: PUBLIC, query: '?level=jurisdiction' },
  'POST /api/auth/login': { allow: PUBLIC, body: (c) => c.login },
  'GET /api/auth/me': { allow: ANY },
  'POST /api/auth/password': { allow: ANY, body: () => ({ currentPassword: 'not-the-password', newPassword: 'another-password' }) },
  'GET /api/users': { allow: ['admin'] },
  'POST /api/users': { allow: ['admin'], body: () => ({ username: `u${Math.random().toString(36).slice(2, 10)}`, password: 'password-1', role: 'analyst' }) },
  'GET /api/users/{id}': { allow: ['admin'] },
  'PATCH /api/users/{id}': { allow: ['admin'], body: () => ({ displayName: 'x' }) },
  'DELETE /api/users/{id}': { allow: ['admin'] },
  'GET /api/plans': { allow: ANY },
  'POST /api/plans': { allow: PLANNERS, body: (c) => ({ districtId: c.t.districtId, name: 'matrix' }) },
  'POST /api/plans/import': { allow: PLANNERS, body: (c) => ({ districtId: c.t.districtId, name: 'matrix', csv: divisionCsv(c.t) }) },
  'GET /api/plans/{id}': { allow: ANY },
  'PATCH /api/plans/{id}': { allow: PLANNERS, body: () => ({ name: 'x' }) },
  'DELETE /api/plans/{id}': { allow: PLANNERS },
  'GET /api/plans/{id}/assignments': { allow: ANY },
  'GET /api/plans/{id}/units': { allow: ANY },
  'GET /api/plans/{id}/topology': { allow: ANY },
  'POST /api/plans/{id}/copy': { allow: PLANNERS, body: () => ({}) },
  'POST /api/plans/{id}/edits': {
    allow: ['admin', 'planner', 'police'],
    headers: { 'if-match': '1' },
    body: () => ({ op: 'rename', target: 'cell', id: NONE, name: 'x' }),
  },
  'GET /api/plans/{id}/edits': { allow: ANY },
  'POST /api/plans/{id}/undo': { allow: PLANNERS, headers: { 'if-match': '1' } },
  'POST /api/plans/{id}/redo': { allow: PLANNERS, headers: { 'if-match': '1' } },
  'GET /api/plans/{id}/metrics': { allow: ANY },
  'GET /api/plans/{a}/compare/{b}': { allow: ANY },
  'GET /api/plans/{id}/export.{format}': { allow: ANY },
  'GET /api/plans/{id}/tiles/{layer}/{z}/{x}/{y}.mvt': { allow: ANY },
  'GET /api/tiles/{layer}/{z}/{x}/{y}.mvt': { allow: ANY, params: { layer: 'communities' } },
  'POST /api/imports': { allow: PLANNERS },
  'GET /api/imports/{id}': { allow: PLANNERS },
  'GET /api/jobs/{id}': { allow: ANY },
  'GET /api/jobs/{id}/events': { allow: ANY },
  'POST /api/jobs/{id}/cancel': { allow: PLANNERS },
  'POST /api/plans/{id}/jobs': { allow: PLANNERS, body: () => ({ kind: 'partition' }) },
  'GET /api/plans/{id}/jobs': { allow: ANY },
}

/** Sample path parameters: ids that do not exist (the role check comes first), valid enums. */
const PARAMS: Record<string, string> = {
  id: String(NONE), a: String(NONE), b: String(NONE), format: 'csv', layer: 'units', z: '0', x: '0', y: '0',
}
const JOB_ID = '00000000-0000-4000-8000-000000000000'

describe(`role × route matrix on ${BACKEND}`, () => {
  let db: Db
  let app: App
  let ctx: Ctx
  const headers: Partial<Record<Role, Record<string, string>>> = {}
  let routes: { method: string; path: string }[] = []

  beforeAll(async () => {
    db = await createTestDb()
    app = await build(db)
    const t = await loadTestDistrict(db)
    for (const r of ROLES) headers[r] = await tokenFor(app, db, r, r === 'police' ? { jurisdictionId: t.jurisdictions.J1 } : {})
    const { user } = await userFor(app, db, 'analyst', { password: 'login-password' })
    ctx = { t, login: { username: user.username, password: 'login-password' } }
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, unknown>> }
    routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => ({ method: m.toUpperCase(), path })),
    )
  })
  afterAll(async () => {
    await app?.close()
    await db?.close()
  })

  it('every route of the app has an entry in the matrix', () => {
    const missing = routes.map((r) => `${r.method} ${r.path}`).filter((k) => !(k in MATRIX))
    expect(missing, 'add these routes to MATRIX in tests/api-roles.test.ts').toEqual([])
    const have = new Set(routes.map((r) => `${r.method} ${r.path}`))
    expect(Object.keys(MATRIX).filter((k) => !have.has(k)), 'MATRIX names routes the app no longer has').toEqual([])
    expect(routes.length).toBeGreaterThan(20)
  })

  it('unauthenticated callers get 401, forbidden roles 403, allowed roles get past the role check', async () => {
    const failures: string[] = []
    for (const { method, path } of routes) {
      const key = `${method} ${path}`
      const e = MATRIX[key]
      if (!e) continue
      const url =
        path.replace(/\{(\w+)\}/g, (_, p: string) => e.params?.[p] ?? (path.startsWith('/api/jobs') && p === 'id' ? JOB_ID : PARAMS[p] ?? '1')) + (e.query ?? '')
      const send = (h: Record<string, string>) =>
        app.inject({ method: method as 'GET', url, headers: { ...e.headers, ...h }, ...(e.body ? { payload: e.body(ctx) as object } : {}) })
      const anon = await send({})
      if (e.allow === PUBLIC) {
        if ([401, 403].includes(anon.statusCode)) failures.push(`${key}: public but anonymous got ${anon.statusCode}`)
      } else if (anon.statusCode !== 401) failures.push(`${key}: anonymous got ${anon.statusCode}, expected 401`)
      for (const role of ROLES) {
        const r = await send(headers[role]!)
        const allowed = e.allow === PUBLIC || e.allow === ANY || e.allow.includes(role)
        if (allowed && [401, 403].includes(r.statusCode)) failures.push(`${key}: ${role} is allowed but got ${r.statusCode} ${r.body.slice(0, 120)}`)
        if (!allowed && r.statusCode !== 403) failures.push(`${key}: ${role} is not allowed but got ${r.statusCode}`)
        if (r.statusCode >= 500) failures.push(`${key}: ${role} got ${r.statusCode}`)
      }
    }
    expect(failures).toEqual([])
  })

  it('police assign grids to cells only inside their own jurisdiction, and may not reshape grids', async () => {
    const planner = headers.planner!
    const police = headers.police!
    const imp = await app.inject({
      method: 'POST', url: '/api/plans/import', headers: planner,
      payload: { districtId: ctx.t.districtId, name: 'police', csv: divisionCsv(ctx.t) },
    })
    expect(imp.statusCode, imp.body).toBe(201)
    const planId = imp.json().plan.id
    const p = (await app.inject({ method: 'GET', url: `/api/plans/${planId}`, headers: police })).json()
    const grid = Object.fromEntries(p.gridList.map((g: { code: string; id: number }) => [g.code, g.id]))
    const cell = Object.fromEntries(p.cellList.map((c: { code: string; id: number }) => [c.code, c.id]))
    const edit = (v: number, body: object) =>
      app.inject({ method: 'POST', url: `/api/plans/${planId}/edits`, headers: { ...police, 'if-match': String(v) }, payload: body })

    // J1 (own): take a grid out of cell 0501, then put it back.
    let r = await edit(1, { op: 'assign', grids: [grid['00101']], cell: null })
    expect(r.statusCode, r.body).toBe(200)
    r = await edit(2, { op: 'assign', grids: [grid['00101']], cell: cell['0501'] })
    expect(r.statusCode, r.body).toBe(200)
    r = await edit(3, { op: 'create-cell', jurisdictionId: ctx.t.jurisdictions.J1, code: '0502' })
    expect(r.statusCode, r.body).toBe(200)
    // J2 (not own): its cell and grids are out of reach.
    for (const body of [
      { op: 'assign', grids: [grid['00301']], cell: null },
      { op: 'lock', target: 'cell', ids: [cell['0601']], locked: true },
      { op: 'create-cell', jurisdictionId: ctx.t.jurisdictions.J2, code: '0602' },
      { op: 'move', units: [ctx.t.at(0, 1)], grid: grid['00102'] },
      { op: 'lock', target: 'grid', ids: [grid['00101']], locked: true },
    ]) {
      r = await edit(4, body)
      expect(r.statusCode, `${JSON.stringify(body)} ${r.body}`).toBe(403)
    }
    const after = (await app.inject({ method: 'GET', url: `/api/plans/${planId}`, headers: police })).json()
    expect(after.version).toBe(4)
  })
})
