import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startLoadServer, type LoadServer } from '../bench/load-server.js'
import { setupTarget, type Target } from '../bench/load-setup.js'
import { EditLedger, runTraffic, verifyEdits } from '../bench/load-traffic.js'
import { BACKEND } from './helpers/db.js'

// The short CI version of `npm run bench:load`: the real server (`npm start`, demo district) in a child
// process on 127.0.0.1, a partitioned plan with police cells and a copy for edits, then the bench's mixed
// traffic at 8 connections for 5 s (at most 3,000 requests), with a larger share of edits so that
// several race for the same version. Asserts behaviour only, never times.

describe(`mixed load on ${BACKEND}`, () => {
  let server: LoadServer
  let target: Target

  beforeAll(async () => {
    server = await startLoadServer({ databaseUrl: process.env.DATABASE_URL || undefined })
    target = await setupTarget(server.url, server.admin, { moves: 6 })
  }, 300_000)

  afterAll(async () => {
    if (server) expect(await server.stop()).toBe(0) // graceful shutdown after the load
  })

  it('answers every request with 2xx, 304 or 409, loses no accepted edit and stays healthy', async () => {
    const ledger = new EditLedger(target)
    const r = await runTraffic(target, ledger, {
      connections: 8,
      durationS: 5,
      maxRequests: 3000,
      seed: 9,
      serverPid: server.pid,
      mix: { tiles: 0.5, reads: 0.15, metrics: 0.05, edits: 0.25, exports: 0.05 },
    })
    const why = JSON.stringify({ statuses: r.statuses, bad: r.bad, errors: r.errorMessages, dropped: r.droppedUrls, log: server.errors().slice(0, 3) })
    expect(r.requests, why).toBeGreaterThan(0)
    expect(r.errors, why).toBe(0) // no connection error, no timeout
    expect(r.timeouts, why).toBe(0)
    expect(r.bad, why).toEqual({}) // every status other than 409 is 2xx or 304: no 5xx, no other 4xx
    // The server ends a connection mid-response only for an export overtaken by an edit once its first
    // bytes are out (server/export/rows.ts: PlanChangedError, it cannot send a 409 any more).
    for (const url of r.droppedUrls) expect(url, why).toMatch(new RegExp(`^/api/plans/${target.editPlanId}/export\\.`))
    expect(r.dropped.exports, why).toBe(r.droppedUrls.length)
    for (const kind of ['tiles', 'reads', 'edits'] as const) expect(r.byKind[kind].requests, `${kind}: ${why}`).toBeGreaterThan(0)

    const v = await verifyEdits(target, ledger)
    expect(v, JSON.stringify(v)).toMatchObject({ ok: true, wrong: [], anomalies: [] })
    expect(v.accepted + v.recovered).toBeGreaterThan(0)
    expect(v.version).toBe(target.startVersion + v.accepted + v.recovered)

    const health = await fetch(`${server.url}/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ status: 'ok', backend: BACKEND })
    expect(server.errors(), 'errors in the server log').toEqual([])
  })
})
