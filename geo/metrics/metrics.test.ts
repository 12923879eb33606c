import { describe, expect, it } from 'vitest'
import { buildGraph } from '../graph/index.js'
import { fc, line, squareGrid } from '../graph/test-fixtures.js'
import { planMetrics } from './index.js'

// 2 × 3 squares of 100 m:   3 4 5
//                           0 1 2
const grid = buildGraph(squareGrid(2, 3, 100, (r) => ({ community: r === 0 ? 'south' : 'north' })), { nest: 'community' }).graph
const flat = buildGraph(squareGrid(2, 3)).graph
const ones = new Float64Array(6).fill(100)

describe('planMetrics', () => {
  it('measures only the given nodes (every node of every part) with the same per-part results', () => {
    // part 1 in two pieces (2 and 3), node 4 left unassigned as an edit's partial read would
    const a = Int32Array.from([0, 0, 1, 1, -1, 0])
    const w = Float64Array.from([100, 200, 300, 400, 500, 600])
    const full = planMetrics(grid, a, w, { households: w, min: 100, max: 900, parts: 2 })
    const some = planMetrics(grid, a, w, { households: w, min: 100, max: 900, parts: 2, nodes: [0, 1, 2, 3, 5] })
    expect(some.parts).toEqual(full.parts)
    expect(full.parts[1].pieces).toBe(2)
  })

  it('measures the dissolved perimeter, area and Polsby–Popper of each part', () => {
    const { parts } = planMetrics(flat, Int32Array.from([0, 0, 1, 0, 1, 1]), ones)
    expect(parts).toHaveLength(2)
    expect(parts[0].area).toBeCloseTo(30_000, -2)
    // An L of three squares: 8 sides of 100 m.
    expect(parts[0].perimeter).toBeCloseTo(800, 0)
    expect(parts[0].polsbyPopper).toBeCloseTo((4 * Math.PI * 30_000) / 800 ** 2, 2)
    // 1–2, 1–4 and 3–4.
    expect(parts[0].cutEdges).toBe(3)
    expect(parts[0].cutLength).toBeCloseTo(300, 0)
    expect(parts[0].pieces).toBe(1)
    const whole = planMetrics(flat, new Int32Array(6), ones).parts[0]
    expect(whole.perimeter).toBeCloseTo(1000, 0)
    expect(whole.cutEdges).toBe(0)
  })

  it('computes weight, households, deviation and band flags', () => {
    const w = Float64Array.from([100, 200, 300, 400, 500, 600])
    const hh = Float64Array.from([1, 2, 3, 4, 5, 6])
    const { parts, summary } = planMetrics(flat, Int32Array.from([0, 0, 0, 1, 1, 1]), w, { households: hh, min: 500, max: 1000 })
    expect(parts.map((p) => p.weight)).toEqual([600, 1500])
    expect(parts.map((p) => p.households)).toEqual([6, 15])
    expect(summary.target).toBe(750)
    expect(parts[0].deviation).toBeCloseTo(-20, 6)
    expect(parts[1].deviation).toBeCloseTo(100, 6)
    expect(parts.map((p) => p.inBand)).toEqual([true, false])
    expect(summary.inBandShare).toBe(0.5)
    expect(summary.maxAbsDeviation).toBeCloseTo(100, 6)
    expect(planMetrics(flat, Int32Array.from([0, 0, 0, 1, 1, 1]), w).parts[0].inBand).toBeNull()
  })

  it('flags split parts, mixed parents and unassigned units', () => {
    const { parts, summary } = planMetrics(grid, Int32Array.from([0, 1, 0, 1, -1, 1]), ones)
    expect(parts[0].pieces).toBe(2)
    expect(parts[0].parent).toBe('south')
    expect(parts[1].parent).toBe('mixed')
    expect(parts[1].crossesParent).toBe(true)
    // 1–4 is unassigned, so part 1 = {1, 3, 5} is three pieces with no internal edge at all.
    expect(parts[1].pieces).toBe(3)
    expect(summary.unassigned).toBe(1)
    expect(summary.nonContiguous).toBe(2)
    expect(summary.crossingParent).toBe(1)
    // All 7 edges of the 2 × 3 grid join different parts or touch the unassigned unit.
    expect(summary.cutEdges).toBe(7)
  })

  it('counts internal cut edges as crossings (parent border or hard barrier)', () => {
    const mixed = planMetrics(grid, Int32Array.from([0, 0, 0, 0, 0, 0]), ones)
    expect(mixed.parts[0].crossings).toBe(3)
    expect(mixed.summary.withCrossings).toBe(1)
    const walled = buildGraph(squareGrid(1, 3), { barriers: fc([line([[100, -10], [100, 110]])]) }).graph
    expect(planMetrics(walled, new Int32Array(3), ones.subarray(0, 3)).parts[0].crossings).toBe(1)
    expect(planMetrics(walled, Int32Array.from([0, 1, 1]), ones.subarray(0, 3)).parts[1].crossings).toBe(0)
  })

  it('keeps totals on random assignments: areas, weights and cut edges add up', () => {
    const g = buildGraph(squareGrid(8, 8, 50)).graph
    let seed = 7
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    for (let run = 0; run < 20; run++) {
      const a = Int32Array.from({ length: g.n }, () => Math.floor(rand() * 6) - 1)
      const w = Float64Array.from({ length: g.n }, () => Math.floor(rand() * 100))
      const { parts, summary } = planMetrics(g, a, w, { parts: 5 })
      let area = 0, weight = 0, expectArea = 0, expectWeight = 0, directed = 0, toUnassigned = 0
      for (let v = 0; v < g.n; v++) if (a[v] >= 0) (expectArea += g.area[v]), (expectWeight += w[v])
      for (const p of parts) (area += p.area), (weight += p.weight), (directed += p.cutEdges)
      for (let v = 0; v < g.n; v++) for (let e = g.xadj[v]; e < g.xadj[v + 1]; e++) {
        if (a[v] >= 0 && a[g.adjncy[e]] < 0) toUnassigned++
      }
      expect(area).toBeCloseTo(expectArea, 3)
      expect(weight).toBe(expectWeight)
      for (const p of parts) expect(p.polsbyPopper).toBeLessThanOrEqual(1 + 1e-12)
      // Part–part edges are seen from both sides, part–unassigned edges from one.
      expect((directed - toUnassigned) % 2).toBe(0)
      // Plan cut edges: undirected edges whose ends are not in one part (two unassigned ends count too).
      let bothUnassigned = 0
      for (let v = 0; v < g.n; v++) for (let e = g.xadj[v]; e < g.xadj[v + 1]; e++) {
        if (g.adjncy[e] > v && a[v] < 0 && a[g.adjncy[e]] < 0) bothUnassigned++
      }
      expect(summary.cutEdges).toBe((directed - toUnassigned) / 2 + toUnassigned + bothUnassigned)
    }
  })
})
