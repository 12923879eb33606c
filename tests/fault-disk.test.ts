/**
 * Issue 9: the embedded database's data folder read-only, and its disk full. A start refuses with a clear
 * message and a non-zero exit; an edit on a full disk answers 507 naming the cause while the server stays
 * up; after the fault is lifted a restart opens the same folder and the data is as it was before the
 * failed write (and takes writes again).
 *
 * Embedded backend only: the fault is in the folder the server itself writes; on PostgreSQL the database
 * server owns its disk. As root (CI) the folder is a small tmpfs of its own (chmod does not stop root);
 * see tests/helpers/fault-fs.ts, which fails loudly where neither works.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { openDb } from '../server/db/index.js'
import { migrate } from '../server/db/migrate.js'
import { BACKEND } from './helpers/db.js'
import { divisionCsv, loadTestDistrict, type TestDistrict } from './helpers/district.js'
import { faultFolder, faultFolderUnavailable, type FaultFolder } from './helpers/fault-fs.js'
import { api, insertPlanner, kill, login, spawnServer, startServer, stop, type ServerProc } from './helpers/fault-server.js'

/** A start that must fail: its exit code and output, bounded in time. */
async function failedStart(env: Record<string, string>) {
  const s = spawnServer(env, 0)
  const timer = setTimeout(() => s.proc.kill('SIGKILL'), 120_000)
  const { code, signal } = await s.exited
  clearTimeout(timer)
  return { code, signal, output: s.output() }
}

// Where the environment cannot make the fault real (no mount permission for root), the suite says why and
// is skipped rather than passing on a fault that never happened; on this project's CI machine it runs.
const unavailable = BACKEND === 'pglite' ? faultFolderUnavailable() : undefined
if (unavailable) console.warn(`fault-disk skipped: ${unavailable}`)

describe.skipIf(BACKEND !== 'pglite' || unavailable !== undefined)('embedded data folder read-only or full', () => {
  let folder: FaultFolder
  let env: Record<string, string>
  let server: ServerProc | undefined
  let t: TestDistrict

  beforeAll(async () => {
    folder = faultFolder()
    env = { DATA_DIR: folder.dir, DATABASE_URL: '', LOGIN_RATE_LIMIT: '1000' }
    const db = await openDb({ dataDir: folder.dir })
    try {
      await migrate(db)
      t = await loadTestDistrict(db)
      await insertPlanner(db)
    } finally {
      await db.close()
    }
   }, 300_000) // seeding an embedded database on a loaded machine

  afterEach(async () => {
    folder?.unfill()
    if (folder) folder.readOnly(false)
    await kill(server)
    server = undefined
  })

  afterAll(() => folder?.destroy())

  it('a read-only data folder: the start says so and exits 1; made writable, it starts on the same data', async () => {
    folder.readOnly(true)
    const r = await failedStart(env)
    expect(r.code, r.output).toBe(1)
    expect(r.output).toMatch(folder.kind === 'tmpfs' ? /read-only file system \(EROFS\)/ : /not writable by this user \(EACCES\)/)
    expect(r.output).toContain(folder.dir)
    expect(r.output).toMatch(/set DATA_DIR/)
    folder.readOnly(false)
    server = await startServer(env)
    const h = await login(server.url)
    const areas = await api(server.url, h, 'GET', '/api/areas?level=district')
    expect(areas.status).toBe(200)
    expect(areas.json.features).toHaveLength(1)
    await stop(server)
  }, 300_000)

  it('a full disk: an edit answers 507 naming it, the server stays up; the start refuses; freed, a restart has the data as before', async () => {
    server = await startServer(env)
    let h = await login(server.url)
    const imp = await api(server.url, h, 'POST', '/api/plans/import', { districtId: t.districtId, name: 'disk', csv: divisionCsv(t), params: { min: 300, max: 900 } })
    expect(imp.status, imp.text).toBe(201)
    const planId = imp.json.plan.id as number
    const p = await api(server.url, h, 'GET', `/api/plans/${planId}`)
    const grid = Object.fromEntries(p.json.gridList.map((g: { code: string; id: number }) => [g.code, g.id])) as Record<string, number>
    const snapshot = async (url: string, hh: Record<string, string>) => {
      const plan = await api(url, hh, 'GET', `/api/plans/${planId}`)
      const units = await api(url, hh, 'GET', `/api/plans/${planId}/units`)
      const edits = await api(url, hh, 'GET', `/api/plans/${planId}/edits`)
      expect([plan.status, units.status, edits.status]).toEqual([200, 200, 200])
      return { version: plan.json.version, grids: plan.json.gridList, units: units.json, edits: edits.json }
    }
    const move = (url: string, hh: Record<string, string>, version: number, to: string) =>
      fetch(`${url}/api/plans/${planId}/edits`, {
        method: 'POST',
        headers: { ...hh, 'content-type': 'application/json', 'if-match': `"${version}"` },
        body: JSON.stringify({ op: 'move', units: [t.at(0, 1)], grid: grid[to] }),
        signal: AbortSignal.timeout(60_000),
      })
    const ok = await move(server.url, h, p.json.version, '00102')
    expect(ok.status, await ok.clone().text()).toBe(200)

    expect(folder.fill()).toBeGreaterThan(0)
    // Edits go on while the pages of the edit and audit logs have room; the first that needs a new page
    // is refused: nothing of it is written. Bounded: a page holds a few dozen log rows.
    let version = (await ok.json()).version as number
    let refused: Response | undefined
    for (let i = 0; i < 300 && !refused; i++) {
      const r = await move(server.url, h, version, i % 2 ? '00102' : '00101')
      if (r.status === 200) version = (await r.json()).version
      else refused = r
    }
    expect(refused, 'no edit was refused on a full disk in 300 tries').toBeDefined()
    const body = await refused!.json()
    expect(refused!.status, JSON.stringify(body)).toBe(507)
    expect(body.message).toMatch(/disk is full/)
    const before = await snapshot(server.url, h)
    expect(before.version).toBe(version) // the refused edit left no trace
    // the move that would change something now (the unit's other grid)
    const other = before.units.units.grid[before.units.units.id.indexOf(t.at(0, 1))] === grid['00101'] ? '00102' : '00101'
    const again = await move(server.url, h, version, other)
    expect(again.status).toBe(507)
    // the server stays up and still answers reads, unchanged
    expect((await api(server.url, h, 'GET', '/health')).status).toBe(200)
    expect(await snapshot(server.url, h)).toEqual(before)
    expect(server.proc.exitCode).toBeNull()

    // a start on the full disk refuses, saying why (the server stops first: one process per folder)
    folder.unfill()
    expect(await stop(server)).toMatchObject({ code: 0 })
    folder.fill()
    const r = await failedStart(env)
    expect(r.code, r.output).toBe(1)
    expect(r.output).toMatch(/full disk \(ENOSPC\)/)
    expect(r.output).toContain(folder.dir)

    // space freed: the same folder opens with the data as it was before the failed writes, and takes edits
    folder.unfill()
    server = await startServer(env)
    h = await login(server.url)
    expect(await snapshot(server.url, h)).toEqual(before)
    const after = await move(server.url, h, before.version, other)
    expect(after.status, await after.clone().text()).toBe(200)
    await stop(server)
  }, 300_000)
})
