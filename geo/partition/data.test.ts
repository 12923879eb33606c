import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { buildGraph } from '../graph/index.js'
import type { Graph } from '../types.js'
import { checkPartition, partition, type PartitionResult } from './index.js'

// Real census blocks from ../shared/data (not in the repo); each suite skips when its file is absent.
const dir = fileURLToPath(new URL('../../../shared/data/', import.meta.url))
const providence = dir + 'providence_ri_blocks2010.geojson'
const henrico = dir + 'henrico_va_blocks2010.geojson'

function load(path: string, weight: string, nest: string) {
  const units = JSON.parse(readFileSync(path, 'utf8'))
  const { graph } = buildGraph(units, { nest })
  const weights = new Float64Array(units.features.map((f: { properties: Record<string, unknown> }) => Number(f.properties[weight]) || 0))
  return { graph, weights }
}

function shareInBand(graph: Graph, weights: Float64Array, res: PartitionResult, min: number, max: number) {
  const pw = new Float64Array(res.parts)
  for (let v = 0; v < graph.n; v++) pw[res.assignment[v]] += weights[v]
  return pw.filter((w) => w >= min && w <= max).length / res.parts
}

describe.skipIf(!existsSync(providence))('Providence blocks, TOTPOP by WARD, 1000–1500', () => {
  const { graph, weights } = load(providence, 'TOTPOP', 'WARD')
  const opts = { min: 1000, max: 1500, seed: 1 }
  const res = partition(graph, weights, opts)

  it('keeps every rule and beats gpmetis -contig per ward (96.5 % in band)', () => {
    expect(checkPartition(graph, weights, res, opts)).toEqual([])
    expect(shareInBand(graph, weights, res, opts.min, opts.max)).toBeGreaterThanOrEqual(0.965)
    // The one block of 1,873 people cannot fit a 1,500 maximum: reported, not hidden.
    expect(res.exceptions.some((e) => e.code === 'unit-heavier-than-max')).toBe(true)
  })

  it('rebalances after growth near one part without redrawing the city', () => {
    const w2 = weights.slice()
    const grown = res.assignment[0]
    for (let v = 0; v < graph.n; v++) if (res.assignment[v] === grown) w2[v] = Math.round(w2[v] * 1.6)
    const re = partition(graph, w2, { ...opts, initial: res.assignment })
    expect(checkPartition(graph, w2, re, opts)).toEqual([])
    let moved = 0
    for (let v = 0; v < graph.n; v++) if (re.assignment[v] !== res.assignment[v]) moved++
    expect(moved).toBeLessThan(graph.n * 0.05)
    expect(shareInBand(graph, w2, re, opts.min, opts.max)).toBeGreaterThanOrEqual(0.95)
  })
})

describe.skipIf(!existsSync(henrico))('Henrico blocks, pop by tract, 1500–2500', () => {
  const { graph, weights } = load(henrico, 'pop', 'tract')
  const opts = { min: 1500, max: 2500, seed: 1 }
  const res = partition(graph, weights, opts)

  it('keeps every rule and explains every out-of-band grid', () => {
    expect(checkPartition(graph, weights, res, opts)).toEqual([])
    // 9 grids cannot be in band whatever the search: 4 tracts of 2,645–2,959 people (no whole number
    // of grids fits), a tract of 1,250, an unpopulated tract, tract 200122 whose two halves meet only
    // in one block of 782 (the larger half holds 1,871 people, 8 short of the 1,879 its grid needs) and
    // tract 200413 held together by one block of 1,886 (nothing beside it reaches 1,500: 2 grids).
    // The last two hold on any adjacency of these polygons: no pair sharing a boundary line is missing
    // (checked against JSTS), and queen contacts or a 20 m snap do not join those pieces either.
    // So 149/158 = 94.3 % is the ceiling for contiguous, nested grids with k = round(W / target);
    // gpmetis -contig per tract reached 94.1 % (144/153, the same 9 out); the "upper bound 96.0 %"
    // quoted with it (147/153) counts only the 6 grids forced by tract totals.
    expect(shareInBand(graph, weights, res, opts.min, opts.max)).toBeGreaterThanOrEqual(0.94)
    const unexplained = res.exceptions.filter((e) => e.code === 'time-budget' || e.code === 'shape').length
    expect(unexplained).toBeLessThanOrEqual(3)
  })

  it('gives the same plan for the same seed', () => {
    expect(Array.from(partition(graph, weights, opts).assignment)).toEqual(Array.from(res.assignment))
  })
})
