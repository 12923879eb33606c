/**
 * `gridweave metrics <units.geojson> --assign unit_grid.csv [--id FIELD] [--weight FIELD] [--nest FIELD]
 *    [--min N --max N] [--households FIELD] [--barriers lines.geojson] [--out grid_metrics.csv]`
 *
 * Measures an existing plan with the same definitions the API and the editor use (geo/metrics). Units
 * missing from the CSV count as unassigned; a CSV unit id that is not in the units file is bad input.
 * --out (optional) writes one CSV row of metrics per grid.
 */
import { writeFile } from 'node:fs/promises'
import { planMetrics } from '../../geo/metrics/index.js'
import { BadInput, csvField, defaultIO, numberFlag, parse, readAssignCsv, runCommand, type CliIO } from './io.js'
import { loadUnits } from './units.js'

const USAGE =
  'gridweave metrics <units.geojson> --assign unit_grid.csv [--id FIELD] [--weight FIELD] [--nest FIELD] [--min N --max N] ' +
  '[--households FIELD] [--barriers lines.geojson] [--out grid_metrics.csv]'

const OPTIONS = {
  assign: { type: 'string' },
  id: { type: 'string' },
  weight: { type: 'string' },
  households: { type: 'string' },
  nest: { type: 'string' },
  barriers: { type: 'string' },
  min: { type: 'string' },
  max: { type: 'string' },
  out: { type: 'string' },
} as const

export async function runMetrics(argv: string[], io: CliIO = defaultIO): Promise<number> {
  return runCommand('metrics', io, async () => {
    const t0 = performance.now()
    const { values: v, positionals } = parse(argv, OPTIONS, USAGE)
    if (positionals.length !== 1) throw new BadInput(`expected one units file, got ${positionals.length}\nusage: ${USAGE}`)
    if (!v.assign) throw new BadInput(`--assign is required (the unit_id,grid_id CSV to measure)\nusage: ${USAGE}`)
    const min = numberFlag(v.min, 'min', (n) => (n >= 0 ? null : 'must be >= 0'))
    const max = numberFlag(v.max, 'max', (n) => (n > 0 ? null : 'must be > 0'))
    if ((min === undefined) !== (max === undefined)) throw new BadInput(`--min and --max go together; got only --${min === undefined ? 'max' : 'min'}`)
    if (min !== undefined && max !== undefined && min > max) throw new BadInput(`--min ${min} is larger than --max ${max}`)
    const units = await loadUnits({ input: positionals[0], id: v.id, weight: v.weight, households: v.households, nest: v.nest, barriers: v.barriers })
    const { graph } = units
    const rows = await readAssignCsv(v.assign, 'assign')

    const nodeOf = new Map<string, number>()
    graph.ids.forEach((id, i) => nodeOf.set(id, i))
    const gridIndex = new Map<string, number>()
    const gridIds: string[] = []
    const assignment = new Int32Array(graph.n).fill(-1)
    for (const [unit, grid] of rows) {
      const node = nodeOf.get(unit)
      if (node === undefined) {
        throw new BadInput(`--assign ${v.assign}: unit ${JSON.stringify(unit)} is not in ${positionals[0]} (ids from ${v.id ? `--id ${v.id}` : 'the feature index; pass --id FIELD'})`)
      }
      let p = gridIndex.get(grid)
      if (p === undefined) {
        p = gridIds.length
        gridIndex.set(grid, p)
        gridIds.push(grid)
      }
      assignment[node] = p
    }
    const m = planMetrics(graph, assignment, units.weights, { households: units.households, min, max, parts: gridIds.length })
    if (v.out) {
      const head = 'grid_id,parent,units,weight,households,deviation_pct,in_band,area_m2,perimeter_m,polsby_popper,pieces,crossings,cut_edges'
      const lines = m.parts.map((p) =>
        [
          csvField(gridIds[p.part]), csvField(p.parent), p.units, p.weight, p.households ?? '',
          p.deviation === null ? '' : p.deviation.toFixed(2), p.inBand ?? '', p.area.toFixed(1), p.perimeter.toFixed(1),
          p.polsbyPopper.toFixed(4), p.pieces, p.crossings, p.cutEdges,
        ].join(','),
      )
      await writeFile(v.out, [head, ...lines].join('\n') + '\n')
    }
    const s = m.summary
    io.stdout(
      JSON.stringify({
        command: 'metrics',
        units: graph.n,
        grids: s.parts,
        unassigned: s.unassigned,
        target: s.target,
        inBand: s.inBand,
        inBandShare: s.inBandShare === null ? null : Math.round(s.inBandShare * 10_000) / 10_000,
        maxAbsDeviation: Math.round(s.maxAbsDeviation * 100) / 100,
        minWeight: s.minWeight,
        maxWeight: s.maxWeight,
        nonContiguous: s.nonContiguous,
        crossingParent: s.crossingParent,
        withCrossings: s.withCrossings,
        cutEdges: s.cutEdges,
        cutLength: Math.round(s.cutLength),
        meanPolsbyPopper: Math.round(s.meanPolsbyPopper * 10_000) / 10_000,
        minPolsbyPopper: Math.round(s.minPolsbyPopper * 10_000) / 10_000,
        out: v.out ?? null,
        ms: Math.round(performance.now() - t0),
      }),
    )
    return 0
  })
}
