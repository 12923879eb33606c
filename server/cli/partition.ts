/**
 * `gridweave partition <units.geojson> --out grids.geojson [--assign unit_grid.csv]
 *    [--id FIELD] [--weight FIELD] [--households FIELD] [--min N --max N | --target N --tolerance F]
 *    [--nest FIELD] [--barriers lines.geojson] [--lock grids.geojson] [--seed N]`
 *
 * Builds the unit graph, runs the partition engine (geo/partition), dissolves the grids and writes them
 * with their metrics (geo/metrics). Grids the band cannot be met for are still written and explained:
 * each exception goes to stderr and into the grid's `exceptions` property; that is not an error (exit 0).
 * --lock takes grid polygons (e.g. a previous output): units whose representative point lies in one
 * stay together as that grid, which keeps its `grid_id`.
 */
import { writeFile } from 'node:fs/promises'
import Flatbush from 'flatbush'
import { booleanPointInPolygon } from '@turf/turf'
import type { Geometry, MultiPolygon, Polygon } from 'geojson'
import { planMetrics } from '../../geo/metrics/index.js'
import { bandFromTolerance, partition } from '../../geo/partition/index.js'
import type { Graph } from '../../geo/types.js'
import { assignCsv, gridIds, gridsGeoJSON } from './grids.js'
import { BadInput, defaultIO, numberFlag, parse, readCollection, runCommand, type CliIO } from './io.js'
import { loadUnits } from './units.js'

const USAGE =
  'gridweave partition <units.geojson> --out grids.geojson [--assign unit_grid.csv] [--id FIELD] [--weight FIELD] ' +
  '[--households FIELD] [--min N --max N | --target N --tolerance F] [--nest FIELD] [--barriers lines.geojson] [--lock grids.geojson] [--seed N]'

const OPTIONS = {
  out: { type: 'string' },
  assign: { type: 'string' },
  id: { type: 'string' },
  weight: { type: 'string' },
  households: { type: 'string' },
  min: { type: 'string' },
  max: { type: 'string' },
  target: { type: 'string' },
  tolerance: { type: 'string' },
  nest: { type: 'string' },
  barriers: { type: 'string' },
  lock: { type: 'string' },
  seed: { type: 'string' },
} as const

/** The band from --min/--max or --target/--tolerance; exactly one form. */
export function bandFlags(v: { min?: string; max?: string; target?: string; tolerance?: string }): { min: number; max: number; target?: number } {
  const positive = (n: number) => (n >= 0 ? null : 'must be >= 0')
  const min = numberFlag(v.min, 'min', positive)
  const max = numberFlag(v.max, 'max', (n) => (n > 0 ? null : 'must be > 0'))
  const target = numberFlag(v.target, 'target', (n) => (n > 0 ? null : 'must be > 0'))
  const tolerance = numberFlag(v.tolerance, 'tolerance', (n) => (n >= 0 && n < 1 ? null : 'is a fraction of the target in [0, 1), e.g. 0.2 for ±20 %'))
  const minmax = min !== undefined || max !== undefined
  const tol = tolerance !== undefined
  if (minmax && tol) throw new BadInput('give the band either as --min N --max N or as --target N --tolerance F, not both')
  if (minmax) {
    if (min === undefined || max === undefined) throw new BadInput(`--min and --max go together; got only --${min === undefined ? 'max' : 'min'}`)
    if (min > max) throw new BadInput(`--min ${min} is larger than --max ${max}`)
    if (target !== undefined && (target < min || target > max)) throw new BadInput(`--target ${target} lies outside --min ${min} --max ${max}`)
    return { min, max, target }
  }
  if (target !== undefined || tol) {
    if (target === undefined || tolerance === undefined) throw new BadInput('--target and --tolerance go together (e.g. --target 1250 --tolerance 0.2 for 1000–1500)')
    return bandFromTolerance(target, tolerance)
  }
  throw new BadInput(`a band is required: --min N --max N, or --target N --tolerance F\nusage: ${USAGE}`)
}

