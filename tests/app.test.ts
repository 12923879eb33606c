import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { App } from '../server/app.js'
import type { Db } from '../server/db/index.js'
import { HttpError } from '../server/plugins/errors.js'
import { BACKEND, createTestDb } from './helpers/db.js'
import { build } from './helpers/app.js'

describe(`app on ${BACKEND}`, () => {
  let db: Db
  let app: App
  beforeAll(async () => {
    db = await createTestDb()
    // A route that fails the way a bug would, to see what the client gets.
    app = await build(db, (a) => {
      a.get('/boom', async () => {
        throw new Error('secret detail at /work/main/server/x.ts:12')
      })
      // A download whose stream fails before its first byte (an export overtaken by an edit).
      a.get('/download-fails', async (_req, reply) => {
        reply.header('Content-Disposition', 'attachment; filename="x.csv"').type('text/csv; charset=utf-8')
        return reply.send(
          Readable.from(
            (async function* () {
              throw new HttpError(409, 'The plan changed while it was being exported; download it again.')
            })(),
          ),
        )
      })
    })
  })
  afterAll(async () => {
    await app?.close()
    await db?.close()
  })

  it('GET /health names the backend and the PostGIS version', async () => {
    const r = await app.inject({ method: 'GET', url: '/health' })
    expect(r.statusCode).toBe(200)
    const body = r.json()
    expect(body.status).toBe('ok')
    expect(body.backend).toBe(BACKEND)
    expect(body.postgis).toMatch(/^3\.\d/)
  })

  it('serves the OpenAPI document with every route', async () => {
    const r = await app.inject({ method: 'GET', url: '/docs/json' })
    expect(r.statusCode).toBe(200)
    const doc = r.json()
    expect(doc.openapi).toMatch(/^3\./)
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/health', '/api/areas']))
  })

  it('a thrown error gives 500 with no stack or detail in the body', async () => {
    const r = await app.inject({ method: 'GET', url: '/boom' })
    expect(r.statusCode).toBe(500)
    const body = r.json()
    expect(body.error).toBe('Internal Server Error')
    expect(r.body).not.toMatch(/secret|\.ts:|at /)
    expect(body).not.toHaveProperty('stack')
  })

  it('a download that fails before its first byte answers its 4xx as JSON, not a 500 nor an attachment', async () => {
    const r = await app.inject({ method: 'GET', url: '/download-fails' })
    expect(r.statusCode).toBe(409)
    expect(r.headers['content-type']).toMatch(/^application\/json/)
    expect(r.headers['content-disposition']).toBeUndefined()
    expect(r.json()).toMatchObject({ error: 'Conflict', message: expect.stringContaining('download it again') })
  })

  it('bad input gets 400 naming the field and the reason', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/areas?level=planet' })
    expect(r.statusCode).toBe(400)
    const body = r.json()
    expect(body.error).toBe('Bad Request')
    expect(JSON.stringify(body.details)).toMatch(/level/)
  })

  it('unknown routes get a 404 body of the same shape', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/nope' })
    expect(r.statusCode).toBe(404)
    expect(r.json()).toMatchObject({ error: 'Not Found', message: expect.stringContaining('/api/nope') })
  })

  it('GET /api/areas returns a FeatureCollection', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/areas?level=jurisdiction' })
    expect(r.statusCode).toBe(200)
    expect(r.headers['content-type']).toMatch(/geo\+json/)
    expect(r.json()).toMatchObject({ type: 'FeatureCollection', features: expect.any(Array) })
  })
})
