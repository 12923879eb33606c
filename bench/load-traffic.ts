// Mixed office traffic with autocannon against a target set up by bench/load-setup.ts: mostly tiles and
// plan reads, some metrics, edits (one unit back and forth between two neighbouring grids, If-Match of
// the version the bench last saw accepted) and a few exports. Latency per request is autocannon's own,
// attributed to the request's kind. Every accepted edit goes into a ledger, so the plan's final state
// can be checked against what the server acknowledged (verifyEdits).
import type { Socket } from 'node:net'
import autocannon from 'autocannon'
import { Api, BASE_LAYERS, PLAN_LAYERS, readAssignment, ZOOMS, type MoveCandidate, type Target } from './load-setup.js'
import { rssMb } from './load-server.js'

export const KINDS = ['tiles', 'reads', 'metrics', 'edits', 'exports'] as const
export type Kind = (typeof KINDS)[number]

/** Share of requests per kind: a planning office looks at the map far more than it edits or exports. */
export const MIX: Record<Kind, number> = { tiles: 0.7, reads: 0.16, metrics: 0.05, edits: 0.07, exports: 0.02 }

/** Deterministic uniform [0, 1) (LCG); the same seed gives the same request choices. */
export function rng(seed: number) {
  let s = seed >>> 0 || 1
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 32)
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] : NaN
}

interface PendingEdit {
  unit: number
  to: number
  ifMatch: number
}

/**
 * What the server acknowledged: the edit plan's version and the grid of each moving unit. Accepted
 * edits come back in version order (each was sent with the version the previous one returned).
 */
export class EditLedger {
  version: number
  accepted = 0
  /** Accepted edits whose answer the bench never read (in flight when a phase stopped), found in the edit log. */
  recovered = 0
  readonly grid = new Map<number, number>()
  /** Sent, answer not read yet (or never: cut off at the end of a phase, or timed out). */
  readonly pending = new Set<PendingEdit>()
  /** Answers that contradict the ledger (e.g. an accepted version that is not If-Match + 1). */
  readonly anomalies: string[] = []

  constructor(readonly target: Target) {
    this.version = target.startVersion
    for (const c of target.candidates) this.grid.set(c.unit, target.startAssignment.get(c.unit)!)
  }

  next(c: MoveCandidate): PendingEdit {
    const e = { unit: c.unit, to: this.grid.get(c.unit) === c.a ? c.b : c.a, ifMatch: this.version }
    this.pending.add(e)
    return e
  }

  accept(e: PendingEdit, version: number) {
    this.pending.delete(e)
    if (version !== e.ifMatch + 1 || version !== this.version + 1) {
      this.anomalies.push(`edit of unit ${e.unit} sent at v${e.ifMatch} accepted as v${version} while the ledger was at v${this.version}`)
    }
    this.version = Math.max(this.version, version)
    this.grid.set(e.unit, e.to)
    this.accepted++
  }

  /**
   * After a phase: edits the server accepted whose answer the bench did not read (cut off when autocannon
   * stopped, or timed out) are taken from the edit log, but only when one of the unanswered requests
   * matches (same unit, grid and version); anything else in the log is an anomaly.
   */
  async reconcile(api: Api) {
    const log = await api.must<{ edits: { version: number; op: string; request: { units?: number[]; grid?: number } | null }[] }>(
      200,
      'GET',
      `/api/plans/${this.target.editPlanId}/edits?limit=1000`,
    )
    const newer = log.edits.filter((e) => e.version > this.version).sort((a, b) => a.version - b.version)
    for (const e of newer) {
      const match = [...this.pending].find((p) => p.ifMatch + 1 === e.version && p.unit === e.request?.units?.[0] && p.to === e.request?.grid)
      if (!match) {
        this.anomalies.push(`the edit log holds v${e.version} (${JSON.stringify(e.request)}) that no unanswered request of the bench matches`)
        break
      }
      this.accept(match, e.version)
      this.accepted--
      this.recovered++
    }
    this.pending.clear()
  }
}

export interface KindStats {
  requests: number
  p50: number
  p95: number
  p99: number
  max: number
  statuses: Record<string, number>
}

