// Export benchmark: a synthetic 100k-unit plan exported over HTTP on 127.0.0.1, read to the last byte.
// Reports time to first and last byte, size, and the peak rise of heap and RSS over the baseline, so a
// flat memory profile (streaming) is visible next to the file size. Every export reads one database
// snapshot: on PostgreSQL it streams from it (first byte after the first page), on the embedded
// database it is written to a temporary file first and sent after the commit (first byte ≈ total).
//   npx tsx --expose-gc bench/export.ts                      embedded database
//   DATABASE_URL=postgres://… npx tsx --expose-gc bench/export.ts
//   UNITS=20000 FORMATS=geojson:units,csv:units …            smaller or other runs
//   LIVE=1 npx tsx --expose-gc bench/export.ts               also the live (post-GC) heap, slower
// cpu_s is this process's CPU during the export (server, client and, on PGlite, the database).
import { performance } from 'node:perf_hooks'
import { BACKEND, createTestDb } from '../tests/helpers/db.js'
import { build } from '../tests/helpers/app.js'
import { tokenFor } from '../tests/helpers/auth.js'
import { syntheticPlan } from './export-fixture.js'

const UNITS = Number(process.env.UNITS ?? 100_000)
const RUNS = (process.env.FORMATS ?? 'geojson:units,geojson:grids,csv:units,fgb:units,shp.zip:units').split(',').map((s) => s.split(':'))
const MB = 1 << 20

const db = await createTestDb()
const app = await build(db)
try {
  let t = performance.now()
  const plan = await syntheticPlan(db, { units: UNITS, size: 0.0005 })
  console.log(JSON.stringify({ backend: BACKEND, step: 'generate', units: plan.units, grids: plan.grids, cells: plan.cells, s: +((performance.now() - t) / 1000).toFixed(2) }))
  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  const headers = await tokenFor(app, db, 'analyst')

  for (const [format, layer] of RUNS) {
    ;(globalThis as { gc?: () => void }).gc?.()
    const base = process.memoryUsage()
    let peakHeap = base.heapUsed
    let peakRss = base.rss
    const sampler = setInterval(() => {
      const m = process.memoryUsage()
      peakHeap = Math.max(peakHeap, m.heapUsed)
      peakRss = Math.max(peakRss, m.rss)
    }, 20)
    // Live heap: what survives a full collection, sampled twice a second (LIVE=1 and --expose-gc; the
    // collections slow the export down, so time it in a run without them).
    const gc = process.env.LIVE ? (globalThis as { gc?: () => void }).gc : undefined
    let peakLive = base.heapUsed
    const liveSampler = setInterval(() => {
      if (!gc) return
      gc()
      peakLive = Math.max(peakLive, process.memoryUsage().heapUsed)
    }, 500)
    t = performance.now()
    // CPU of this process (server and client both run here, and so does PGlite): steadier than wall
    // time on a shared machine.
    const cpu0 = process.cpuUsage()
    const res = await fetch(`${address}/api/plans/${plan.planId}/export.${format}?layer=${layer}`, { headers, signal: AbortSignal.timeout(120_000) })
    const ttfb = performance.now() - t
    let bytes = 0
    let lines = 0
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length
      if (format !== 'fgb' && format !== 'shp.zip') for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++
    }
    const total = performance.now() - t
    const cpu = process.cpuUsage(cpu0)
    clearInterval(sampler)
    clearInterval(liveSampler)
    const records = format === 'geojson' ? lines - 2 : format === 'csv' ? lines - 1 : undefined
    console.log(
      JSON.stringify({
        backend: BACKEND, format, layer, status: res.status, records, mb: +(bytes / MB).toFixed(1),
        ttfb_ms: Math.round(ttfb), total_s: +(total / 1000).toFixed(2), cpu_s: +((cpu.user + cpu.system) / 1e6).toFixed(2),
        heap_rise_mb: +((peakHeap - base.heapUsed) / MB).toFixed(1), live_heap_rise_mb: gc ? +((peakLive - base.heapUsed) / MB).toFixed(1) : null, rss_rise_mb: +((peakRss - base.rss) / MB).toFixed(1),
      }),
    )
  }
} finally {
  await app.close()
  await db.close()
}
