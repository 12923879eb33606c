// Tile benchmark: a synthetic district (10k units, ~400 grids, ~70 cells) served by the app in a child
// process on 127.0.0.1; autocannon with 32 connections asks for every z13–z16 tile of the units, grids
// and cells layers once (cold: every request is a cache miss), then keeps asking for 10 s (warm), then
// revalidates with If-None-Match (304). Reports p50/p95/p99 per pass from every response's latency.
//   npx tsx bench/tiles.ts                         embedded database (in-process tiler)
//   DATABASE_URL=postgres://… npx tsx bench/tiles.ts   PostgreSQL (ST_AsMVT)
//   UNITS=10000 OUTLINES=stored|dissolved CONNECTIONS=32 WARM_S=10 CPU_PROF=/tmp/prof
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'

const UNITS = Number(process.env.UNITS ?? 10_000)
const STORED = (process.env.OUTLINES ?? 'stored') === 'stored'
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 32)
const WARM_S = Number(process.env.WARM_S ?? 10)
const ZOOMS = [13, 14, 15, 16]

interface Ready {
  address: string
  authorization: string
  planId: number
  box: [number, number, number, number]
  backend: string
}

async function serve() {
  const { BACKEND, createTestDb } = await import('../tests/helpers/db.js')
  const { build } = await import('../tests/helpers/app.js')
  const { tokenFor } = await import('../tests/helpers/auth.js')
  const { syntheticPlan } = await import('./export-fixture.js')
  const db = await createTestDb()
  const app = await build(db)
  const plan = await syntheticPlan(db, { units: UNITS, size: 0.001, storedOutlines: STORED })
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  const { authorization } = await tokenFor(app, db, 'analyst')
  process.send!({ address, authorization, planId: plan.planId, box: plan.box, backend: BACKEND } satisfies Ready)
  process.on('message', async () => {
    await app.close()
    await db.close()
    process.exit(0)
  })
}

function tileRange(box: Ready['box'], z: number) {
  const n = 2 ** z
  const tx = (lng: number) => Math.floor(((lng + 180) / 360) * n)
  const ty = (lat: number) => {
    const r = (lat * Math.PI) / 180
    return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n)
  }
  return { x0: tx(box[0]), x1: tx(box[2]), y0: ty(box[3]), y1: ty(box[1]) }
}

function percentile(sorted: number[], p: number) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN
}

async function pass(name: string, r: Ready, paths: string[], opts: { amount?: number; duration?: number; etags?: Map<string, string> }) {
  let next = 0
  const latencies: number[] = []
  const statuses: Record<number, number> = {}
  const options: autocannon.Options = {
    url: r.address,
    connections: CONNECTIONS,
    ...(opts.amount ? { amount: opts.amount } : { duration: opts.duration }),
    timeout: 30,
    requests: [
      {
        setupRequest: (req) => {
          const path = paths[next++ % paths.length]
          const headers: Record<string, string> = { authorization: r.authorization }
          const tag = opts.etags?.get(path)
          if (tag) headers['if-none-match'] = tag
          return { ...req, method: 'GET', path, headers }
        },
      },
    ],
  }
  const res = await new Promise<autocannon.Result>((resolve, reject) => {
    const inst = autocannon(options, (err, result) => (err ? reject(err) : resolve(result)))
    inst.on('response', (_client, status, _bytes, ms) => {
      latencies.push(ms)
      statuses[status] = (statuses[status] ?? 0) + 1
    })
  })
  latencies.sort((a, b) => a - b)
  if (!latencies.length) throw new Error(`pass ${name}: no response in time (${JSON.stringify(res.errors)} errors)`)
  const out = {
    backend: r.backend, pass: name, outlines: STORED ? 'stored' : 'dissolved', units: UNITS, connections: CONNECTIONS,
    requests: latencies.length, rps: Math.round(res.requests.average), statuses,
    p50_ms: +percentile(latencies, 50).toFixed(1), p95_ms: +percentile(latencies, 95).toFixed(1),
    p99_ms: +percentile(latencies, 99).toFixed(1), max_ms: +latencies[latencies.length - 1].toFixed(1), errors: res.errors, timeouts: res.timeouts,
  }
  console.log(JSON.stringify(out))
}

if (process.env.GRIDWEAVE_BENCH_ROLE === 'server') {
  await serve()
} else {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, GRIDWEAVE_BENCH_ROLE: 'server' },
    // CPU_PROF=<dir>: a V8 CPU profile of the server process (node --cpu-prof), written when it exits.
    execArgv: ['--import', 'tsx', ...(process.env.CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CPU_PROF}`] : [])],
  })
  try {
    const r = await new Promise<Ready>((resolve, reject) => {
      child.once('message', (m) => resolve(m as Ready))
      child.once('exit', (code) => reject(new Error(`server exited with ${code}`)))
    })
    const paths: string[] = []
    for (const z of ZOOMS) {
      const { x0, x1, y0, y1 } = tileRange(r.box, z)
      for (const layer of ['units', 'grids', 'cells']) {
        for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) paths.push(`/api/plans/${r.planId}/tiles/${layer}/${z}/${x}/${y}.mvt`)
      }
    }
    console.log(JSON.stringify({ backend: r.backend, tiles: paths.length, zooms: ZOOMS }))
    await pass('cold', r, paths, { amount: paths.length })
    await pass('warm', r, paths, { duration: WARM_S })
    const etags = new Map<string, string>()
    for (const p of paths.slice(0, 200)) {
      const res = await fetch(r.address + p, { headers: { authorization: r.authorization } })
      const tag = res.headers.get('etag')
      if (tag) etags.set(p, tag)
      await res.arrayBuffer()
    }
    if (etags.size === 0) throw new Error('no ETag came back: the revalidation pass has nothing to send')
    await pass('revalidate (304)', r, [...etags.keys()], { duration: Math.min(WARM_S, 5), etags })
  } finally {
    child.send('stop')
    await new Promise((resolve) => child.once('exit', resolve))
  }
}
