/**
 * Security probes (issue 9): helmet headers, SQL injection in every path and query parameter, path
 * traversal in file names and on the static server, oversized / deeply nested / slow bodies, and no
 * secret in the logs. The role × route matrix lives in api-roles.test.ts; login's 429 in api-auth.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp, type App } from '../server/app.js'
import type { Db } from '../server/db/index.js'
import { BACKEND, createTestDb } from './helpers/db.js'
import { tokenFor, userFor } from './helpers/auth.js'
import { divisionCsv, loadTestDistrict, type TestDistrict } from './helpers/district.js'

const PAYLOADS = ["' OR 1=1--", '1; DROP TABLE units;--', "'); SELECT pg_sleep(5);--", '%27', '\u2019 OR \u20181\u2019=\u20181', '"; DELETE FROM plans; --']

const EMPTY = JSON.stringify({ type: 'FeatureCollection', features: [] })

interface Operation {
  method: string
  path: string
  params: { name: string; in: string }[]
}

/** Rows in every table of the public schema, by table name. */
async function rowCounts(db: Db): Promise<Record<string, number>> {
  const { rows } = await db.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name",
  )
  const out: Record<string, number> = {}
  for (const { table_name } of rows) {
    out[table_name] = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${table_name}"`)).rows[0].n)
  }
  return out
}

