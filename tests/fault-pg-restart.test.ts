/**
 * Issue 9: PostgreSQL restarted under a stream of edits. The server (a real process) answers every request
 * during the outage with a JSON 503 and never crashes or hangs, answers again within a generous bound
 * once the database is back, and no edit it accepted (2xx) is lost.
 *
 * The test restarts a PostgreSQL of its own (tests/helpers/fault-pg.ts), never the one the other test files
 * share. It runs in the PostgreSQL pass of the suite only: the code under test (the pg pool and what sits
 * on it) is the PostgreSQL backend's, and the embedded pass has nothing of it to exercise. Without the
 * PostgreSQL binaries it fails, saying what to install; it does not skip.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate } from '../server/db/migrate.js'
import { openPostgres } from '../server/db/postgres.js'
import type { Db } from '../server/db/index.js'
import { BACKEND } from './helpers/db.js'
import { divisionCsv, loadTestDistrict, type TestDistrict } from './helpers/district.js'
import { startCluster, type Cluster } from './helpers/fault-pg.js'
import { api, insertPlanner, kill, login, startServer, type ServerProc } from './helpers/fault-server.js'

describe.skipIf(BACKEND !== 'postgres')('PostgreSQL restarted during traffic (own throwaway cluster)', () => {
  let cluster: Cluster
  let db: Db
  let server: ServerProc | undefined
  let t: TestDistrict

  beforeAll(async () => {
    cluster = await startCluster()
    db = await openPostgres(cluster.url, { max: 2 })
    await migrate(db)
    t = await loadTestDistrict(db)
    await insertPlanner(db)
    await db.close()
    server = await startServer({ DATABASE_URL: cluster.url, DATA_DIR: '/nonexistent', LOGIN_RATE_LIMIT: '1000' })
  }, 180_000)

  afterAll(async () => {
    await kill(server)
    await cluster?.destroy()
  })

  it('answers 5xx JSON during the outage, recovers, and keeps every accepted edit', async () => {
    const url = server!.url
    const h = await login(url)
    const imp = await api(url, h, 'POST', '/api/plans/import', { districtId: t.districtId, name: 'restart', csv: divisionCsv(t), params: { min: 300, max: 900 } })
    expect(imp.status, imp.text).toBe(201)
    const planId = imp.json.plan.id as number
    const plan = await api(url, h, 'GET', `/api/plans/${planId}`)
    const grid = Object.fromEntries(plan.json.gridList.map((g: { code: string; id: number }) => [g.code, g.id])) as Record<string, number>
    // one unit of community 001 goes back and forth between its south (00101) and north (00102) grid
    const unit = t.at(0, 1)
    const targets = [grid['00102'], grid['00101']]

    let version = plan.json.version as number
    const accepted: { version: number; grid: number }[] = []
    const failures: { status: number; body: string }[] = []
    const errors: string[] = []
    let restarted = false
    let afterRestart = 0
    let k = 0
    // Bounded: at most 400 requests and 120 s; ends 20 accepted edits after the database is back.
    const deadline = Date.now() + 120_000
    const traffic = (async () => {
      while (k < 400 && Date.now() < deadline && !(restarted && afterRestart >= 20)) {
        const target = targets[k++ % 2]
        let r: Awaited<ReturnType<typeof apiWithTimeout>>
        try {
          r = await apiWithTimeout(url, h, 'POST', `/api/plans/${planId}/edits`, { op: 'move', units: [unit], grid: target }, { 'if-match': `"${version}"` })
        } catch (err) {
          // a timeout (hang) or a refused connection (the server is gone): both fail the test below
          errors.push(String((err as Error).cause ?? err))
          if (server!.proc.exitCode !== null || server!.proc.signalCode !== null) break
          continue
        }
        if (r.status === 200) {
          version = r.json.version
          accepted.push({ version, grid: target })
          if (restarted) afterRestart++
          continue
        }
        failures.push({ status: r.status, body: r.text })
        // A 409 follows an edit whose commit landed but whose answer was lost: read the version again.
        const p = await apiWithTimeout(url, h, 'GET', `/api/plans/${planId}`).catch(() => null)
        if (p?.status === 200) version = p.json.version
        else await sleep(100)
      }
    })()

    // let some edits through, then stop the database hard, keep it down for a while, and start it again
    while (accepted.length < 10 && Date.now() < deadline) await sleep(20)
    await cluster.stop()
    await sleep(3000)
    await cluster.start()
    restarted = true
    const back = Date.now()
    await traffic

    expect(server!.proc.exitCode, server!.output()).toBeNull()
    expect(errors, 'requests without an answer (15 s timeout) or refused').toEqual([])
    expect(server!.proc.signalCode).toBeNull()
    expect(afterRestart, `the server did not accept edits again after the restart; failures: ${JSON.stringify(failures.slice(-3))}`).toBeGreaterThanOrEqual(20)
    expect(Date.now() - back).toBeLessThan(120_000)
    // requests the outage refused: JSON 503 bodies, nothing else
    expect(failures.length, 'no request failed: the outage was not exercised').toBeGreaterThan(0)
    // (a lost answer leaves the client one edit behind: 409 stale version, or 422 no-change when the
    // unit already sits where the next move would put it)
    for (const f of failures) {
      expect([409, 422, 503], f.body).toContain(f.status)
      const body = JSON.parse(f.body)
      expect(body.message, f.body).toEqual(expect.any(String))
      if (f.status === 422) expect(body.details?.reason, f.body).toBe('no-change')
    }
    expect(failures.some((f) => f.status >= 500)).toBe(true)
    // and the outage is named: 503, the database is unavailable (not an anonymous 500)
    for (const f of failures.filter((x) => x.status >= 500)) expect(JSON.parse(f.body), f.body).toMatchObject({ error: 'Service Unavailable', message: expect.stringMatching(/database is unavailable/) })

    // no accepted edit lost: each answered version is in the edit log with the move it answered for,
    // and the unit sits where the latest logged move put it
    const check = await openPostgres(cluster.url, { max: 1 })
    try {
      const { rows } = await check.query<{ version: number; grid: number }>(
        `SELECT version, (payload->'request'->>'grid')::bigint AS grid FROM plan_edits WHERE plan_id = $1 AND op = 'move' ORDER BY version`,
        [planId],
      )
      const logged = new Map(rows.map((r) => [r.version, r.grid]))
      for (const a of accepted) expect(logged.get(a.version), `edit version ${a.version}`).toBe(a.grid)
      const final = (await check.query<{ grid_id: number; version: number }>(
        'SELECT ug.grid_id, p.version FROM unit_grids ug JOIN plans p ON p.id = ug.plan_id WHERE ug.plan_id = $1 AND ug.unit_id = $2',
        [planId, unit],
      )).rows[0]
      expect(final.version).toBeGreaterThanOrEqual(accepted.at(-1)!.version)
      expect(final.grid_id).toBe(rows.at(-1)!.grid)
      if (final.version === accepted.at(-1)!.version) expect(final.grid_id).toBe(accepted.at(-1)!.grid)
    } finally {
      await check.close()
    }
  }, 300_000)
})

async function apiWithTimeout(url: string, h: Record<string, string>, method: string, path: string, body?: unknown, extra: Record<string, string> = {}) {
  const r = await fetch(`${url}${path}`, {
    method,
    headers: { ...h, ...extra, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  })
  const text = await r.text()
  let json: any = null // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    json = JSON.parse(text)
  } catch {
    /* checked by the caller */
  }
  return { status: r.status, json, text }
}
