import { describe, expect, it } from 'vitest'
import { buildGraph } from '../graph/index.js'
import { fc, line, rect, squareGrid, unit } from '../graph/test-fixtures.js'
import { checkPartition, partition } from './index.js'

/** Named scenarios on hand-drawn layers (100 m squares), each about one rule of DESIGN.md §2. */
function weightsOf(units: { features: { properties: Record<string, unknown> | null }[] }) {
  return new Float64Array(units.features.map((f) => Number(f.properties?.pop ?? 0)))
}

describe('partition scenarios', () => {
  it('river-splits-community: no grid crosses the barrier', () => {
    const units = squareGrid(6, 10, 100, () => ({ pop: 100, c: 'A' }))
    const river = fc([line([[500, -50], [500, 650]])])
    const { graph } = buildGraph(units, { nest: 'c', barriers: river })
    const weights = weightsOf(units)
    const opts = { min: 900, max: 1100 }
    const res = partition(graph, weights, opts)
    expect(checkPartition(graph, weights, res, opts)).toEqual([])
    for (let p = 0; p < res.parts; p++) {
      const sides = new Set<boolean>()
      for (let v = 0; v < graph.n; v++) if (res.assignment[v] === p) sides.add(v % 10 < 5)
      expect(sides.size).toBe(1)
    }
    expect(res.parts).toBe(6)
    expect(res.exceptions.map((e) => e.code)).toEqual(['island'])
  })

  it('barrier-sliver: a light piece cut off by a hard barrier stays its own grid, reported', () => {
    // A 6×6 block of one community; a railway cuts off its last column (6 squares, 300 people) that
    // would fit into a grid on the other side (1,500 + 300 ≤ 2,000) if crossing were allowed.
    const units = squareGrid(6, 6, 100, (_r, c) => ({ pop: c === 5 ? 50 : 100, c: 'A' }))
    const rail = fc([line([[500, -50], [500, 650]])])
    const { graph } = buildGraph(units, { nest: 'c', barriers: rail })
    const weights = weightsOf(units)
    const opts = { min: 1000, max: 2000 }
    const res = partition(graph, weights, opts)
    expect(checkPartition(graph, weights, res, opts)).toEqual([])
    for (let p = 0; p < res.parts; p++) {
      const sides = new Set<boolean>()
      for (let v = 0; v < graph.n; v++) if (res.assignment[v] === p) sides.add(v % 6 < 5)
      expect(sides.size, `grid ${p} crosses the railway`).toBe(1)
    }
    expect(res.exceptions.map((e) => e.code)).toContain('component-lighter-than-min')
  })

  it('island-community: an unpopulated islet joins its community’s nearest grid, reported', () => {
    const units = squareGrid(5, 5, 100, () => ({ pop: 100, c: 'A' }))
    units.features.push(unit([rect(700, 200, 800, 300)], { pop: 0, c: 'A' }))
    const { graph } = buildGraph(units, { nest: 'c' })
    const weights = weightsOf(units)
    const opts = { min: 1000, max: 1500 }
    const res = partition(graph, weights, opts)
    expect(checkPartition(graph, weights, res, opts)).toEqual([])
    expect(res.parts).toBe(2)
    const islet = graph.n - 1
    const joined = res.exceptions.find((e) => e.code === 'island' && e.part >= 0)
    expect(joined?.part).toBe(res.assignment[islet])
    expect(joined?.nodes).toEqual([islet])
    // Nearest grid: the one holding the square next to the islet's side of the block.
    expect(res.assignment[islet]).toBe(res.assignment[2 * 5 + 4])
  })

  it('island-community, separate: every grid stays in one piece', () => {
    const units = squareGrid(5, 5, 100, () => ({ pop: 100, c: 'A' }))
    units.features.push(unit([rect(700, 200, 800, 300)], { pop: 0, c: 'A' }))
    const { graph } = buildGraph(units, { nest: 'c' })
    const weights = weightsOf(units)
    const res = partition(graph, weights, { min: 1000, max: 1500, islands: 'separate' })
    expect(res.parts).toBe(3)
    expect(res.exceptions.map((e) => e.code).sort()).toEqual(['component-lighter-than-min', 'island'])
  })

  it('two-communities: grids never mix communities, even when that leaves one light', () => {
    const units = squareGrid(4, 8, 100, (_r, c) => ({ pop: 100, c: c < 3 ? 'west' : 'east' }))
    const { graph } = buildGraph(units, { nest: 'c' })
    const weights = weightsOf(units)
    const opts = { min: 1300, max: 2000 }
    const res = partition(graph, weights, opts)
    expect(checkPartition(graph, weights, res, opts)).toEqual([])
    // west: 12 squares = 1,200 people, lighter than min; east: 2,000 people, one grid.
    const light = res.exceptions.filter((e) => e.code === 'component-lighter-than-min')
    expect(light.map((e) => e.parent)).toEqual(['west'])
    expect(res.parts).toBe(2)
  })

  it('heavy-unit: a unit over max gets a grid of its own and is reported', () => {
    const units = squareGrid(4, 6, 100, (r, c) => ({ pop: r === 1 && c === 1 ? 3000 : 100, c: 'A' }))
    const { graph } = buildGraph(units, { nest: 'c' })
    const weights = weightsOf(units)
    const opts = { min: 900, max: 1300 }
    const res = partition(graph, weights, opts)
    expect(checkPartition(graph, weights, res, opts)).toEqual([])
    const heavy = res.exceptions.filter((e) => e.code === 'unit-heavier-than-max')
    expect(heavy).toHaveLength(1)
    expect(heavy[0].nodes).toEqual([7])
    // 23 other squares = 2,300 people: two grids in band besides the heavy one.
    expect(res.parts).toBe(3)
  })

  it('locked-grid: a locked grid keeps exactly its units and its id', () => {
    const units = squareGrid(6, 6, 100, () => ({ pop: 100, c: 'A' }))
    const { graph } = buildGraph(units, { nest: 'c' })
    const weights = weightsOf(units)
    const lock = new Int32Array(graph.n).fill(-1)
    for (const v of [0, 1, 6, 7, 12, 13, 18, 19, 24, 25, 30]) lock[v] = 0 // an L-shaped, 1,100-person grid
    const opts = { min: 1000, max: 1400, lock }
    const res = partition(graph, weights, opts)
    expect(checkPartition(graph, weights, res, opts)).toEqual([])
    for (let v = 0; v < graph.n; v++) expect(res.assignment[v] === 0).toBe(lock[v] === 0)
  })

  it('locked-grid-cuts-off-piece: a piece cut off only by a locked grid is not an island', () => {
    const units = squareGrid(1, 10, 100, () => ({ pop: 100, c: 'A' }))
    const { graph } = buildGraph(units, { nest: 'c' })
    const weights = weightsOf(units)
    const lock = new Int32Array(graph.n).fill(-1)
    lock[7] = lock[8] = 0
    const opts = { min: 300, max: 500, lock }
    const res = partition(graph, weights, opts)
    expect(checkPartition(graph, weights, res, opts)).toEqual([])
    const alone = res.assignment[9]
    expect(Array.from(res.assignment).filter((p) => p === alone)).toHaveLength(1)
    expect(res.exceptions.find((e) => e.part === alone)?.code).toBe('component-lighter-than-min')
  })
})
