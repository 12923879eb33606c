// Exports read one snapshot: edits committed while an export is being downloaded neither cut it short
// nor leak into it; a stalled download holds nothing on the embedded database, and an aborted or
// overlong one gives its pool client back on PostgreSQL. Found by bench/load.ts (truncated downloads).
import http from 'node:http'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp, type App } from '../server/app.js'
import type { Db } from '../server/db/index.js'
import { BACKEND, createTestDb } from './helpers/db.js'
import { build } from './helpers/app.js'
import { tokenFor } from './helpers/auth.js'
import { syntheticPlan, type SyntheticPlan } from '../bench/export-fixture.js'

/** Units of the plan: several pages of every export (1000 rows, 2000 GeoJSON features), MBs of GeoJSON. */
const UNITS = 12_000

interface Download {
  status: number
  headers: http.IncomingHttpHeaders
  res: http.IncomingMessage
  req: http.ClientRequest
}

/**
 * GET on the listening app with the response paused: the caller decides when and how fast to read. A
 * connection of its own (no keep-alive agent), so its socket buffers have not grown on an earlier,
 * fast download.
 */
function open(base: string, path: string, headers: Record<string, string>): Promise<Download> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}${path}`, { headers, agent: false }, (res) => {
      res.pause()
      resolve({ status: res.statusCode ?? 0, headers: res.headers, res, req })
    })
    req.on('error', reject)
  })
}

/**
 * The whole body, read at `bytesPerSecond` at most (unlimited when 0), and beyond each gate's `at`
 * bytes not before its `open` has resolved; rejects when the server cut the download short (connection
 * ended before the end of the chunked body).
 */
async function read(d: Download, bytesPerSecond = 0, gates: { at: number; open: Promise<unknown> }[] = []): Promise<Buffer> {
  const chunks: Buffer[] = []
  let bytes = 0
  await pipeline(
    d.res,
    new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk)
        bytes += chunk.length
        const wait = bytesPerSecond ? sleep((chunk.length / bytesPerSecond) * 1000) : Promise.resolve()
        Promise.all([wait, ...gates.filter((g) => bytes >= g.at).map((g) => g.open)]).then(() => done(), done)
      },
    }),
  )
  if (!d.res.complete) throw new Error('download cut short')
  return Buffer.concat(chunks)
}

describe(`exports read one snapshot on ${BACKEND}`, () => {
  let db: Db
  let app: App
  let base: string
  let plan: SyntheticPlan
  let reader: { authorization: string }
  let planner: { authorization: string }
  let units: { id: number; grid_id: number }[]
  let twoGrids: [number, number]

  beforeAll(async () => {
    db = await createTestDb()
    app = await build(db)
    plan = await syntheticPlan(db, { units: UNITS, size: 0.0005 })
    reader = await tokenFor(app, db, 'analyst')
    planner = await tokenFor(app, db, 'planner')
    base = await app.listen({ host: '127.0.0.1', port: 0 })
    // Units far along the export (beyond its first pages), and for each one a grid it is not in.
    const { rows } = await db.query<{ id: number; grid_id: number }>(
      `SELECT ug.unit_id AS id, ug.grid_id FROM unit_grids ug WHERE ug.plan_id = $1 ORDER BY ug.unit_id DESC LIMIT 20`,
      [plan.planId],
    )
    units = rows
    const grids = (await db.query<{ id: number }>('SELECT id FROM grids WHERE plan_id = $1 ORDER BY id LIMIT 2', [plan.planId])).rows
    twoGrids = [grids[0].id, grids[1].id]
    // The first edit of a district builds its topology: done here, so the edits below are quick.
    await move(units[19], await version())
  }, 300_000)
  afterAll(async () => {
    await app?.close()
    await db?.close()
  })

  const version = async () => (await db.query<{ version: number }>('SELECT version FROM plans WHERE id = $1', [plan.planId])).rows[0].version

  /** One move through the API (committed when it answers 200); returns the new version. */
  async function move(unit: { id: number }, v: number): Promise<number> {
    const { rows } = await db.query<{ grid_id: number }>('SELECT grid_id FROM unit_grids WHERE plan_id = $1 AND unit_id = $2', [plan.planId, unit.id])
    const to = rows[0].grid_id === twoGrids[0] ? twoGrids[1] : twoGrids[0]
    const r = await app.inject({
      method: 'POST',
      url: `/api/plans/${plan.planId}/edits`,
      headers: { ...planner, 'if-match': `"${v}"` },
      payload: { op: 'move', units: [unit.id], grid: to, allowDisconnected: true },
    })
    expect(r.statusCode, r.body).toBe(200)
    return r.json().version
  }

  for (const [format, path] of [
    ['GeoJSON', 'export.geojson?layer=units'],
    ['CSV', 'export.csv'],
    ['FlatGeobuf', 'export.fgb?layer=units'],
  ] as const) {
    it(`${format}: edits committed while the download is read slowly leave it whole and at its version`, async () => {
      const v0 = await version()
      // The same export of v0 read at once, before any edit: what the slow download must hold.
      const ref = await open(base, `/api/plans/${plan.planId}/${path}`, reader)
      expect(ref.status).toBe(200)
      const reference = await read(ref)

      const slow = await open(base, `/api/plans/${plan.planId}/${path}`, reader)
      expect(slow.status).toBe(200)
      expect(slow.headers['content-disposition']).toContain(`-v${v0}-`)
      expect(slow.headers.etag).toContain(`v${v0}`)
      let ended = false
      let firstEdit!: () => void
      let allEdits!: () => void
      const gates = [
        // Past its first bytes only once an edit has committed: the server has then sent only the first
        // pages at most (the socket buffers of a connection not read from stay small).
        { at: 1, open: new Promise<void>((ok) => (firstEdit = ok)) },
        // Its last quarter only once every edit has committed (on a slow machine the edits might
        // otherwise take longer than the download).
        { at: (reference.length * 3) / 4, open: new Promise<void>((ok) => (allEdits = ok)) },
      ]
      // About 4 s for the whole file, whatever its size.
      const reading = read(slow, reference.length / 4, gates)
      reading.then(() => (ended = true), () => {})
      // Edits commit (each answered 200 with a new version) while the download is under way.
      let v = v0
      try {
        for (const u of units.slice(0, 4)) {
          v = await move(u, v)
          firstEdit()
        }
      } finally {
        firstEdit()
        allEdits()
      }
      expect(v).toBe(v0 + 4)
      expect(ended, 'the edits committed before the download was complete').toBe(false)
      const got = await reading
      expect(got.length).toBe(reference.length)
      expect(got.equals(reference), 'the download is the export of the version it started at').toBe(true)
      if (format === 'GeoJSON') {
        const fc = JSON.parse(got.toString('utf8'))
        expect(fc.features).toHaveLength(plan.units)
        const byId = new Map(fc.features.map((f: { properties: { unit_id: string; grid_id: number } }) => [f.properties.unit_id, f.properties.grid_id]))
        // The moved units are in their grids of v0, not of the edits.
        const moved = (await db.query<{ ext_id: string; grid_id: number }>(
          'SELECT u.ext_id, ug.grid_id FROM units u JOIN unit_grids ug ON ug.unit_id = u.id AND ug.plan_id = $1 WHERE u.id = ANY($2::bigint[])',
          [plan.planId, units.slice(0, 4).map((u) => u.id)],
        )).rows
        for (const m of moved) expect(byId.get(m.ext_id), m.ext_id).not.toBe(m.grid_id)
      }
      if (format === 'CSV') expect(got.toString('utf8').trimEnd().split('\n')).toHaveLength(plan.units + 1)
      // A new download has the new version.
      const now = await open(base, `/api/plans/${plan.planId}/${path}`, reader)
      expect(now.headers['content-disposition']).toContain(`-v${v}-`)
      expect((await read(now)).equals(reference)).toBe(false)
    }, 120_000)
  }

  it('a stalled download does not keep other requests waiting', async () => {
    const stalled = await open(base, `/api/plans/${plan.planId}/export.geojson?layer=units`, reader)
    expect(stalled.status).toBe(200)
    // Never read: on the embedded database it was written to a file before the first byte was sent,
    // on PostgreSQL it holds one pool client of many.
    const r = await fetch(`${base}/api/plans/${plan.planId}`, { headers: reader, signal: AbortSignal.timeout(60_000) })
    expect(r.status).toBe(200)
    expect((await r.json()).id).toBe(plan.planId)
    const v = await move(units[10], await version())
    expect(v).toBe((await version()))
    stalled.req.destroy()
  }, 120_000)

  it.runIf(BACKEND === 'postgres')('an aborted or overlong download rolls its transaction back and gives the pool client back', async () => {
    /** Transactions open on this database (other than this query's), e.g. an export's. */
    const openTransactions = async () =>
      Number((await db.query<{ n: number }>(
        `SELECT count(*) AS n FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL`,
      )).rows[0].n)
    /** Waits (bounded) until no transaction of this database is left open; the count seen last. */
    const settle = async () => {
      let n = await openTransactions()
      for (let i = 0; i < 100 && n > 0; i++) n = (await sleep(100), await openTransactions())
      return n
    }
    // More aborted downloads than the pool has clients (10): a leaked client would soon starve it.
    for (let i = 0; i < 12; i++) {
      const d = await open(base, `/api/plans/${plan.planId}/export.geojson?layer=units`, reader)
      expect(d.status).toBe(200)
      await new Promise((ok) => {
        d.res.once('data', ok)
        d.res.resume()
      })
      d.req.destroy()
    }
    expect(await settle()).toBe(0)
    const r = await fetch(`${base}/api/plans/${plan.planId}/export.csv`, { headers: reader, signal: AbortSignal.timeout(60_000) })
    expect(r.status).toBe(200)
    expect((await r.text()).trimEnd().split('\n')).toHaveLength(plan.units + 1)

    // A client that stops reading: cut off at the request timeout, the transaction rolled back.
    const short = await buildApp({ db, logger: false, requestTimeoutMs: 1500 })
    try {
      const shortBase = await short.listen({ host: '127.0.0.1', port: 0 })
      const d = await open(shortBase, `/api/plans/${plan.planId}/export.geojson?layer=units`, reader)
      expect(d.status).toBe(200)
      expect(await openTransactions()).toBeGreaterThan(0)
      expect(await settle()).toBe(0)
      await expect(read(d)).rejects.toThrow()
    } finally {
      await short.close()
    }
  }, 120_000)
})