/** Lock part per unit from grid polygons (-1 = free), and the locked grids' ids. */
async function readLocks(path: string, graph: Graph): Promise<{ lock: Int32Array; ids: (string | undefined)[]; locked: number }> {
  const fc = await readCollection<Geometry | null>(path, '--lock file')
  const polys: { g: Polygon | MultiPolygon; id?: string }[] = []
  fc.features.forEach((f, i) => {
    const g = f.geometry
    if (!g || (g.type !== 'Polygon' && g.type !== 'MultiPolygon')) {
      throw new BadInput(`--lock ${path}: feature ${i} has ${g ? `a ${g.type}` : 'no geometry'}; locked grids must be Polygon or MultiPolygon`)
    }
    const id = f.properties?.grid_id
    polys.push({ g, id: id === undefined || id === null ? undefined : String(id) })
  })
  const lock = new Int32Array(graph.n).fill(-1)
  if (polys.length === 0) return { lock, ids: [], locked: 0 }
  const index = new Flatbush(polys.length)
  for (const { g } of polys) {
    let a = Infinity, b = Infinity, c = -Infinity, d = -Infinity
    const rings = g.type === 'Polygon' ? g.coordinates : g.coordinates.flat()
    for (const ring of rings) for (const [x, y] of ring) (a = Math.min(a, x)), (b = Math.min(b, y)), (c = Math.max(c, x)), (d = Math.max(d, y))
    index.add(a, b, c, d)
  }
  index.finish()
  let locked = 0
  for (let v = 0; v < graph.n; v++) {
    const pt: [number, number] = [graph.x[v], graph.y[v]]
    for (const k of index.search(pt[0], pt[1], pt[0], pt[1])) {
      if (booleanPointInPolygon(pt, polys[k].g)) {
        lock[v] = k
        locked++
        break
      }
    }
  }
  return { lock, ids: polys.map((p) => p.id), locked }
}

export async function runPartition(argv: string[], io: CliIO = defaultIO): Promise<number> {
  return runCommand('partition', io, async () => {
    const t0 = performance.now()
    const { values: v, positionals } = parse(argv, OPTIONS, USAGE)
    if (positionals.length !== 1) throw new BadInput(`expected one units file, got ${positionals.length}\nusage: ${USAGE}`)
    if (!v.out) throw new BadInput(`--out is required (the grids GeoJSON to write)\nusage: ${USAGE}`)
    const band = bandFlags(v)
    const seed = numberFlag(v.seed, 'seed', (n) => (Number.isInteger(n) ? null : 'must be an integer'))
    const units = await loadUnits({ input: positionals[0], id: v.id, weight: v.weight, households: v.households, nest: v.nest, barriers: v.barriers })
    const { graph, weights } = units
    const locks = v.lock ? await readLocks(v.lock, graph) : undefined

    const result = partition(graph, weights, { min: band.min, max: band.max, target: band.target, seed, lock: locks?.lock })
    const { assignment } = result
    const metrics = planMetrics(graph, assignment, weights, { households: units.households, min: band.min, max: band.max, target: band.target, parts: result.parts })
    const fixed: (string | undefined)[] = []
    if (locks) for (let p = 0; p < locks.ids.length; p++) fixed[p] = locks.ids[p]
    const ids = gridIds(graph, assignment, metrics.parts, fixed)

    const byPart = new Map<number, string[]>()
    const byCode: Record<string, number> = {}
    for (const e of result.exceptions) {
      byCode[e.code] = (byCode[e.code] ?? 0) + 1
      if (e.part >= 0) byPart.set(e.part, [...(byPart.get(e.part) ?? []), e.code])
    }
    const shown = result.exceptions.slice(0, 20)
    for (const e of shown) io.stderr(`note: ${e.code}${e.part >= 0 ? ` (grid ${ids[e.part]})` : ''}: ${e.message}`)
    if (result.exceptions.length > shown.length) io.stderr(`note: … and ${result.exceptions.length - shown.length} more exceptions (see the grids' "exceptions" property)`)

    const lockedParts = new Set<number>()
    if (locks) for (let u = 0; u < graph.n; u++) if (locks.lock[u] >= 0) lockedParts.add(assignment[u])
    const out = gridsGeoJSON(units.fc, assignment, metrics.parts, ids, (p) => ({ exceptions: byPart.get(p) ?? [], locked: lockedParts.has(p) }))
    await writeFile(v.out, JSON.stringify(out))
    if (v.assign) await writeFile(v.assign, assignCsv(graph, assignment, ids))

    const s = metrics.summary
    io.stdout(
      JSON.stringify({
        command: 'partition',
        units: graph.n,
        grids: out.features.length,
        min: band.min,
        max: band.max,
        target: s.target,
        inBand: s.inBand,
        inBandShare: s.inBandShare === null ? null : Math.round(s.inBandShare * 10_000) / 10_000,
        maxAbsDeviation: Math.round(s.maxAbsDeviation * 100) / 100,
        nonContiguous: s.nonContiguous,
        crossingParent: s.crossingParent,
        withCrossings: s.withCrossings,
        unassigned: s.unassigned,
        cutEdges: s.cutEdges,
        exceptions: byCode,
        islands: units.report.islands.length,
        locked: locks?.locked ?? 0,
        out: v.out,
        assign: v.assign ?? null,
        ms: Math.round(performance.now() - t0),
      }),
    )
    return 0
  })
}