export interface PhaseResult {
  connections: number
  seconds: number
  requests: number
  rps: number
  p50: number
  p95: number
  p99: number
  max: number
  byKind: Record<Kind, KindStats>
  statuses: Record<string, number>
  /** Responses that are neither 2xx, 304 nor 409, by status. */
  bad: Record<string, number>
  conflicts: number
  errors: number
  timeouts: number
  /**
   * Responses cut off by the server ending the connection mid-request (autocannon does not count them), by
   * kind, and their URLs: an export overtaken by an edit is cut off this way once its first bytes are out.
   */
  dropped: Record<Kind, number>
  droppedUrls: string[]
  /** Requests that timed out (counted in errors and timeouts too), by kind, and their URLs. */
  timedOut: Record<Kind, number>
  timedOutUrls: string[]
  /** Accepted edits whose answer could not be read (left to the edit log). */
  unreadable: number
  errorMessages: Record<string, number>
  edits: { accepted: number; conflicts: number }
  /** RSS samples in MB, one a second: [seconds since start, server, bench]. */
  rss: [number, number, number][]
}

export interface TrafficOptions {
  connections: number
  durationS: number
  /** Upper bound on requests of the phase, besides its duration. */
  maxRequests: number
  seed?: number
  /** Share of requests per kind (default MIX). */
  mix?: Record<Kind, number>
  /** The server process whose RSS is sampled (once a second). */
  serverPid?: number
  /** Request timeout in seconds; a timed-out request counts as an error. */
  timeoutS?: number
  onSecond?: (s: { t: number; serverMb: number; benchMb: number; responses: number }) => void
}

interface Ctx {
  kind?: Kind
  edit?: PendingEdit
  url?: string
}

