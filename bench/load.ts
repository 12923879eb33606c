// Load bench and soak (issue 9): the real server (`npm start`, demo district) in a child process on
// 127.0.0.1, a plan partitioned and grouped into police cells by the API jobs plus a copy for edits, then
// mixed office traffic with autocannon (bench/load-traffic.ts): tiles, plan reads, metrics, edits with
// If-Match, exports. Each phase is bounded by its duration and a request count. Records per phase the
// throughput, p50/p95/p99 overall and per kind, non-2xx by status (edit 409s apart), errors, timeouts and
// the RSS of the server and of the bench (sampled once a second from /proc), and checks after each phase
// that no accepted edit was lost. Writes its part of bench/RESULTS.md.
//   npm run bench:load                      8, 32 and 128 connections × 60 s, embedded database
//   DATABASE_URL=postgres://… npm run bench:load     the same on a fresh database of that PostgreSQL
//   npm run bench:soak                      one 10-minute phase (32 connections), RSS every 10 s and its slope
//   flags: --connections 8,32,128  --duration 60  --max-requests 200000  --seed 1  --no-write
import { cpus, loadavg, totalmem } from 'node:os'
import { readFileSync, writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { startLoadServer } from './load-server.js'
import { setupTarget } from './load-setup.js'
import { EditLedger, KINDS, runTraffic, verifyEdits, type PhaseResult } from './load-traffic.js'

const { values: flags } = parseArgs({
  options: {
    soak: { type: 'boolean', default: false },
    connections: { type: 'string' },
    duration: { type: 'string' },
    'max-requests': { type: 'string' },
    seed: { type: 'string', default: '1' },
    'no-write': { type: 'boolean', default: false },
  },
})
const SOAK = flags.soak
const CONNECTIONS = (flags.connections ?? (SOAK ? '32' : '8,32,128')).split(',').map(Number)
const DURATION_S = Number(flags.duration ?? (SOAK ? 600 : 60))
const MAX_REQUESTS = Number(flags['max-requests'] ?? DURATION_S * 2000)
const SEED = Number(flags.seed)
if (CONNECTIONS.some((c) => !(c >= 1)) || !(DURATION_S > 0) || !(MAX_REQUESTS >= 1)) {
  console.error('--connections must be positive integers (e.g. 8,32,128), --duration and --max-requests positive numbers')
  process.exit(2)
}
const DATABASE_URL = process.env.DATABASE_URL || undefined
const BACKEND = DATABASE_URL ? 'postgres' : 'pglite'

const log = (m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`)
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ')
const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(x < 10 ? 1 : 0) : '–')
const mb = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '–')

/** Least-squares slope of y over x. */
function slope(points: [number, number][]) {
  const n = points.length
  if (n < 2) return NaN
  const mx = points.reduce((s, p) => s + p[0], 0) / n
  const my = points.reduce((s, p) => s + p[1], 0) / n
  let num = 0
  let den = 0
  for (const [x, y] of points) (num += (x - mx) * (y - my)), (den += (x - mx) ** 2)
  return num / den
}

interface PhaseRecord {
  r: PhaseResult
  loadBefore: string
  loadAfter: string
  verified: Awaited<ReturnType<typeof verifyEdits>>
  health: number
  /** Responses in each minute of the phase. */
  perMinute: number[]
}

function statusList(s: Record<string, number>) {
  const e = Object.entries(s)
  return e.length ? e.map(([k, v]) => `${k}×${v}`).join(' ') : 'none'
}

function droppedList(r: PhaseResult, what: 'dropped' | 'timedOut' = 'dropped') {
  const d = Object.entries(r[what]).filter(([, n]) => n > 0)
  return d.length ? d.map(([k, n]) => `${k} ${n}`).join(', ') : '0'
}

function rssSummary(r: PhaseResult, col: 1 | 2) {
  const xs = r.rss.map((s) => s[col]).filter(Number.isFinite)
  return xs.length ? `${mb(xs[0])} / ${mb(Math.max(...xs))} / ${mb(xs[xs.length - 1])}` : '–'
}

function phaseTables(records: PhaseRecord[]) {
  const lines = [
    '| connections | s | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | edits accepted / 409 | other 409 | other non-2xx | errors (timeouts) | cut off mid-response | server RSS MB start / peak / end | bench RSS MB peak | load avg before → after |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ]
  for (const { r, loadBefore, loadAfter } of records) {
    const other = Object.entries(r.bad)
    lines.push(
      `| ${r.connections} | ${r.seconds.toFixed(0)} | ${r.requests} | ${r.rps.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.p99)} | ${ms(r.max)} | ` +
        `${r.edits.accepted} / ${r.edits.conflicts} | ${r.conflicts - r.edits.conflicts} | ${other.length ? statusList(Object.fromEntries(other)) : '0'} | ${r.errors} (${r.timeouts}${r.timeouts ? `: ${droppedList(r, 'timedOut')}` : ''}) | ${droppedList(r)} | ` +
        `${rssSummary(r, 1)} | ${mb(Math.max(...r.rss.map((s) => s[2]).filter(Number.isFinite)))} | ${loadBefore.split(' ')[0]} → ${loadAfter.split(' ')[0]} |`,
    )
  }
  lines.push('', 'Per kind (p50 / p95 / p99 ms, requests, statuses):', '')
  lines.push(`| connections | ${KINDS.join(' | ')} |`, `|---|${KINDS.map(() => '---').join('|')}|`)
  for (const { r } of records) {
    lines.push(
      `| ${r.connections} | ${KINDS.map((k) => {
        const s = r.byKind[k]
        return `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.p99)}, ${s.requests}: ${statusList(s.statuses)}`
      }).join(' | ')} |`,
    )
  }
  lines.push('', 'Server RSS over time (MB, every 10 s):', '')
  for (const { r } of records) {
    lines.push(`- ${r.connections} connections: ${r.rss.filter((_, i) => i % 10 === 9 || i === 0).map((s) => mb(s[1])).join(', ')}`)
  }
  lines.push('', 'Edits after each phase (no accepted edit lost: assignment and version match what the server acknowledged):', '')
  for (const { r, verified: v, health } of records) {
    lines.push(
      `- ${r.connections} connections: ${v.ok ? 'match' : 'MISMATCH'} — version ${v.version} (expected ${v.expectedVersion}), ` +
        `${v.accepted} accepted so far${v.recovered ? ` + ${v.recovered} cut off at the phase's end and found in the edit log` : ''}; /health ${health}` +
        (v.wrong.length || v.anomalies.length ? `; ${[...v.wrong, ...v.anomalies].slice(0, 3).join('; ')}` : ''),
    )
  }
  return lines
}

function soakTable({ r, perMinute }: PhaseRecord) {
  // 10-s samples: server and bench RSS; per-minute rows with the requests done in that minute.
  const tenS = r.rss.filter((_, i) => i % 10 === 9)
  const lines = ['| minute | server RSS MB (min–max in the minute) | bench RSS MB | requests in the minute |', '|---|---|---|---|']
  const minutes = Math.ceil(r.rss.length / 60)
  for (let m = 0; m < minutes; m++) {
    const s = r.rss.slice(m * 60, (m + 1) * 60)
    if (!s.length) continue
    const srv = s.map((x) => x[1])
    lines.push(`| ${m + 1} | ${mb(srv[srv.length - 1])} (${mb(Math.min(...srv))}–${mb(Math.max(...srv))}) | ${mb(s[s.length - 1][2])} | ${perMinute[m] ?? '–'} |`)
  }
  const all = slope(tenS.map((s) => [s[0] / 60, s[1]]))
  const half = slope(tenS.filter((s) => s[0] >= r.seconds / 2).map((s) => [s[0] / 60, s[1]]))
  lines.push('', `Server RSS slope (least squares over the 10-s samples): ${all.toFixed(2)} MB/min over the whole run, ${half.toFixed(2)} MB/min over its second half.`)
  lines.push('', `Server RSS every 10 s (MB): ${tenS.map((s) => mb(s[1])).join(', ')}`)
  return lines
}

function writeResults(key: string, title: string, body: string[]) {
  const path = new URL('./RESULTS.md', import.meta.url)
  const text = readFileSync(path, 'utf8')
  const begin = '<!-- bench/load.ts: begin -->'
  const end = '<!-- bench/load.ts: end -->'
  const intro = [
    '## Mixed load and soak (bench/load.ts)',
    '',
    '`npm run bench:load` / `npm run bench:soak` (add DATABASE_URL for PostgreSQL): the server as `npm start` runs it (demo',
    'district, LOG_LEVEL=warn), a plan of 300–500 households per grid partitioned and grouped into cells by the API jobs',
    'and a copy that takes the edits; autocannon on 127.0.0.1 sends 70 % tiles (z12–z16 over the units, plan and base layers,',
    'If-None-Match for half of the tiles seen before), 16 % plan reads, 5 % metrics, 7 % edits (one unit back and forth between',
    'two neighbouring grids, If-Match of the last accepted version: a 409 is the expected loser of a race), 2 % exports (CSV',
    'assignment, GeoJSON grids). Latencies are autocannon\'s, client side, on the same 2 cores as the server.',
    '',
  ]
  const blocks = new Map<string, string>()
  const start = text.indexOf(begin)
  const stop = text.indexOf(end)
  if (start >= 0 && stop > start) {
    const inner = text.slice(start + begin.length, stop)
    for (const m of inner.matchAll(/<!-- load run: (\S+) -->\n([\s\S]*?)<!-- load run end: \1 -->\n/g)) blocks.set(m[1], m[2])
  }
  blocks.set(key, [`### ${title}`, '', ...body, ''].join('\n'))
  const order = ['phases-pglite', 'phases-postgres', 'soak-pglite', 'soak-postgres']
  const keys = [...blocks.keys()].sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99))
  const section = [begin, ...intro, ...keys.map((k) => `<!-- load run: ${k} -->\n${blocks.get(k)}<!-- load run end: ${k} -->`), end].join('\n')
  const next = start >= 0 && stop > start ? text.slice(0, start) + section + text.slice(stop + end.length) : `${text.trimEnd()}\n\n${section}\n`
  writeFileSync(path, next)
  log('bench/RESULTS.md updated')
}

