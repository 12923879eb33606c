/**
 * The editor's new pure tools on a 10k-unit plan (100 × 100 lattice, 25 communities of 20 × 20 units,
 * 400 grids of 5 × 5): lasso selection (unitsInRing, a 200-vertex freehand ring), the parent brush
 * (parentFill, grid and community scope) and the tooltip's preview (brushPreview of an 80 px brush,
 * ~64 units). Main-thread work per gesture; run with `npx tsx bench/editor-tools.ts`.
 */
import { cpus, loadavg } from 'node:os'
import { createPlanState } from '../web/src/ops/state.js'
import { unitsInRing } from '../web/src/ops/lasso.js'
import { parentFill } from '../web/src/ops/parent-fill.js'
import { brushPreview } from '../web/src/ops/preview.js'

const N = 100
const units = []
for (let r = 0; r < N; r++)
  for (let c = 0; c < N; c++)
    units.push({ id: String(r * N + c), community: Math.floor(r / 20) * 5 + Math.floor(c / 20), population: 30 + ((r * 7 + c * 13) % 40), households: 10, grid: Math.floor(r / 5) * 20 + Math.floor(c / 5) })
const grids = Array.from({ length: 400 }, (_, g) => ({ id: String(g), code: `G${g}`, community: Math.floor(Math.floor(g / 20) / 4) * 5 + Math.floor((g % 20) / 4) }))
const s = createPlanState({ version: 1, band: { on: 'population', min: 800, max: 1000 }, units, grids, cells: [] })
const centres = Float64Array.from({ length: N * N * 2 }, (_, k) => (k % 2 === 0 ? ((k / 2) % N) + 0.5 : Math.floor(k / 2 / N) + 0.5))
const ring: Array<[number, number]> = Array.from({ length: 200 }, (_, i) => {
  const a = (i / 200) * 2 * Math.PI
  const rad = 30 + 8 * Math.sin(a * 7) // a wobbly freehand loop
  return [50 + rad * Math.cos(a), 50 + rad * Math.sin(a)]
})
const brush: number[] = []
for (let r = 40; r < 48; r++) for (let c = 43; c < 51; c++) brush.push(r * N + c)

function time(name: string, runs: number, fn: () => unknown) {
  for (let i = 0; i < 5; i++) fn()
  const t: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    fn()
    t.push(performance.now() - t0)
  }
  t.sort((a, b) => a - b)
  const q = (p: number) => t[Math.min(t.length - 1, Math.floor(p * t.length))]!.toFixed(2)
  console.log(`| ${name} | ${runs} | ${q(0.5)} | ${q(0.95)} | ${t[t.length - 1]!.toFixed(2)} |`)
}

console.log(`${cpus()[0]?.model}, ${cpus().length} cores, Node ${process.version}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`)
console.log(`lasso selects ${unitsInRing(ring, centres).length} of ${N * N} units; community fill moves ${(parentFill(s, { unit: 0, scope: 'community', grid: 0 }) as { touchedUnits?: number[] }).touchedUnits?.length} units`)
console.log('| work (10k units) | runs | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|')
time('lasso: unitsInRing, 200-vertex ring', 200, () => unitsInRing(ring, centres))
time('parent brush: whole grid into its neighbour', 200, () => parentFill(s, { unit: 0, scope: 'grid', grid: 1 }))
time('parent brush: whole community into one grid', 200, () => parentFill(s, { unit: 0, scope: 'community', grid: 0 }))
time('tooltip: brushPreview of 64 units', 500, () => brushPreview(s, brush, 0))
