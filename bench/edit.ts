// Edit benchmark: one edit (move 1–5 boundary units from a grid to a neighbouring grid of the same
// community) on a ~10k-unit plan, through app.inject, sequentially, with the right If-Match each time.
// The district is the 10k ladder step (fixtures/ladder/10000, written by
// `npx tsx fixtures/demo/generate.ts --units 10000`; falls back to the 6,905-unit demo when missing);
// the plan comes from geo/partition on the district graph, written straight into the tables.
// Reports p50/p95/p99 of the server-side latency (app.inject round trip, no network), the CPU time
// of this process per edit (process.cpuUsage: less sensitive to a loaded machine than wall time;
// on PostgreSQL the server's own CPU is not in it) and the database queries per edit.
//   npx tsx bench/edit.ts                             embedded database (PGlite)
//   DATABASE_URL=postgres://… npx tsx bench/edit.ts   PostgreSQL (a fresh database, dropped at the end)
//   EDITS=300 WARMUP=20 UNITS_DIR=fixtures/ladder/10000 SEED=1
import { existsSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { partition } from '../geo/partition/index.js'
import type { Db, Queryable } from '../server/db/index.js'
import { districtGraph } from '../server/routes/plans/measure.js'
import { loadDemo } from '../fixtures/demo/load.js'
import { BACKEND, createTestDb } from '../tests/helpers/db.js'
import { build } from '../tests/helpers/app.js'
import { tokenFor } from '../tests/helpers/auth.js'

const EDITS = Number(process.env.EDITS ?? 300)
const WARMUP = Number(process.env.WARMUP ?? 20)
const SEED = Number(process.env.SEED ?? 1)
const ladder = fileURLToPath(new URL('../fixtures/ladder/10000/', import.meta.url))
const demo = fileURLToPath(new URL('../fixtures/demo/', import.meta.url))
const DIR = process.env.UNITS_DIR ?? (existsSync(`${ladder}units.geojson`) ? ladder : demo)

/** Counts queries (and their time) by the first words of their SQL while `counting`. */
const stats = { counting: false, queries: 0, byKind: new Map<string, { n: number; ms: number }>() }
function countQueries(q: Queryable): Queryable {
  return {
    async query(sql, params) {
      if (!stats.counting) return q.query(sql, params)
      const t0 = performance.now()
      try {
        return await q.query(sql, params)
      } finally {
        stats.queries++
        const kind = sql.replace(/\s+/g, ' ').trim().slice(0, 60)
        const k = stats.byKind.get(kind) ?? { n: 0, ms: 0 }
        k.n++
        k.ms += performance.now() - t0
        stats.byKind.set(kind, k)
      }
    },
    exec: (sql) => q.exec(sql),
  } as Queryable
}
function counted(db: Db): Db {
  const q = countQueries(db)
  return {
    kind: db.kind,
    query: q.query.bind(q),
    exec: q.exec.bind(q),
    transaction: (fn) =>
      db.transaction((tx) => {
        if (stats.counting) stats.queries++ // BEGIN + COMMIT counted as one round trip each below
        if (stats.counting) stats.queries++
        return fn(countQueries(tx))
      }),
    close: () => db.close(),
    // The embedded database's read memo (auth's user read): a load is counted, a hit costs no query.
    memo: db.memo && ((key, load) => db.memo!(key, (q) => load(countQueries(q)))),
  }
}

function rng(seed: number) {
  let s = seed >>> 0 || 1
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 32)
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]
}

