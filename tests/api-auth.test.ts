import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../server/app.js'
import type { Db } from '../server/db/index.js'
import { ensureAdminAccount, jwtSecret } from '../server/plugins/auth.js'
import { BACKEND, createTestDb } from './helpers/db.js'
import { build } from './helpers/app.js'
import { tokenFor, userFor } from './helpers/auth.js'

describe(`auth and users on ${BACKEND}`, () => {
  let db: Db
  let app: App
  let jurisdictionId: number
  beforeAll(async () => {
    db = await createTestDb()
    app = await build(db)
    const d = await db.query<{ id: number }>(
      `INSERT INTO districts (code, name, geom) VALUES ('230204', '铁锋区', ST_Multi(ST_MakeEnvelope(0, 0, 1, 1, 4326))) RETURNING id`,
    )
    const j = await db.query<{ id: number }>(
      `INSERT INTO jurisdictions (district_id, code, name, geom) VALUES ($1, '230204005', '龙华街道', ST_Multi(ST_MakeEnvelope(0, 0, 1, 1, 4326))) RETURNING id`,
      [d.rows[0].id],
    )
    jurisdictionId = j.rows[0].id
  })
  afterAll(async () => {
    await app?.close()
    await db?.close()
  })

  it('keeps one generated JWT secret in the database so restarts and replicas agree', async () => {
    const a = await jwtSecret(db, {})
    const b = await jwtSecret(db, {})
    expect(a).toBe(b)
    expect(a.length).toBeGreaterThanOrEqual(32)
    expect(await jwtSecret(db, { JWT_SECRET: 'x'.repeat(40) })).toBe('x'.repeat(40))
  })

  it('first start creates one admin with a one-time password; login works, then the password must change', async () => {
    const [first, second] = await Promise.all([ensureAdminAccount(db), ensureAdminAccount(db)])
    const created = first ?? second
    expect(created).not.toBeNull()
    expect(first === null || second === null).toBe(true)
    expect(await ensureAdminAccount(db)).toBeNull()

    const bad = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: created!.username, password: 'wrong-password' } })
    expect(bad.statusCode).toBe(401)
    const nobody = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'nobody', password: 'whatever1' } })
    expect(nobody.statusCode).toBe(401)
    expect(nobody.json().message).toBe(bad.json().message)

    const ok = await app.inject({ method: 'POST', url: '/api/auth/login', payload: created! })
    expect(ok.statusCode).toBe(200)
    const { token, user } = ok.json()
    expect(user).toMatchObject({ username: created!.username, role: 'admin', mustChangePassword: true })
    const headers = { authorization: `Bearer ${token}` }
    const me = await app.inject({ method: 'GET', url: '/api/auth/me', headers })
    expect(me.statusCode).toBe(200)
    expect(me.json().username).toBe(created!.username)

    const blocked = await app.inject({ method: 'GET', url: '/api/users', headers })
    expect(blocked.statusCode).toBe(403)
    expect(blocked.json().details.reason).toBe('must-change-password')
    const change = await app.inject({
      method: 'POST', url: '/api/auth/password', headers,
      payload: { currentPassword: created!.password, newPassword: 'a-new-long-password' },
    })
    expect(change.statusCode).toBe(200)
    expect(change.json().user.mustChangePassword).toBe(false)
    // The old token ended with the old password; the returned one works.
    expect((await app.inject({ method: 'GET', url: '/api/auth/me', headers })).statusCode).toBe(401)
    headers.authorization = `Bearer ${change.json().token}`
    const again = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: created!.username, password: 'a-new-long-password' } })
    expect(again.statusCode).toBe(200)
    expect((await app.inject({ method: 'GET', url: '/api/users', headers })).statusCode).toBe(200)
  })

  it('401 without or with a bad token, 403 for the wrong role', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401)
    expect((await app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: 'Bearer nope' } })).statusCode).toBe(401)
    expect((await app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: 'Basic abc' } })).statusCode).toBe(401)
    const analyst = await tokenFor(app, db, 'analyst')
    const r = await app.inject({ method: 'GET', url: '/api/users', headers: analyst })
    expect(r.statusCode).toBe(403)
    expect(r.json().message).toMatch(/admin/)
  })

  it('admin user CRUD: create, conflicts and bad input name the field, update, delete; a deleted user’s token stops working', async () => {
    const admin = await tokenFor(app, db, 'admin')
    const noJur = await app.inject({ method: 'POST', url: '/api/users', headers: admin, payload: { username: 'cop1', password: 'password-1', role: 'police' } })
    expect(noJur.statusCode).toBe(422)
    expect(JSON.stringify(noJur.json())).toMatch(/jurisdictionId/)
    const badRole = await app.inject({ method: 'POST', url: '/api/users', headers: admin, payload: { username: 'x', password: 'password-1', role: 'king' } })
    expect(badRole.statusCode).toBe(400)
    expect(JSON.stringify(badRole.json().details)).toMatch(/role/)

    const created = await app.inject({
      method: 'POST', url: '/api/users', headers: admin,
      payload: { username: 'cop1', password: 'password-1', role: 'police', jurisdictionId, displayName: '张警官' },
    })
    expect(created.statusCode).toBe(201)
    const cop = created.json()
    expect(cop).toMatchObject({ username: 'cop1', role: 'police', jurisdictionId, displayName: '张警官' })
    const dup = await app.inject({ method: 'POST', url: '/api/users', headers: admin, payload: { username: 'cop1', password: 'password-1', role: 'analyst' } })
    expect(dup.statusCode).toBe(409)

    const list = await app.inject({ method: 'GET', url: '/api/users', headers: admin })
    expect(list.json().users.map((u: { username: string }) => u.username)).toContain('cop1')
    expect(list.body).not.toMatch(/scrypt|password_hash|passwordHash/)

    const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'cop1', password: 'password-1' } })
    const copHeaders = { authorization: `Bearer ${login.json().token}` }
    const patched = await app.inject({ method: 'PATCH', url: `/api/users/${cop.id}`, headers: admin, payload: { role: 'analyst', jurisdictionId: null } })
    expect(patched.statusCode).toBe(200)
    expect(patched.json()).toMatchObject({ role: 'analyst', jurisdictionId: null })
    // The token carries the old role, but the server re-reads the user.
    expect((await app.inject({ method: 'GET', url: '/api/auth/me', headers: copHeaders })).json().role).toBe('analyst')

    expect((await app.inject({ method: 'DELETE', url: `/api/users/${cop.id}`, headers: admin })).statusCode).toBe(204)
    expect((await app.inject({ method: 'GET', url: `/api/users/${cop.id}`, headers: admin })).statusCode).toBe(404)
    expect((await app.inject({ method: 'GET', url: '/api/auth/me', headers: copHeaders })).statusCode).toBe(401)
    const audit = await db.query<{ action: string }>(`SELECT action FROM audit_log WHERE entity = 'user' AND entity_id = $1 ORDER BY id`, [String(cop.id)])
    expect(audit.rows.map((r) => r.action)).toEqual(['create', 'update', 'delete'])
  })

  it('refuses to delete yourself or demote the last admin', async () => {
    await db.query(`DELETE FROM users WHERE role = 'admin'`)
    const { user, headers } = await userFor(app, db, 'admin')
    expect((await app.inject({ method: 'DELETE', url: `/api/users/${user.id}`, headers })).statusCode).toBe(409)
    const demote = await app.inject({ method: 'PATCH', url: `/api/users/${user.id}`, headers, payload: { role: 'planner' } })
    expect(demote.statusCode).toBe(409)
  })

  it('rate-limits login with 429', async () => {
    const codes: number[] = []
    for (let i = 0; i < 12; i++) {
      const r = await app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: '10.9.9.9', payload: { username: 'nobody', password: 'wrong-password' } })
      codes.push(r.statusCode)
    }
    expect(codes).toContain(429)
    expect(codes.slice(0, 5).every((c) => c === 401)).toBe(true)
  })
})