/** A multipart body with one file part whose name is given raw (may hold NUL, quotes, slashes). */
function multipart(filename: string, data: string) {
  const boundary = '----gwsec' + Math.random().toString(16).slice(2)
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="layer"\r\n\r\nunits\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    Buffer.from(data),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

const isErrorBody = (body: string) => {
  try {
    const j = JSON.parse(body) as Record<string, unknown>
    return typeof j.error === 'string' && typeof j.message === 'string'
  } catch {
    return false
  }
}

describe(`security on ${BACKEND}`, () => {
  let db: Db
  let app: App
  let webDir: string
  let t: TestDistrict
  let admin: { authorization: string }
  let planId: number
  let ops: Operation[] = []

  beforeAll(async () => {
    db = await createTestDb()
    // A stand-in for the built editor: the headers are global, the static server's root is what matters.
    webDir = mkdtempSync(join(tmpdir(), 'gw-sec-web-'))
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>gridweave</title>')
    app = await buildApp({ db, logger: false, webDir })
    await app.ready()
    t = await loadTestDistrict(db)
    admin = await tokenFor(app, db, 'admin')
    const imp = await app.inject({ method: 'POST', url: '/api/plans/import', headers: admin, payload: { districtId: t.districtId, name: 'sec', csv: divisionCsv(t) } })
    expect(imp.statusCode, imp.body).toBe(201)
    planId = imp.json().plan.id
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>
    }
    ops = Object.entries(doc.paths).flatMap(([path, byMethod]) =>
      Object.entries(byMethod)
        .filter(([m]) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map(([m, op]) => ({ method: m.toUpperCase(), path, params: (op.parameters ?? []).filter((p) => p.in === 'path' || p.in === 'query') })),
    )
  })
  afterAll(async () => {
    await app?.close()
    await db?.close()
    if (webDir) rmSync(webDir, { recursive: true, force: true })
  })

  it('sends security headers on the editor, /health and the API', async () => {
    for (const url of ['/', '/health', '/api/plans', '/docs']) {
      const r = await app.inject({ method: 'GET', url, headers: admin })
      expect(r.statusCode, url).toBe(200)
      expect(r.headers['x-content-type-options'], url).toBe('nosniff')
      expect(r.headers['referrer-policy'], url).toBeTruthy()
      const csp = String(r.headers['content-security-policy'])
      expect(csp, url).toMatch(/frame-ancestors 'self'/)
      expect(csp, url).toMatch(/worker-src 'self' blob:/)
      expect(csp, url).toMatch(/img-src 'self' data: blob:/)
      expect(csp, url).toMatch(/script-src 'self'(;|$)/)
      expect(csp, url).not.toMatch(/upgrade-insecure-requests/)
      expect(r.headers['x-frame-options'], url).toBe('SAMEORIGIN')
    }
  })

  it('keeps the swagger UI at /docs working: the page and its scripts and styles load', async () => {
    const page = await app.inject({ method: 'GET', url: '/docs/' })
    expect(page.statusCode).toBe(200)
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)].map((m) => m[1])
    expect(assets.length).toBeGreaterThanOrEqual(3)
    // no inline script: script-src 'self' would block it
    expect(page.body).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>\s*\S/)
    for (const a of assets) {
      const r = await app.inject({ method: 'GET', url: new URL(a, 'http://x/docs/').pathname })
      expect(r.statusCode, a).toBe(200)
    }
  })

  it('answers SQL injection probes in every path and query parameter with 2xx or a 4xx error body, and changes no table', async () => {
    const before = await rowCounts(db)
    const failures: string[] = []
    let probes = 0
    const valid: Record<string, string> = { id: String(planId), a: String(planId), b: String(planId), format: 'csv', layer: 'units', z: '0', x: '0', y: '0' }
    for (const op of ops) {
      // Probing a DELETE with a valid id elsewhere would delete it; its only parameter is the id itself.
      for (const param of op.params) {
        for (const payload of PAYLOADS) {
          const enc = encodeURIComponent(payload)
          let url = op.path.replace(/\{(\w+)\}/g, (_, p: string) => (param.in === 'path' && p === param.name ? enc : valid[p] ?? '1'))
          if (param.in === 'query') url += `?${encodeURIComponent(param.name)}=${enc}`
          // the import reads its query options only with a multipart body
          const upload = op.path === '/api/imports' ? multipart('units.geojson', EMPTY) : undefined
          const r = await app.inject({
            method: op.method as 'GET', url, headers: { ...admin, ...upload?.headers },
            ...(upload ? { payload: upload.payload } : op.method === 'GET' || op.method === 'DELETE' ? {} : { payload: {} }),
          })
          probes++
          const ok = (r.statusCode >= 200 && r.statusCode < 300) || (r.statusCode >= 400 && r.statusCode < 500 && isErrorBody(r.body))
          if (!ok) failures.push(`${op.method} ${url}: ${r.statusCode} ${r.body.slice(0, 120)}`)
        }
      }
    }
    expect(failures).toEqual([])
    expect(probes).toBeGreaterThan(50)
    expect(await rowCounts(db)).toEqual(before)
  })

  it('stores free-text names holding SQL as plain text', async () => {
    for (const name of PAYLOADS) {
      const created = await app.inject({ method: 'POST', url: '/api/plans', headers: admin, payload: { districtId: t.districtId, name } })
      expect(created.statusCode, created.body).toBe(201)
      const id = created.json().id as number
      const renamed = await app.inject({ method: 'PATCH', url: `/api/plans/${id}`, headers: admin, payload: { name: `${name} 2` } })
      expect(renamed.statusCode, renamed.body).toBe(200)
      const read = await app.inject({ method: 'GET', url: `/api/plans/${id}`, headers: admin })
      expect(read.json().name).toBe(`${name} 2`)
    }
    // PostgreSQL text cannot hold NUL: a client's mistake (400), not a server error
    const nul = await app.inject({ method: 'POST', url: '/api/plans', headers: admin, payload: { districtId: t.districtId, name: 'a\u0000b' } })
    expect(nul.statusCode, nul.body).toBe(400)
    expect(nul.json().message).toMatch(/NUL/)
    const units = await db.query<{ n: string }>('SELECT count(*) AS n FROM units')
    expect(Number(units.rows[0].n)).toBe(36)
  })

  it('treats upload file names with ../, absolute paths and NUL bytes as names, never as paths', async () => {
    const names = ['../../../etc/passwd', '/etc/passwd', '..\\..\\windows\\win.ini', 'units.geojson\u0000.sh', '%2e%2e%2fpasswd']
    for (const [i, name] of names.entries()) {
      // one valid unit each, so the import runs through to storing its record with the file name
      const x = 123.9 + i * 0.001
      const ring = [[x, 47.3], [x + 0.001, 47.3], [x + 0.001, 47.301], [x, 47.301], [x, 47.3]]
      const unit = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: { code: `T${i}`, population: 1 }, geometry: { type: 'Polygon', coordinates: [ring] } }] }
      const { payload, headers } = multipart(name, JSON.stringify(unit))
      const r = await app.inject({ method: 'POST', url: `/api/imports?format=geojson&district=230204`, headers: { ...admin, ...headers }, payload })
      expect(r.statusCode, `${JSON.stringify(name)}: ${r.body}`).toBeLessThan(500)
      expect(r.body).not.toMatch(/root:/)
      if (r.statusCode === 200) expect(r.json().filename).not.toMatch(/[/\\]|\.\.|\u0000/)
      // a refused upload writes nothing
      const stored = await db.query<{ n: string }>('SELECT count(*) AS n FROM units WHERE ext_id = $1', [`T${i}`])
      expect(Number(stored.rows[0].n), name).toBe(r.statusCode === 200 ? 1 : 0)
    }
  })

  it('does not serve files outside the editor folder', async () => {
    for (const url of ['/../package.json', '/%2e%2e/package.json', '/..%2f..%2fetc/passwd', '/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/assets/..%2f..%2fpackage.json', '/index.html%00.json']) {
      const r = await app.inject({ method: 'GET', url })
      expect([400, 403, 404], `${url}: ${r.statusCode}`).toContain(r.statusCode)
      expect(r.body, url).not.toMatch(/"name": "gridweave"|root:/)
    }
  })

  it('refuses a 12 MB JSON body with 413 and a deeply nested one with 400, and still answers afterwards', async () => {
    const big = JSON.stringify({ districtId: t.districtId, name: 'x'.repeat(12 * 1024 * 1024) })
    let r = await app.inject({ method: 'POST', url: '/api/plans', headers: { ...admin, 'content-type': 'application/json' }, payload: big })
    expect(r.statusCode).toBe(413)
    expect(isErrorBody(r.body)).toBe(true)
    const deep = '['.repeat(10_000) + ']'.repeat(10_000)
    for (const payload of [deep, `{"districtId":${t.districtId},"name":"n","params":${deep}}`]) {
      r = await app.inject({ method: 'POST', url: '/api/plans', headers: { ...admin, 'content-type': 'application/json' }, payload })
      expect(r.statusCode, r.body.slice(0, 200)).toBe(400)
      expect(isErrorBody(r.body)).toBe(true)
    }
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200)
  })

  it('drops a slow-loris body once the request timeout passes', async () => {
    const slow = await buildApp({ db, logger: false, webDir, requestTimeoutMs: 1500 })
    await slow.listen({ host: '127.0.0.1', port: 0 })
    try {
      const { port } = slow.server.address() as { port: number }
      const answer = await new Promise<string>((resolve, reject) => {
        const sock = connect(port, '127.0.0.1')
        let got = ''
        sock.on('data', (d) => (got += d.toString()))
        sock.on('close', () => resolve(got))
        sock.on('error', reject)
        sock.write(`POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"user`)
        // ...and never the rest: the server must close the connection, not wait forever
      })
      expect(answer).toMatch(/^HTTP\/1\.1 408 /)
      expect((await slow.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200)
    } finally {
      await slow.close()
    }
  }, 15_000)

  it('writes no password, token or Authorization header to the log', async () => {
    const lines: string[] = []
    const stream = new Writable({
      write(chunk, _enc, cb) {
        lines.push(chunk.toString())
        cb()
      },
    })
    const logged = await buildApp({ db, logger: { level: 'trace', stream }, webDir })
    await logged.ready()
    try {
      const password = 'Secret-Pass-9c1f'
      const newPassword = 'Newer-Secret-7d2e'
      const { user } = await userFor(logged, db, 'analyst', { password })
      const ok = await logged.inject({ method: 'POST', url: '/api/auth/login', payload: { username: user.username, password } })
      expect(ok.statusCode, ok.body).toBe(200)
      const token = ok.json().token as string
      const bad = await logged.inject({ method: 'POST', url: '/api/auth/login', payload: { username: user.username, password: password + 'x' } })
      expect(bad.statusCode).toBe(401)
      const ch = await logged.inject({
        method: 'POST', url: '/api/auth/password', headers: { authorization: `Bearer ${token}` },
        payload: { currentPassword: password, newPassword },
      })
      expect(ch.statusCode, ch.body).toBe(200)
      const newToken = ch.json().token as string
      // a failing request with a token and a body that holds a password, to reach the error handler's log
      await logged.inject({ method: 'POST', url: '/api/auth/password', headers: { authorization: `Bearer ${newToken}` }, payload: { currentPassword: 'wrong-one-xyz', newPassword } })
      const log = lines.join('')
      expect(lines.length).toBeGreaterThan(3)
      for (const secret of [password, newPassword, 'wrong-one-xyz', token, newToken, token.split('.')[2], 'Bearer ']) {
        expect(log.includes(secret), `log contains ${secret.slice(0, 12)}…`).toBe(false)
      }
    } finally {
      await logged.close()
    }
  })
})
