/**
 * Times the grid partition engine on synthetic tilings of 10k and 100k units (DESIGN.md §6: a district
 * of ~10k units in < 3 s, a city of ~100k in < 60 s and < 2 GB), and on the real block files in
 * ../shared/data when present. Run: npx tsx bench/partition-engine.ts [--real]
 * Prints one JSON line per case; copy the table into bench/RESULTS.md under "Partition engine".
 */
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { buildGraph } from '../geo/graph/index.js'
import { planMetrics } from '../geo/metrics/index.js'
import { checkPartition, partition } from '../geo/partition/index.js'
import { randomTiling } from '../geo/partition/synthetic.js'
import type { Graph } from '../geo/types.js'

interface Case {
  name: string
  graph: Graph
  weights: Float64Array
  min: number
  max: number
}

function measure(c: Case) {
  let peak = process.memoryUsage().rss
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50)
  const t0 = performance.now()
  const cpu0 = process.cpuUsage()
  const res = partition(c.graph, c.weights, { min: c.min, max: c.max, seed: 1 })
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  // CPU time of this process: wall time on a shared machine also counts other people's jobs.
  const cpuMs = (cpu.user + cpu.system) / 1000
  clearInterval(timer)
  peak = Math.max(peak, process.memoryUsage().rss)
  const problems = checkPartition(c.graph, c.weights, res, { min: c.min, max: c.max })
  const pw = new Float64Array(res.parts)
  for (let v = 0; v < c.graph.n; v++) pw[res.assignment[v]] += c.weights[v]
  const target = (c.min + c.max) / 2
  let inBand = 0
  let maxDev = 0
  for (const w of pw) {
    if (w >= c.min && w <= c.max) inBand++
    maxDev = Math.max(maxDev, Math.abs(w - target) / target)
  }
  let cutEdges = 0
  let cutKm = 0
  const { xadj, adjncy, edgeLength } = c.graph
  for (let v = 0; v < c.graph.n; v++) {
    for (let e = xadj[v]; e < xadj[v + 1]; e++) {
      if (adjncy[e] > v && res.assignment[adjncy[e]] !== res.assignment[v]) {
        cutEdges++
        cutKm += edgeLength[e] / 1000
      }
    }
  }
  const metrics = planMetrics(c.graph, res.assignment, c.weights, { min: c.min, max: c.max, parts: res.parts })
  const codes: Record<string, number> = {}
  for (const e of res.exceptions) codes[e.code] = (codes[e.code] ?? 0) + 1
  console.log(
    JSON.stringify({
      case: c.name,
      units: c.graph.n,
      band: `${c.min}-${c.max}`,
      grids: res.parts,
      inBand: `${((100 * inBand) / res.parts).toFixed(1)} %`,
      maxDeviation: `${(100 * maxDev).toFixed(1)} %`,
      cutEdges,
      cutKm: Math.round(cutKm),
      meanPolsbyPopper: Number(metrics.summary.meanPolsbyPopper.toFixed(3)),
      // Grids in several pieces: only reported islands may be (DESIGN.md §2.2).
      multiPiece: metrics.summary.nonContiguous,
      crossingParent: metrics.summary.crossingParent,
      ms: Math.round(ms),
      cpuMs: Math.round(cpuMs),
      peakRssMB: Math.round(peak / 2 ** 20),
      problems: problems.length,
      exceptions: codes,
    }),
  )
}

const synthetic = (name: string, side: number, parents: number): Case => {
  const { graph, weights } = randomTiling({ cols: side, rows: side, seed: 42, parents, enclaves: parents >> 2, barriers: 2 })
  return { name, graph, weights, min: 1000, max: 1500 }
}

measure(synthetic('synthetic 10k, 40 communities', 100, 40))
measure(synthetic('synthetic 100k, 400 communities', 317, 400))
measure(synthetic('synthetic 100k, no nesting', 317, 1))
rebalance(synthetic('synthetic 100k, no nesting', 317, 1))

/** Rebalance mode: 40 % more people in a 20 × 20 patch, then fix the plan from the old one. */
function rebalance(c: Case) {
  const opts = { min: c.min, max: c.max, seed: 1 }
  const before = partition(c.graph, c.weights, opts)
  const w2 = c.weights.slice()
  for (let v = 0; v < c.graph.n; v++) {
    const col = v % 317
    const row = Math.floor(v / 317)
    if (col > 100 && col < 120 && row > 100 && row < 120) w2[v] = Math.round(w2[v] * 1.4)
  }
  const out = (a: Int32Array, parts: number) => {
    const pw = new Float64Array(parts)
    for (let v = 0; v < c.graph.n; v++) pw[a[v]] += w2[v]
    return pw.filter((w) => w < c.min || w > c.max).length
  }
  const t0 = performance.now()
  const cpu0 = process.cpuUsage()
  const after = partition(c.graph, w2, { ...opts, initial: before.assignment })
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  let moved = 0
  for (let v = 0; v < c.graph.n; v++) if (after.assignment[v] !== before.assignment[v]) moved++
  console.log(
    JSON.stringify({
      case: `${c.name}: rebalance after +40 % in a 20×20 patch`,
      outOfBandBefore: out(before.assignment, before.parts),
      outOfBandAfter: out(after.assignment, after.parts),
      grids: `${before.parts} -> ${after.parts}`,
      movedUnits: moved,
      ms: Math.round(ms),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      problems: checkPartition(c.graph, w2, after, opts).length,
    }),
  )
}

if (process.argv.includes('--real')) {
  const dir = fileURLToPath(new URL('../../shared/data/', import.meta.url))
  const real: [string, string, string, number, number][] = [
    ['providence_ri_blocks2010.geojson', 'TOTPOP', 'WARD', 1000, 1500],
    ['henrico_va_blocks2010.geojson', 'pop', 'tract', 1500, 2500],
    ['providence_ri_blocks2010.geojson', 'TOTPOP', 'WARD', 800, 1500],
    ['rockland_ny_blocks2010.geojson', 'pop', 'tract', 800, 1500],
    ['henrico_va_blocks2010.geojson', 'pop', 'tract', 800, 1500],
  ]
  for (const [file, weight, nest, min, max] of real) {
    if (!existsSync(dir + file)) continue
    const units = JSON.parse(readFileSync(dir + file, 'utf8'))
    const { graph } = buildGraph(units, { nest })
    const weights = new Float64Array(units.features.map((f: { properties: Record<string, unknown> }) => Number(f.properties[weight]) || 0))
    measure({ name: `${file.split('_')[0]} by ${nest}`, graph, weights, min, max })
  }
}
