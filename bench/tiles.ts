// Tile benchmark: a synthetic district (10k units, ~400 grids, ~70 cells) served by the app in a child
// process on 127.0.0.1, autocannon with 32 connections, four passes:
// - cold: every z13–z16 tile of the units, grids and cells layers once, zoom by zoom, on a server that has
//   never cut one (every request a cache miss, the heaviest low-zoom tiles first): a seeding burst;
// - warm: the same URLs again for 10 s (every tile cached at the plan version);
// - revalidate: If-None-Match of current tags (304);
// - viewers: 32 map viewers, each panning and zooming (z13–z16) over the district and asking for the
//   tiles of its 1280×800 viewport (512 px tiles, three plan layers) with the tags its browser cache holds,
//   while a planner saves an edit every 1/EDITS_PER_S s (a unit moved back and forth between two grids):
//   each edit makes a new plan version, so every tile is cut again on its first request after it.
// Reports p50/p95/p99 per pass from every response's latency.
//   npx tsx bench/tiles.ts                         embedded database (in-process tiler)
//   DATABASE_URL=postgres://… npx tsx bench/tiles.ts   PostgreSQL (ST_AsMVT)
//   UNITS=10000 OUTLINES=stored|dissolved CONNECTIONS=32 WARM_S=10 VIEWERS_S=20 EDITS_PER_S=1 CPU_PROF=/tmp/prof
import { fork, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { tileXY } from './load-setup.js'
import { percentile, rng } from './load-traffic.js'

const UNITS = Number(process.env.UNITS ?? 10_000)
const STORED = (process.env.OUTLINES ?? 'stored') === 'stored'
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 32)
const WARM_S = Number(process.env.WARM_S ?? 10)
const VIEWERS_S = Number(process.env.VIEWERS_S ?? 20)
const EDITS_PER_S = Number(process.env.EDITS_PER_S ?? 1)
const ZOOMS = [13, 14, 15, 16]

interface Ready {
  address: string
  authorization: string
  planId: number
  box: [number, number, number, number]
  backend: string
  /** A planner's bearer header and a unit on the edge of its grid, moved back and forth by the viewers pass. */
  planner: string
  move: { unit: number; a: number; b: number }
  /** The server process (parent side only). */
  child: ChildProcess
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
  const { authorization: planner } = await tokenFor(app, db, 'planner')
  // Unit (row 2, column 4) is on the east edge of grid G00000; G00001 is its neighbour to the east.
  const side = Math.ceil(Math.sqrt(UNITS))
  const { rows } = await db.query<{ unit: number; a: number; b: number }>(
    `SELECT u.id AS unit, (SELECT id FROM grids WHERE plan_id = $1 AND code = 'G00000') AS a,
            (SELECT id FROM grids WHERE plan_id = $1 AND code = 'G00001') AS b
       FROM units u JOIN plans p ON p.district_id = u.district_id WHERE p.id = $1 AND u.ext_id = lpad($2::text, 7, '0')`,
    [plan.planId, 2 * side + 4],
  )
  process.send!({ address, authorization, planId: plan.planId, box: plan.box, backend: BACKEND, planner, move: rows[0] } satisfies Omit<Ready, 'child'>)
  process.on('message', async (m) => {
    if (m === 'cpu') return process.send!(process.cpuUsage())
    await app.close()
    await db.close()
    process.exit(0)
  })
}

function tileRange(box: Ready['box'], z: number) {
  const [x0, y0] = tileXY(box[0], box[3], z).map(Math.floor)
  const [x1, y1] = tileXY(box[2], box[1], z).map(Math.floor)
  return { x0, x1, y0, y1 }
}

interface PassOptions {
  amount?: number
  duration?: number
  etags?: Map<string, string>
  /**
   * One client per connection instead of `paths` in turn: `clients[i]` gives connection i's next path and
   * the tag to send with it, and hears each of its responses (an autocannon instance of one connection
   * each, so that a client's state lives in its closure).
   */
  clients?: Array<{ next: () => { path: string; tag?: string }; heard: (status: number, etag: string | undefined) => void }>
  extra?: () => Record<string, unknown>
}

