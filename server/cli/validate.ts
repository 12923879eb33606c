/**
 * `gridweave validate <file.geojson> [--id FIELD] [--weight FIELD]`
 *
 * Checks a units file the way import does (geo/validate: structure, rings, self-intersections, ids,
 * weights, lng/lat) and, when the geometry is usable, its adjacency (geo/graph: components, islands,
 * isolated units). Exit 0 when nothing blocks an import (repairable problems and notices are counted in
 * the summary and listed on stderr), 2 when a problem does, with the first problems on stderr.
 */
import type { Geometry } from 'geojson'
import { buildGraph } from '../../geo/graph/index.js'
import { FeatureChecker, type Problem } from '../../geo/validate/index.js'
import { BadInput, defaultIO, parse, readCollection, requireField, runCommand, type CliIO } from './io.js'

const USAGE = 'gridweave validate <file.geojson> [--id FIELD] [--weight FIELD]'
const OPTIONS = { id: { type: 'string' }, weight: { type: 'string' } } as const
const SHOW = 20

export async function runValidate(argv: string[], io: CliIO = defaultIO): Promise<number> {
  return runCommand('validate', io, async () => {
    const t0 = performance.now()
    const { values: v, positionals } = parse(argv, OPTIONS, USAGE)
    if (positionals.length !== 1) throw new BadInput(`expected one file, got ${positionals.length}\nusage: ${USAGE}`)
    const file = positionals[0]
    const fc = await readCollection<Geometry | null>(file, 'file')
    if (v.id !== undefined) requireField(fc, v.id, 'id')
    if (v.weight !== undefined) requireField(fc, v.weight, 'weight')
    const checker = new FeatureChecker({
      family: 'polygon',
      idField: v.id,
      idRequired: v.id !== undefined,
      weights: v.weight ? [{ field: v.weight, required: true }] : [],
    })
    const problems: Problem[] = []
    fc.features.forEach((f, i) => problems.push(...checker.check(f, i).problems))
    problems.push(...checker.finish())
    const codes: Record<string, number> = {}
    const bySeverity = { error: 0, repairable: 0, notice: 0 }
    for (const p of problems) {
      codes[p.code] = (codes[p.code] ?? 0) + 1
      bySeverity[p.severity]++
    }
    for (const p of problems.filter((p) => p.severity !== 'notice').slice(0, SHOW)) {
      io.stderr(`${p.severity}: feature ${p.index}${p.id !== null ? ` (id ${p.id})` : ''}: ${p.code}: ${p.message}`)
    }
    if (bySeverity.error + bySeverity.repairable > SHOW) io.stderr(`… ${bySeverity.error + bySeverity.repairable - SHOW} more`)

    // Adjacency only when every feature is a usable polygon: otherwise its numbers would mislead.
    let graph: Record<string, unknown> | null = null
    const polygons = fc.features.every((f) => f.geometry && (f.geometry.type === 'Polygon' || f.geometry.type === 'MultiPolygon'))
    if (polygons && fc.features.length > 0) {
      const { report } = buildGraph(fc as never, { id: v.id })
      graph = {
        edges: report.edges,
        components: report.physicalComponents,
        isolated: report.isolated.length,
        empty: report.empty.length,
      }
    }
    const valid = bySeverity.error === 0 && fc.features.length > 0
    if (fc.features.length === 0) io.stderr(`file ${file} has no features`)
    io.stdout(
      JSON.stringify({
        command: 'validate',
        file,
        features: fc.features.length,
        valid,
        errors: bySeverity.error,
        repairable: bySeverity.repairable,
        notices: bySeverity.notice,
        codes,
        graph,
        ms: Math.round(performance.now() - t0),
      }),
    )
    return valid ? 0 : 2
  })
}