export async function runTraffic(target: Target, ledger: EditLedger, opts: TrafficOptions): Promise<PhaseResult> {
  const random = rng(opts.seed ?? 1)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]
  const plans = [target.planId, target.editPlanId]
  const etags = new Map<string, string>()
  const mix = opts.mix ?? MIX
  const total = KINDS.reduce((s, k) => s + mix[k], 0)
  let sum = 0
  const cumulative = KINDS.map((k) => (sum += mix[k] / total))
  const auth = { authorization: target.authorization }
  const withTag = (url: string): Record<string, string> => {
    const tag = etags.get(url)
    // A browser revalidates what it holds; half the clients hold it.
    return tag && random() < 0.5 ? { ...auth, 'if-none-match': tag } : auth
  }
  const get = (ctx: Ctx, kind: Kind, url: string, headers: Record<string, string> = auth) => {
    ctx.kind = kind
    ctx.url = url
    return { method: 'GET', path: url, headers }
  }

  function build(ctx: Ctx) {
    const r = random()
    const kind = KINDS[cumulative.findIndex((c) => r < c)] ?? 'tiles'
    switch (kind) {
      case 'tiles': {
        const z = pick(ZOOMS)
        const [x, y] = pick(target.tiles.get(z)!)
        const url =
          random() < 0.75 ? `/api/plans/${pick(plans)}/tiles/${pick(PLAN_LAYERS)}/${z}/${x}/${y}.mvt` : `/api/tiles/${pick(BASE_LAYERS)}/${z}/${x}/${y}.mvt`
        return get(ctx, kind, url, withTag(url))
      }
      case 'reads': {
        const id = pick(plans)
        const url = pick([`/api/plans/${id}`, '/api/plans', `/api/plans/${id}/units`, `/api/plans/${id}/edits?limit=20`])
        return get(ctx, kind, url, url.endsWith('/units') ? withTag(url) : auth)
      }
      case 'metrics':
        return get(ctx, kind, `/api/plans/${pick(plans)}/metrics`)
      case 'exports':
        return get(ctx, kind, pick([`/api/plans/${pick(plans)}/export.csv`, `/api/plans/${pick(plans)}/export.geojson?layer=grids`]))
      case 'edits': {
        const e = ledger.next(pick(target.candidates))
        ctx.kind = kind
        ctx.edit = e
        return {
          method: 'POST',
          path: `/api/plans/${target.editPlanId}/edits`,
          headers: { ...auth, 'content-type': 'application/json', 'if-match': `"${e.ifMatch}"` },
          body: JSON.stringify({ op: 'move', units: [e.unit], grid: e.to }),
        }
      }
    }
  }

  const latencies: number[] = []
  const byKind = new Map<Kind, { lat: number[]; statuses: Record<string, number> }>(KINDS.map((k) => [k, { lat: [], statuses: {} }]))
  const statuses: Record<string, number> = {}
  const bad: Record<string, number> = {}
  const errorMessages: Record<string, number> = {}
  let conflicts = 0
  const dropped = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>
  const droppedUrls: string[] = []
  const timedOut = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>
  const timedOutUrls: string[] = []
  let unreadable = 0
  let editConflicts = 0
  let accepted0 = ledger.accepted
  // onResponse (per request, with its context) runs just before autocannon's 'response' event for the
  // same response, in the same tick: it leaves the kind here for the latency to be attributed to.
  let last: { kind: Kind; status: number } | null = null
  const rss: [number, number, number][] = []
  const t0 = performance.now()

  const options: autocannon.Options = {
    url: target.url,
    connections: opts.connections,
    duration: opts.durationS,
    maxOverallRequests: opts.maxRequests,
    timeout: opts.timeoutS ?? 30,
    // A connection the server ends while a request is in flight loses that response. autocannon 9 then
    // reconnects keeping the cut-off request at the head of its queue and its HTTP parser in the middle of
    // that response, so every later answer on the connection would be read against the wrong request
    // (or never complete). Count the cut-off (by the kind of the request in flight), and start the queue
    // and the parser afresh before autocannon's own 'end' handler sends the next request. Same for the
    // parser after a timeout (autocannon clears the queue then, not the parser).
    setupClient: (client) => {
      const c = client as unknown as {
        _connect: () => void
        _destroyConnection: () => void
        destroyed: boolean
        conn: Socket
        parser: { initialize: (type: 'RESPONSE') => void }
        pipelinedRequests: { size: () => number; clear: () => void }
        requestIterator: { context: Ctx }
        on: (event: 'timeout', fn: () => void) => void
      }
      const connect = c._connect
      c._connect = function (this: typeof c) {
        connect.call(this)
        this.conn.prependListener('end', () => {
          if (this.pipelinedRequests.size() === 0) return
          const { kind = 'tiles', url = 'edit' } = this.requestIterator.context
          dropped[kind]++
          if (droppedUrls.length < 50) droppedUrls.push(url)
          this.pipelinedRequests.clear()
          this.parser.initialize('RESPONSE')
        })
      }
      c.on('timeout', () => c.parser.initialize('RESPONSE'))
      // autocannon drops a timed-out request through _destroyConnection (as at the end, when destroyed is set
      // first): note the kind of the request in flight before the next one replaces its context.
      const destroyConnection = c._destroyConnection
      c._destroyConnection = function (this: typeof c) {
        if (!this.destroyed && this.pipelinedRequests.size() > 0) {
          const { kind = 'tiles', url = 'edit' } = this.requestIterator.context
          timedOut[kind]++
          if (timedOutUrls.length < 50) timedOutUrls.push(url)
        }
        destroyConnection.call(this)
      }
    },
    requests: [
      {
        setupRequest: (req, context) => ({ ...req, ...build(context as Ctx) }) as autocannon.Request,
        onResponse: (status, body, context, headers) => {
          const ctx = context as Ctx
          const kind = ctx.kind ?? 'tiles'
          last = { kind, status }
          if (ctx.url) {
            const tag = headers?.etag ?? headers?.ETag
            if (typeof tag === 'string') etags.set(ctx.url, tag)
          }
          if (ctx.edit) {
            let version: unknown
            try {
              version = status === 200 ? (JSON.parse(body) as { version?: unknown }).version : undefined
            } catch {
              // a body that is not the edit's (see dropped): its outcome is left to reconcile()
            }
            if (typeof version === 'number') ledger.accept(ctx.edit, version)
            else if (status === 200) unreadable++
            else ledger.pending.delete(ctx.edit)
          }
        },
      },
    ],
  }

  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const inst = autocannon(options, (err, res) => (err ? reject(err) : resolve(res)))
    // Bound in time whatever happens: duration, plus room for the slowest request to time out.
    const watchdog = setTimeout(() => inst.stop(), (opts.durationS + 2 * (opts.timeoutS ?? 30) + 10) * 1000)
    let responses = 0
    const sampler = setInterval(() => {
      const t = (performance.now() - t0) / 1000
      const s = opts.serverPid ? rssMb(opts.serverPid) : NaN
      const b = rssMb(process.pid)
      rss.push([+t.toFixed(1), +s.toFixed(1), +b.toFixed(1)])
      opts.onSecond?.({ t, serverMb: s, benchMb: b, responses })
    }, 1000)
    inst.on('done', () => (clearInterval(sampler), clearTimeout(watchdog)))
    inst.on('reqError', (err: Error) => {
      const m = err.message || String(err)
      errorMessages[m] = (errorMessages[m] ?? 0) + 1
    })
    inst.on('response', (_client, status, _bytes, ms) => {
      responses++
      const kind = last?.kind ?? 'tiles'
      last = null
      latencies.push(ms)
      const k = byKind.get(kind)!
      k.lat.push(ms)
      k.statuses[status] = (k.statuses[status] ?? 0) + 1
      statuses[status] = (statuses[status] ?? 0) + 1
      if (status === 409 && kind === 'edits') editConflicts++
      if (status === 409) conflicts++
      // 409: the plan moved on (an edit raced another, an export was overtaken by an edit), expected here.
      const ok = (status >= 200 && status < 300) || status === 304 || status === 409
      if (!ok) bad[status] = (bad[status] ?? 0) + 1
    })
  })
  const seconds = (performance.now() - t0) / 1000
  const sorted = Float64Array.from(latencies).sort()
  const kindStats = Object.fromEntries(
    KINDS.map((k) => {
      const s = Float64Array.from(byKind.get(k)!.lat).sort()
      return [k, { requests: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN, statuses: byKind.get(k)!.statuses }]
    }),
  ) as Record<Kind, KindStats>
  const accepted = ledger.accepted - accepted0
  accepted0 = ledger.accepted
  return {
    connections: opts.connections,
    seconds,
    requests: latencies.length,
    rps: latencies.length / seconds,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    byKind: kindStats,
    statuses,
    bad,
    conflicts,
    errors: result.errors,
    timeouts: result.timeouts,
    dropped,
    droppedUrls,
    timedOut,
    timedOutUrls,
    unreadable,
    errorMessages,
    edits: { accepted, conflicts: editConflicts },
    rss,
  }
}

