/**
 * Issue 9: a real server process killed with SIGKILL while a partition job computes and while a large
 * import is being written, then restarted on the same data folder (embedded) or database (PostgreSQL).
 * After the restart the job is reported failed, the plan's version and every assignment are unchanged,
 * and the tables an import writes hold exactly what they held before (row counts and md5 of all rows).
 * On the embedded backend the restart takes over the data folder's lock left by the dead process.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { openDb, type Db } from '../server/db/index.js'
import { migrate } from '../server/db/migrate.js'
import { loadDemo } from '../fixtures/demo/load.js'
import { BACKEND, createTestDb } from './helpers/db.js'
import { api, insertPlanner, kill, login, startServer, stop, tableDigest, type ServerProc } from './helpers/fault-server.js'
import { squareRing } from '../fixtures/lattice.js'

/** Every table an import may write (areas, units, the other layers, the import records). */
const IMPORT_TABLES = ['districts', 'jurisdictions', 'communities', 'units', 'barriers', 'stations', 'events', 'imports']

// A lattice of square units far from the demo (lng 100, lat 30): ~0.9 KB each, ~13 MB for 15,000 units.
const X0 = 100
const Y0 = 30
const CELL = 0.0005
const COLS = 125
const ROWS = 120

const ring = (i: number, j: number) => squareRing(X0 + i * CELL, Y0 + j * CELL, CELL, 10)

function latticeUnits(): string {
  const parts: string[] = []
  for (let j = 0; j < ROWS; j++)
    for (let i = 0; i < COLS; i++) {
      const k = j * COLS + i
      parts.push(JSON.stringify({ type: 'Feature', properties: { code: `F${String(k).padStart(6, '0')}`, population: 50 + (k % 7), households: 20 }, geometry: { type: 'Polygon', coordinates: [ring(i, j)] } }))
    }
  return `{"type":"FeatureCollection","features":[\n${parts.join(',\n')}\n]}\n`
}

const latticeDistrict = () =>
  JSON.stringify({
    type: 'FeatureCollection',
    features: [
      {
        type: 'Feature',
        properties: { code: '990901', name: 'fault lattice' },
        geometry: { type: 'Polygon', coordinates: [[[X0, Y0], [X0 + COLS * CELL, Y0], [X0 + COLS * CELL, Y0 + ROWS * CELL], [X0, Y0 + ROWS * CELL], [X0, Y0]]] },
      },
    ],
  })

async function upload(url: string, headers: Record<string, string>, fields: Record<string, string>, name: string, body: string) {
  const form = new FormData()
  for (const [k, v] of Object.entries(fields)) form.append(k, v)
  form.append('file', new Blob([body], { type: 'application/geo+json' }), name)
  const r = await fetch(`${url}/api/imports`, { method: 'POST', headers, body: form, signal: AbortSignal.timeout(120_000) })
  return { status: r.status, json: (await r.json()) as Record<string, unknown> }
}