async function main() {
  const machine = `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}`
  const loadAtStart = load()
  log(`${BACKEND}: ${machine}; load average ${loadAtStart}`)
  const t0 = performance.now()
  const server = await startLoadServer({ databaseUrl: DATABASE_URL })
  let code: number | null = null
  const records: PhaseRecord[] = []
  try {
    log(`server ${server.pid} at ${server.url} up in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    const target = await setupTarget(server.url, server.admin, { log })
    log(`set up in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
    const ledger = new EditLedger(target)
    for (const [i, connections] of CONNECTIONS.entries()) {
      const loadBefore = load()
      log(`phase: ${connections} connections × ${DURATION_S} s (at most ${MAX_REQUESTS} requests); load ${loadBefore}`)
      const cumulative: number[] = []
      const r = await runTraffic(target, ledger, {
        connections,
        durationS: DURATION_S,
        maxRequests: MAX_REQUESTS,
        seed: SEED + i,
        serverPid: server.pid,
        onSecond: (s) => {
          cumulative.push(s.responses)
          const sec = cumulative.length
          if (sec % (SOAK ? 60 : 10) === 0) log(`  ${sec} s: ${s.responses} responses, server RSS ${mb(s.serverMb)} MB, bench ${mb(s.benchMb)} MB`)
        },
      })
      const perMinute: number[] = []
      for (let m = 0; m * 60 < cumulative.length; m++) {
        perMinute.push(cumulative[Math.min(cumulative.length, (m + 1) * 60) - 1] - (m ? cumulative[m * 60 - 1] : 0))
      }
      const loadAfter = load()
      const verified = await verifyEdits(target, ledger)
      const health = (await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(30_000) })).status
      records.push({ r, loadBefore, loadAfter, verified, health, perMinute })
      log(
        `  ${r.requests} requests, ${r.rps.toFixed(0)}/s, p50/p95/p99 ${ms(r.p50)}/${ms(r.p95)}/${ms(r.p99)} ms; statuses ${statusList(r.statuses)}; ` +
          `errors ${r.errors} (timeouts ${r.timeouts}) ${JSON.stringify(r.errorMessages)}; cut off ${droppedList(r)} ${r.droppedUrls.slice(0, 5).join(' ')}; timed out ${droppedList(r, 'timedOut')} ${r.timedOutUrls.slice(0, 8).join(' ')}; edits ${r.edits.accepted} accepted, ${r.edits.conflicts} × 409; ` +
          `verify ${JSON.stringify(verified)}; /health ${health}; load ${loadAfter}`,
      )
      for (const k of KINDS) {
        const s = r.byKind[k]
        log(`    ${k}: ${s.requests} p50/p95/p99 ${ms(s.p50)}/${ms(s.p95)}/${ms(s.p99)} ms ${statusList(s.statuses)}`)
      }
    }
    const errs = server.errors()
    if (errs.length) log(`server logged ${errs.length} error(s); first: ${errs.slice(0, 3).join('\n')}`)
    const setupLine = `${target.units} units → ${target.grids} grids, ${target.cells} cells; ${target.candidates.length} units moving between pairs of grids; ${[...target.tiles].map(([z, t]) => `z${z}: ${t.length}`).join(', ')} tiles`
    const head = [
      `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${BACKEND}, ${machine}; load average at start ${loadAtStart}, at the end ${load()}.`,
      `${setupLine}. Server log: ${errs.length} errors, ${server.warnings().length} warnings (${[...new Set(server.warnings().map((w) => /"msg":"([^"]*)"/.exec(w)?.[1] ?? '?'))].join('; ') || 'none'}).`,
      '',
    ]
    if (!flags['no-write']) {
      if (SOAK) {
        const { r } = records[0]
        writeResults(`soak-${BACKEND}`, `Soak, ${BACKEND}: ${r.connections} connections × ${(DURATION_S / 60).toFixed(0)} min`, [
          ...head,
          ...phaseTables(records),
          '',
          ...soakTable(records[0]),
        ])
      } else {
        writeResults(`phases-${BACKEND}`, `Phases, ${BACKEND}: ${CONNECTIONS.join(', ')} connections × ${DURATION_S} s`, [...head, ...phaseTables(records)])
      }
    }
    if (SOAK) for (const l of soakTable(records[0])) console.log(l)
  } finally {
    code = await server.stop()
    log(`server stopped (exit ${code})`)
  }
  const failed = records.filter(
    (p) => !p.verified.ok || p.health !== 200 || Object.keys(p.r.bad).some((s) => Number(s) >= 500) || KINDS.some((k) => k !== 'exports' && p.r.dropped[k] > 0),
  )
  if (failed.length) {
    console.error(`FAILED: ${failed.length} phase(s) lost edits, answered 5xx, cut off a response other than an export or left /health failing`)
    process.exitCode = 1
  }
}

await main()