/**
 * After traffic: recover cut-off edits from the log, then compare the edit plan with the ledger. Every
 * unit's grid must be its start grid with the accepted moves applied, and the version must be the start
 * version plus the accepted edits.
 */
export async function verifyEdits(target: Target, ledger: EditLedger) {
  const api = new Api(target.url, target.authorization)
  // Requests whose connections autocannon closed at the end still run on the server: wait until the
  // plan's version has not moved for 3 s (at most 60 s) before reading the edit log.
  const quietMs = 3000
  let last = -1
  let since = Date.now()
  for (const start = Date.now(); Date.now() - start < 60_000; await new Promise((r) => setTimeout(r, 250))) {
    const { version } = await api.must<{ version: number }>(200, 'GET', `/api/plans/${target.editPlanId}/assignments`)
    if (version !== last) (last = version), (since = Date.now())
    else if (Date.now() - since >= quietMs) break
  }
  await ledger.reconcile(api)
  const now = await readAssignment(api, target.editPlanId)
  const wrong: string[] = []
  for (const [unit, start] of target.startAssignment) {
    const want = ledger.grid.get(unit) ?? start
    const got = now.grid.get(unit)
    if (got !== want) wrong.push(`unit ${unit}: grid ${got}, the accepted edits say ${want}`)
  }
  if (now.grid.size !== target.startAssignment.size) wrong.push(`${now.grid.size} units assigned, ${target.startAssignment.size} at the start`)
  const expectedVersion = target.startVersion + ledger.accepted + ledger.recovered
  return {
    ok: wrong.length === 0 && now.version === expectedVersion && ledger.anomalies.length === 0,
    version: now.version,
    expectedVersion,
    accepted: ledger.accepted,
    recovered: ledger.recovered,
    wrong: wrong.slice(0, 20),
    anomalies: ledger.anomalies.slice(0, 20),
  }
}