/** CPU seconds used so far by the server process, by this process (autocannon) and by the whole machine (Linux). */
async function cpuNow(child: ChildProcess) {
  const server = await new Promise<NodeJS.CpuUsage>((resolve) => {
    child.once('message', (m) => resolve(m as NodeJS.CpuUsage))
    child.send('cpu')
  })
  const self = process.cpuUsage()
  let machine = NaN
  try {
    // user nice system (idle iowait) irq softirq steal, in clock ticks (USER_HZ = 100 on Linux)
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
    machine = (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / 100
  } catch {
    // not Linux: no machine-wide figure
  }
  return { server: (server.user + server.system) / 1e6, client: (self.user + self.system) / 1e6, machine }
}

async function pass(name: string, r: Ready, paths: string[], opts: PassOptions) {
  const cpu0 = await cpuNow(r.child)
  let next = 0
  const latencies: number[] = []
  const statuses: Record<number, number> = {}
  const request = (path: string, tag: string | undefined) => {
    const headers: Record<string, string> = { authorization: r.authorization }
    const ifNoneMatch = tag ?? opts.etags?.get(path)
    if (ifNoneMatch) headers['if-none-match'] = ifNoneMatch
    return { method: 'GET' as const, path, headers }
  }
  const run = (connections: number, req: autocannon.Request) =>
    new Promise<autocannon.Result>((resolve, reject) => {
      const inst = autocannon(
        { url: r.address, connections, ...(opts.amount ? { amount: opts.amount } : { duration: opts.duration }), timeout: 30, requests: [req] },
        (err, result) => (err ? reject(err) : resolve(result)),
      )
      inst.on('response', (_client, status, _bytes, ms) => {
        latencies.push(ms)
        statuses[status] = (statuses[status] ?? 0) + 1
      })
    })
  const results = opts.clients
    ? await Promise.all(
        opts.clients.map((c) =>
          run(1, {
            setupRequest: (req) => {
              const { path, tag } = c.next()
              return { ...req, ...request(path, tag) }
            },
            onResponse: (status, _body, _context, headers) => {
              const etag = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'etag')?.[1]
              c.heard(status, etag === undefined ? undefined : String(etag))
            },
          }),
        ),
      )
    : [await run(CONNECTIONS, { setupRequest: (req) => ({ ...req, ...request(paths[next++ % paths.length], undefined) }) })]
  const cpu1 = await cpuNow(r.child)
  latencies.sort((a, b) => a - b)
  const sum = (f: (res: autocannon.Result) => number) => results.reduce((t, res) => t + f(res), 0)
  if (!latencies.length) throw new Error(`pass ${name}: no response in time (${sum((res) => res.errors)} errors)`)
  const out = {
    backend: r.backend, pass: name, outlines: STORED ? 'stored' : 'dissolved', units: UNITS, connections: opts.clients?.length ?? CONNECTIONS,
    requests: latencies.length, rps: Math.round(sum((res) => res.requests.average)), statuses,
    p50_ms: +percentile(latencies, 50).toFixed(1), p95_ms: +percentile(latencies, 95).toFixed(1),
    p99_ms: +percentile(latencies, 99).toFixed(1), max_ms: +latencies[latencies.length - 1].toFixed(1),
    errors: sum((res) => res.errors), timeouts: sum((res) => res.timeouts),
    // CPU seconds during the pass: the server process, autocannon, and the rest of the machine (the PostgreSQL server)
    cpu_s: { server: +(cpu1.server - cpu0.server).toFixed(2), client: +(cpu1.client - cpu0.client).toFixed(2), other: +(cpu1.machine - cpu0.machine - (cpu1.server - cpu0.server) - (cpu1.client - cpu0.client)).toFixed(2) },
    ...opts.extra?.(),
  }
  console.log(JSON.stringify(out))
}

/** A map viewer: its zoom, the centre of its viewport in tile coordinates at that zoom, and its browser cache. */
interface Viewer {
  z: number
  cx: number
  cy: number
  queue: string[]
  /** The tile of the request in flight (one connection, one request at a time). */
  asked?: string
  /** The tag of every tile in the viewer's browser cache. */
  tags: Map<string, string>
}