/** How far the server process has read the spooled upload (from /proc: the open file's position), or null. */
function uploadReadPosition(pid: number): { pos: number; size: number } | null {
  let fds: string[]
  try {
    fds = readdirSync(`/proc/${pid}/fd`)
  } catch {
    return null
  }
  for (const fd of fds) {
    let target: string
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`)
    } catch {
      continue
    }
    if (!/gridweave-import-[^/]+\/upload$/.test(target)) continue
    try {
      const pos = Number(/^pos:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))![1])
      return { pos, size: readFileSync(target).byteLength }
    } catch {
      return null
    }
  }
  return null
}

describe(`SIGKILL of a real server during a job and an import, restart on the same ${BACKEND === 'postgres' ? 'database' : 'data folder'}`, () => {
  let dir: string
  let env: Record<string, string>
  let pgDb: (Db & { url?: string }) | undefined
  let server: ServerProc | undefined
  let districtId: number

  /** The database while no server holds it: PostgreSQL any time; the embedded folder only when stopped. */
  async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    if (pgDb) return fn(pgDb)
    const db = await openDb({ dataDir: dir })
    try {
      return await fn(db)
    } finally {
      await db.close()
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gridweave-fault-kill-'))
    // Spooled uploads go to the server's TMPDIR: a folder of the test, removed with it even after a SIGKILL.
    mkdirSync(join(dir, 'tmp'))
    env = { DATA_DIR: dir, DATABASE_URL: '', TMPDIR: join(dir, 'tmp'), GRIDWEAVE_IMPORT_SYNC_MAX_BYTES: String(1024 * 1024), LOGIN_RATE_LIMIT: '1000' }
    if (BACKEND === 'postgres') {
      pgDb = await createTestDb({ migrated: false })
      env.DATABASE_URL = pgDb.url!
    }
    districtId = await withDb(async (db) => {
      await migrate(db)
      await loadDemo(db)
      await insertPlanner(db)
      return (await db.query<{ id: number }>('SELECT id FROM districts ORDER BY id LIMIT 1')).rows[0].id
    })
   }, 300_000) // seeding an embedded database on a loaded machine

  afterEach(async () => {
    await kill(server) // a failed test leaves no server behind to hold the folder
    server = undefined
  })

  afterAll(async () => {
    await pgDb?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('during a partition job: the job is reported failed, the plan and its assignments are unchanged, the stale lock is taken over', async () => {
    server = await startServer(env)
    let h = await login(server.url)
    const plan = await api(server.url, h, 'POST', '/api/plans', { districtId, name: 'fault', params: { min: 600, max: 1000 } })
    expect(plan.status, plan.text).toBe(201)
    const planId = plan.json.id as number
    const waitJob = async (url: string, hh: Record<string, string>, id: string, until: (j: any) => boolean, ms: number) => { // eslint-disable-line @typescript-eslint/no-explicit-any
      const deadline = Date.now() + ms
      for (;;) {
        const j = await api(url, hh, 'GET', `/api/jobs/${id}`)
        expect(j.status, j.text).toBe(200)
        if (until(j.json)) return j.json
        if (Date.now() > deadline) throw new Error(`job ${id} did not reach the state within ${ms} ms: ${j.text}`)
        await sleep(50)
      }
    }
    // A first partition gives the plan grids and assignments to protect.
    const first = await api(server.url, h, 'POST', `/api/plans/${planId}/jobs`, { kind: 'partition', params: { seed: 1 } })
    expect(first.status, first.text).toBe(202)
    const done = await waitJob(server.url, h, first.json.id, (j) => ['succeeded', 'failed', 'cancelled'].includes(j.status), 120_000)
    expect(done.status, JSON.stringify(done)).toBe('succeeded')

    const snapshot = async (url: string, hh: Record<string, string>) => {
      const p = await api(url, hh, 'GET', `/api/plans/${planId}`)
      const units = await api(url, hh, 'GET', `/api/plans/${planId}/units`)
      const assignments = await api(url, hh, 'GET', `/api/plans/${planId}/assignments`)
      expect([p.status, units.status, assignments.status]).toEqual([200, 200, 200])
      return { version: p.json.version as number, units: units.json, assignments: assignments.json }
    }
    const before = await snapshot(server.url, h)
    expect(before.version).toBeGreaterThan(1)
    expect((before.units.units.grid as (number | null)[]).filter((g) => g !== null).length).toBeGreaterThan(1000)

    // A second partition with another seed would change the plan; kill while its engine computes.
    const second = await api(server.url, h, 'POST', `/api/plans/${planId}/jobs`, { kind: 'partition', params: { seed: 2 } })
    expect(second.status, second.text).toBe(202)
    const seen = await waitJob(server.url, h, second.json.id, (j) => j.status !== 'queued' && j.progress >= 0.2, 120_000)
    expect(seen).toMatchObject({ status: 'running' })
    expect(seen.progress).toBeLessThan(0.9) // computing, not yet writing
    const killedPid = server.pid
    expect(await kill(server)).toMatchObject({ signal: 'SIGKILL' })

    if (BACKEND === 'pglite') {
      // the dead process's lock is still there; the restart must take it over
      expect(readFileSync(join(dir, 'pglite', 'gridweave.lock'), 'utf8').trim()).toBe(String(killedPid))
    }
    server = await startServer(env)
    if (BACKEND === 'pglite') expect(readFileSync(join(dir, 'pglite', 'gridweave.lock'), 'utf8').trim()).toBe(String(server.pid))
    h = await login(server.url)
    const after = await waitJob(server.url, h, second.json.id, (j) => j.status !== 'running', 90_000)
    expect(after.status, JSON.stringify(after)).toBe('failed')
    expect(after.error).toMatch(/stopped before the job finished/)
    expect(await snapshot(server.url, h)).toEqual(before)
    // and the database takes writes after the restart
    const renamed = await api(server.url, h, 'PATCH', `/api/plans/${planId}`, { name: 'fault, after the restart' })
    expect(renamed.status, renamed.text).toBe(200)
    await stop(server)
  }, 600_000)

  it('during a large import: the import job is reported failed and the import tables hold exactly what they held before', async () => {
    server = await startServer(env)
    let h = await login(server.url)
    // a district of its own for the lattice, imported at once (small, synchronous)
    const d = await upload(server.url, h, { layer: 'district', format: 'geojson' }, 'district.geojson', latticeDistrict())
    expect(d.status, JSON.stringify(d.json)).toBe(200)
    const units = latticeUnits()
    expect(units.length).toBeGreaterThan(10 * 1024 * 1024)
    let before: Awaited<ReturnType<typeof tableDigest>>
    if (pgDb) before = await tableDigest(pgDb, IMPORT_TABLES)
    else {
      await stop(server)
      before = await withDb((db) => tableDigest(db, IMPORT_TABLES))
      server = await startServer(env)
      h = await login(server.url)
    }
    expect(before.districts.rows).toBe(2)

    const r = await upload(server.url, h, { layer: 'units', format: 'geojson', district: '990901' }, 'units.geojson', units)
    expect(r.status, JSON.stringify(r.json)).toBe(202)
    const jobId = r.json.job as string
    // Kill once the server is reading the spooled file into its import transaction, well before the end.
    const deadline = Date.now() + 60_000
    let at: { pos: number; size: number } | null = null
    while (Date.now() < deadline) {
      at = uploadReadPosition(server.pid)
      if (at && at.pos > 0) break
      await sleep(10)
    }
    expect(at, 'the server never opened the spooled upload').not.toBeNull()
    expect(at!.pos).toBeGreaterThan(0)
    expect(at!.pos).toBeLessThan(at!.size)
    expect(await kill(server)).toMatchObject({ signal: 'SIGKILL' })

    server = await startServer(env)
    h = await login(server.url)
    // failed at once on the embedded database; on PostgreSQL once its heartbeat is stale (other replicas
    // may be running imports), within a minute
    let job = await api(server.url, h, 'GET', `/api/imports/${jobId}`)
    for (const deadline = Date.now() + 90_000; job.json?.status === 'running' && Date.now() < deadline; ) {
      await sleep(250)
      job = await api(server.url, h, 'GET', `/api/imports/${jobId}`)
    }
    expect(job.status, job.text).toBe(200)
    expect(job.json.status, job.text).toBe('failed')
    expect(job.json.error?.message, job.text).toMatch(/stopped before the import finished/)
    expect(job.json.import).toBeUndefined()
    let after: typeof before
    if (pgDb) after = await tableDigest(pgDb, IMPORT_TABLES)
    else {
      await stop(server)
      after = await withDb((db) => tableDigest(db, IMPORT_TABLES))
      server = undefined
    }
    expect(after).toEqual(before)
  }, 600_000)
})