async function main() {
  const raw = await createTestDb()
  const db = counted(raw)
  const t0 = performance.now()
  await loadDemo(raw, { dir: DIR })
  const districtId = (await raw.query<{ id: number }>('SELECT id FROM districts ORDER BY id LIMIT 1')).rows[0].id
  const dg = await districtGraph(raw, districtId)
  const { graph, unitIds } = dg
  const n = graph.n
  const units = await raw.query<{ id: number; population: number; community: number }>(
    'SELECT id, population, community_id AS community FROM units WHERE district_id = $1',
    [districtId],
  )
  const pop = new Map(units.rows.map((r) => [Number(r.id), Number(r.population)]))
  const community = new Map(units.rows.map((r) => [Number(r.id), Number(r.community)]))
  const weights = Float64Array.from(unitIds, (u) => pop.get(u) ?? 0)
  const total = weights.reduce((a, b) => a + b, 0)
  const band = { min: 500, max: 900, target: 700 }
  const { assignment, parts } = partition(graph, weights, { ...band, seed: 1, timeBudgetMs: 60_000 })
  // The plan, written directly: grids numbered by part, each in its first unit's community.
  const planId = (
    await raw.query<{ id: number }>(`INSERT INTO plans (district_id, name, params) VALUES ($1, 'edit bench', $2) RETURNING id`, [
      districtId,
      JSON.stringify({ weight: 'population', ...band }),
    ])
  ).rows[0].id
  const gridCommunity: number[] = new Array(parts).fill(null)
  for (let v = 0; v < n; v++) if (assignment[v] >= 0 && gridCommunity[assignment[v]] === null) gridCommunity[assignment[v]] = community.get(unitIds[v])!
  const { rows: gridRows } = await raw.query<{ id: number }>(
    `INSERT INTO grids (plan_id, code, community_id) SELECT $1, c, m FROM unnest($2::text[], $3::bigint[]) WITH ORDINALITY AS t(c, m, o) ORDER BY o RETURNING id`,
    [planId, gridCommunity.map((_, i) => `G${String(i + 1).padStart(4, '0')}`), gridCommunity],
  )
  const gridId = gridRows.map((r) => Number(r.id))
  const assigned = [...assignment.keys()].filter((v) => assignment[v] >= 0)
  await raw.query(`INSERT INTO unit_grids (plan_id, unit_id, grid_id) SELECT $1, u, g FROM unnest($2::bigint[], $3::bigint[]) AS t(u, g)`, [
    planId,
    assigned.map((v) => unitIds[v]),
    assigned.map((v) => gridId[assignment[v]]),
  ])
  const app = await build(db)
  const headers = await tokenFor(app, raw, 'planner')
  const setupMs = performance.now() - t0
  console.log(`${BACKEND}: ${n} units (${DIR}), ${parts} grids, ${total} people; set up in ${(setupMs / 1000).toFixed(1)} s`)

  // Bench-side copy of the assignment to pick moves that keep the source grid in one piece.
  const part = Int32Array.from(assignment)
  const random = rng(SEED)
  const sizes = new Int32Array(parts)
  for (let v = 0; v < n; v++) if (part[v] >= 0) sizes[part[v]]++
  const { xadj, adjncy, edgeCut } = graph
  /** Is grid p still connected (over non-cut edges) without `gone`? */
  function connectedWithout(p: number, gone: Set<number>): boolean {
    let start = -1
    let count = 0
    for (let v = 0; v < n; v++) if (part[v] === p && !gone.has(v)) (count++, start < 0 && (start = v))
    if (count === 0) return false
    const seen = new Set([start])
    const stack = [start]
    while (stack.length) {
      const v = stack.pop()!
      for (let e = xadj[v]; e < xadj[v + 1]; e++) {
        const w = adjncy[e]
        if (!edgeCut[e] && part[w] === p && !gone.has(w) && !seen.has(w)) (seen.add(w), stack.push(w))
      }
    }
    return seen.size === count
  }
  function pickMove(): { units: number[]; from: number; to: number } {
    for (;;) {
      const v = Math.floor(random() * n)
      const a = part[v]
      if (a < 0 || sizes[a] < 8) continue
      const targets: number[] = []
      for (let e = xadj[v]; e < xadj[v + 1]; e++) if (!edgeCut[e] && part[adjncy[e]] >= 0 && part[adjncy[e]] !== a) targets.push(part[adjncy[e]])
      if (!targets.length) continue
      const b = targets[Math.floor(random() * targets.length)]
      const want = 1 + Math.floor(random() * 5)
      const set = new Set([v])
      // grow inside a along non-cut edges (so the moved units join b in one piece)
      const frontier = [v]
      while (set.size < want && frontier.length) {
        const x = frontier.shift()!
        for (let e = xadj[x]; e < xadj[x + 1] && set.size < want; e++) {
          const w = adjncy[e]
          if (!edgeCut[e] && part[w] === a && !set.has(w)) (set.add(w), frontier.push(w))
        }
      }
      if (!connectedWithout(a, set)) continue
      return { units: [...set], from: a, to: b }
    }
  }

  let version = (await raw.query<{ version: number }>('SELECT version FROM plans WHERE id = $1', [planId])).rows[0].version
  const wall: number[] = []
  const cpu: number[] = []
  let refused = 0
  let queries = 0
  for (let i = 0; i < WARMUP + EDITS; i++) {
    const mv = pickMove()
    const measured = i >= WARMUP
    stats.counting = measured
    const c0 = process.cpuUsage()
    const w0 = performance.now()
    const res = await app.inject({
      method: 'POST',
      url: `/api/plans/${planId}/edits`,
      headers: { ...headers, 'if-match': `"${version}"` },
      payload: { op: 'move', grid: gridId[mv.to], units: mv.units.map((v) => unitIds[v]) },
    })
    const ms = performance.now() - w0
    const cu = process.cpuUsage(c0)
    stats.counting = false
    if (res.statusCode !== 200) {
      refused++
      if (res.statusCode !== 422) throw new Error(`edit ${i}: ${res.statusCode} ${res.body}`)
      if (refused > 20) throw new Error(`too many refused edits, last: ${res.body}`)
      continue
    }
    const body = res.json() as { version: number; grids: { gridId: number }[] }
    version = body.version
    for (const v of mv.units) (sizes[part[v]]--, (part[v] = mv.to), sizes[mv.to]++)
    if (measured) (wall.push(ms), cpu.push((cu.user + cu.system) / 1000))
  }
  queries = stats.queries
  const ok = wall.length
  const f = (x: number) => x.toFixed(1)
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
  console.log(
    `${BACKEND}: ${ok} edits (after ${WARMUP} warm-up, ${refused} refused): p50 ${f(pct(wall, 50))} ms, p95 ${f(pct(wall, 95))} ms, p99 ${f(pct(wall, 99))} ms, max ${f(Math.max(...wall))} ms`,
  )
  console.log(`${BACKEND}: CPU per edit (this process): mean ${f(mean(cpu))} ms, p50 ${f(pct(cpu, 50))} ms, p95 ${f(pct(cpu, 95))} ms`)
  console.log(`${BACKEND}: ${(queries / ok).toFixed(1)} queries per edit (BEGIN/COMMIT included); load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} on ${cpus().length} CPUs`)
  if (process.env.QUERIES) {
    for (const [k, v] of [...stats.byKind].sort((a, b) => b[1].ms - a[1].ms)) console.log(`  ${(v.n / ok).toFixed(2)}×  ${(v.ms / ok).toFixed(2)} ms  ${k}`)
  }
  await app.close()
  await raw.close()
}

await main()