/** 32 viewers browsing the plan while a planner saves edits (see the head of this file). */
async function viewers(r: Ready) {
  const random = rng(7)
  const [minX, minY] = tileXY(r.box[0], r.box[3], 0)
  const [maxX, maxY] = tileXY(r.box[2], r.box[1], 0)
  // a 1280×800 viewport of 512 px tiles: 2.5 × 1.5625 tiles at its zoom
  const halfW = 1.25
  const halfH = 0.78125
  const clamp = (v: Viewer) => {
    const n = 2 ** v.z
    v.cx = Math.min(Math.max(v.cx, minX * n), maxX * n)
    v.cy = Math.min(Math.max(v.cy, minY * n), maxY * n)
  }
  // the next view: pan by up to half a viewport, or zoom in or out by one around the centre
  const move = (v: Viewer) => {
    const roll = random()
    if (roll < 0.25 && v.z < 16) ((v.z += 1), (v.cx *= 2), (v.cy *= 2))
    else if (roll < 0.5 && v.z > 13) ((v.z -= 1), (v.cx /= 2), (v.cy /= 2))
    else ((v.cx += (random() - 0.5) * 2 * halfW), (v.cy += (random() - 0.5) * 2 * halfH))
    clamp(v)
    const out: string[] = []
    for (let x = Math.floor(v.cx - halfW); x <= Math.floor(v.cx + halfW); x++) {
      for (let y = Math.floor(v.cy - halfH); y <= Math.floor(v.cy + halfH); y++) {
        for (const layer of ['units', 'grids', 'cells']) out.push(`/api/plans/${r.planId}/tiles/${layer}/${v.z}/${x}/${y}.mvt`)
      }
    }
    return out
  }
  let revalidations = 0
  const clients = Array.from({ length: CONNECTIONS }, () => {
    const z = 13 + Math.floor(random() * 4)
    const n = 2 ** z
    const v: Viewer = { z, cx: (minX + random() * (maxX - minX)) * n, cy: (minY + random() * (maxY - minY)) * n, queue: [], tags: new Map() }
    return {
      next: () => {
        if (!v.queue.length) v.queue = move(v)
        v.asked = v.queue.shift()!
        const tag = v.tags.get(v.asked)
        if (tag) revalidations++
        return { path: v.asked, tag }
      },
      heard: (_status: number, etag: string | undefined) => {
        if (v.asked && etag) v.tags.set(v.asked, etag)
      },
    }
  })

  // the planner: one edit every 1/EDITS_PER_S s, each sent with the version the previous one returned
  let version = ((await (await fetch(`${r.address}/api/plans/${r.planId}`, { headers: { authorization: r.planner } })).json()) as { version: number }).version
  let edits = 0
  let toB = true
  let stop = false
  const planner = (async () => {
    const started = Date.now()
    while (!stop && EDITS_PER_S > 0) {
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + ((edits + 1) * 1000) / EDITS_PER_S - Date.now())))
      if (stop) break
      const res = await fetch(`${r.address}/api/plans/${r.planId}/edits`, {
        method: 'POST',
        headers: { authorization: r.planner, 'content-type': 'application/json', 'if-match': `"${version}"` },
        body: JSON.stringify({ op: 'move', units: [r.move.unit], grid: toB ? r.move.b : r.move.a }),
      })
      const body = (await res.json()) as { version?: number }
      if (res.status !== 200 || typeof body.version !== 'number') throw new Error(`edit refused: ${res.status} ${JSON.stringify(body)}`)
      version = body.version
      toB = !toB
      edits++
    }
  })()
  try {
    await pass('viewers', r, [], { duration: VIEWERS_S, clients, extra: () => ({ edits_per_s: EDITS_PER_S, edits, revalidations }) })
  } finally {
    stop = true
    await planner
  }
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
      child.once('message', (m) => resolve({ ...(m as Omit<Ready, 'child'>), child }))
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
    await viewers(r)
  } finally {
    child.send('stop')
    await new Promise((resolve) => child.once('exit', resolve))
  }
}
