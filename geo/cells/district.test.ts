import { describe, expect, it } from 'vitest'
import type { Graph } from '../types.js'
import { groupCells } from './index.js'
import { usableEdge } from './local.js'
import { graphFromEdges } from './test-graphs.js'

/**
 * A synthetic district like Tiefeng's: 372 grids in 8 jurisdictions laid west to east, each a lattice six
 * grids tall (30, 30, 60, 60, 60, 60, 36, 36 grids), jurisdictions joined only by cut edges, communities
 * of about eight grids, populations around 800.
 */
function district(sizes = [30, 30, 60, 60, 60, 60, 36, 36]): { g: Graph; community: Int32Array; pop: Float64Array } {
  const edges: [number, number][] = []
  const parent: number[] = []
  const x: number[] = []
  const y: number[] = []
  const community: number[] = []
  let col0 = 0
  let comm = 0
  const id = (c: number, r: number): number => c * 6 + r // column-major over the whole district
  for (let j = 0; j < sizes.length; j++) {
    const cols = sizes[j] / 6
    for (let c = col0; c < col0 + cols; c++)
      for (let r = 0; r < 6; r++) {
        parent.push(j)
        x.push(c)
        y.push(-r)
        // Communities: 2 columns × 4 or 2 rows blocks.
        community.push(comm + Math.floor((c - col0) / 2) * 2 + (r < 4 ? 0 : 1))
        if (r + 1 < 6) edges.push([id(c, r), id(c, r + 1)])
        if (c + 1 < sizes.reduce((s, v) => s + v / 6, 0)) edges.push([id(c, r), id(c + 1, r)])
      }
    comm += Math.ceil(cols / 2) * 2
    col0 += cols
  }
  const n = parent.length
  const g = graphFromEdges(n, edges.filter(([a, b]) => a < n && b < n), { parent, x, y })
  const pop = Float64Array.from({ length: n }, (_, i) => 700 + ((i * 7919) % 200))
  return { g, community: Int32Array.from(community), pop }
}

function valid(g: Graph, assignment: Int32Array, min: number, max: number): boolean {
  const cells = new Map<number, number[]>()
  for (let i = 0; i < g.n; i++) {
    const list = cells.get(assignment[i]) ?? []
    list.push(i)
    cells.set(assignment[i], list)
  }
  for (const list of cells.values()) {
    if (list.length < min || list.length > max) return false
    const set = new Set(list)
    const seen = new Set([list[0]])
    const stack = [list[0]]
    while (stack.length) {
      const i = stack.pop()!
      for (let e = g.xadj[i]; e < g.xadj[i + 1]; e++)
        if (set.has(g.adjncy[e]) && !seen.has(g.adjncy[e]) && usableEdge(g, i, e)) {
          seen.add(g.adjncy[e])
          stack.push(g.adjncy[e])
        }
    }
    if (seen.size !== list.length) return false
  }
  return true
}

function splitCommunities(assignment: Int32Array, community: Int32Array): number {
  const cellsOf = new Map<number, Set<number>>()
  for (let i = 0; i < assignment.length; i++) {
    const s = cellsOf.get(community[i]) ?? new Set<number>()
    s.add(assignment[i])
    cellsOf.set(community[i], s)
  }
  return [...cellsOf.values()].filter((s) => s.size > 1).length
}

describe('feasibility arithmetic on a 372-grid, 8-jurisdiction district', () => {
  const { g, community, pop } = district()

  it('says 56 cells is impossible and 62–74 is feasible', () => {
    expect(g.n).toBe(372)
    const r = groupCells(g, { cells: 56, community, weights: pop })
    expect(r.feasibility.feasible).toBe(false)
    expect(r.feasibility.range).toEqual([62, 74])
    expect(r.feasibility.counts[0]).toBe(62)
    expect(r.feasibility.counts.at(-1)).toBe(74)
    expect(r.feasibility.message).toMatch(/56 cells is impossible \(56 × 6 = 336 < 372\); 62–74 feasible/)
    expect(r.feasibility.problems.map((p) => p.code)).toContain('requested-not-feasible')
    const relax = r.feasibility.suggestions.find((s) => s.kind === 'relax-bounds')
    // ceil(30/8)+… = 4+4+8+8+8+8+5+5 = 50 ≤ 56 with max 8; with max 7 the minimum is 58.
    expect(relax).toMatchObject({ min: 5, max: 8 })
    // Still a valid plan, at the nearest feasible total.
    expect(r.cells).toBe(62)
    expect(valid(g, r.assignment, 5, 6)).toBe(true)
  })

  it('per jurisdiction: each range is the sum of its pieces, and the total is their sum', () => {
    const r = groupCells(g, {})
    const ranges = r.feasibility.jurisdictions.map((j) => j.range)
    expect(ranges).toEqual([[5, 6], [5, 6], [10, 12], [10, 12], [10, 12], [10, 12], [6, 7], [6, 7]])
    expect(r.feasibility.feasible).toBe(true)
  })

  it.each([62, 68, 74])('groups into exactly %i valid cells', (N) => {
    const r = groupCells(g, { cells: N, community, weights: pop, seed: 11 })
    expect(r.feasibility.feasible).toBe(true)
    expect(r.cells).toBe(N)
    expect(valid(g, r.assignment, 5, 6)).toBe(true)
    expect(r.exceptions).toEqual([])
  })

  it('splits fewer communities than a naive west-to-east chunking', () => {
    const r = groupCells(g, { community, weights: pop, seed: 1 })
    expect(valid(g, r.assignment, 5, 6)).toBe(true)
    // Naive: in each jurisdiction, grids in id order (column-major), chunks of 6 (5 at the end when needed).
    const naive = new Int32Array(g.n)
    let cell = 0
    for (let j = 0; j < 8; j++) {
      const mine = [...Array(g.n).keys()].filter((i) => g.parent[i] === j)
      for (let s = 0; s < mine.length; s += 6) {
        for (const i of mine.slice(s, s + 6)) naive[i] = cell
        cell++
      }
    }
    expect(splitCommunities(r.assignment, community)).toBeLessThan(splitCommunities(naive, community))
  })

  it('balances events when given', () => {
    // Events concentrated in a few hot spots (a market, a station).
    const events = Float64Array.from({ length: g.n }, (_, i) => (i % 37 === 0 ? 60 : i % 5))
    const spread = (a: Int32Array): number => {
      const load = new Map<number, number>()
      for (let i = 0; i < g.n; i++) load.set(a[i], (load.get(a[i]) ?? 0) + events[i])
      const v = [...load.values()]
      const mean = v.reduce((x, y) => x + y, 0) / v.length
      return Math.sqrt(v.reduce((x, y) => x + (y - mean) ** 2, 0) / v.length) / mean
    }
    const without = groupCells(g, { weights: pop, seed: 2 })
    const withEvents = groupCells(g, { weights: pop, events, seed: 2 })
    expect(valid(g, withEvents.assignment, 5, 6)).toBe(true)
    expect(spread(withEvents.assignment)).toBeLessThan(spread(without.assignment))
  })

  it('still returns a complete assignment, and says so, when the time budget is spent', () => {
    const r = groupCells(g, { community, weights: pop, timeBudgetMs: 0 })
    expect(r.assignment.every((c) => c >= 0)).toBe(true)
    expect(r.exceptions.map((e) => e.code)).toContain('time-budget')
    // Whatever it claims must hold: feasible only when the plan is valid.
    if (r.feasibility.feasible) expect(valid(g, r.assignment, 5, 6)).toBe(true)
    else expect(r.feasibility.problems.map((p) => p.code)).toContain('undecided')
  })

  it('is deterministic per seed', () => {
    const a = groupCells(g, { community, weights: pop, seed: 5 })
    const b = groupCells(g, { community, weights: pop, seed: 5 })
    expect(Array.from(a.assignment)).toEqual(Array.from(b.assignment))
  })
})

describe('contiguity problems', () => {
  it('reports an enclave of 3 grids cut off by a river with its grids', () => {
    // 5 × 3 lattice: 12 grids west of a river (6 + 6 would do) and an enclave of 3 grids east of it.
    const edges: [number, number][] = []
    for (let r = 0; r < 3; r++)
      for (let c = 0; c < 5; c++) {
        const i = r * 5 + c
        if (c + 1 < 5) edges.push([i, i + 1])
        if (r + 1 < 3) edges.push([i, i + 5])
      }
    const cut: [number, number][] = [[3, 4], [8, 9], [13, 14]]
    const g = graphFromEdges(15, edges, { cut })
    const r = groupCells(g, { min: 5, max: 6 })
    expect(r.feasibility.feasible).toBe(false)
    expect(r.feasibility.problems).toHaveLength(1)
    expect(r.feasibility.problems[0]).toMatchObject({ code: 'piece-size-unreachable', grids: [4, 9, 14] })
    expect(r.feasibility.pieces.map((p) => p.range)).toEqual([[2, 2], null])
    expect(r.feasibility.suggestions.map((s) => s.kind)).toContain('reconnect')
    // Concrete grids to split: two of the enclave's three, to reach 5.
    const split = r.feasibility.suggestions.find((s) => s.kind === 'split-grids')
    expect(split?.amount).toBe(2)
    expect(split?.candidates).toHaveLength(2)
    for (const c of split!.candidates!) expect([4, 9, 14]).toContain(c)
    expect(r.exceptions.map((e) => e.code)).toContain('island')
    expect(r.feasibility.message).toMatch(/3 grid\(s\) \[g4, g9, g14\]/)
  })

  it('keeps locked cells and groups the rest around them', () => {
    const edges: [number, number][] = []
    for (let r = 0; r < 3; r++)
      for (let c = 0; c < 6; c++) {
        const i = r * 6 + c
        if (c + 1 < 6) edges.push([i, i + 1])
        if (r + 1 < 3) edges.push([i, i + 6])
      }
    const g = graphFromEdges(18, edges)
    const lock = new Int32Array(18).fill(-1)
    for (const i of [0, 1, 6, 7, 12, 13]) lock[i] = 4
    const r = groupCells(g, { min: 5, max: 6, lock })
    expect(r.feasibility.feasible).toBe(true)
    for (const i of [0, 1, 6, 7, 12, 13]) expect(r.assignment[i]).toBe(4)
    expect(r.cells).toBe(3)
    expect(valid(g, r.assignment, 5, 6)).toBe(true)
    // With a requested total the locked cell counts towards it.
    expect(groupCells(g, { min: 5, max: 6, lock, cells: 3 }).feasibility.feasible).toBe(true)
    expect(groupCells(g, { min: 5, max: 6, lock, cells: 4 }).feasibility.feasible).toBe(false)
  })

  it('reports a locked cell that breaks a rule, and free grids hemmed in by locks', () => {
    // Path of 8: grids 0–5 locked as one valid cell would leave 2 free grids; lock 0,1,3,4,5,6 instead
    // (not contiguous: 2 is missing), which leaves grid 2 and grid 7 alone.
    const g = graphFromEdges(8, Array.from({ length: 7 }, (_, i) => [i, i + 1] as [number, number]))
    const lock = Int32Array.from([0, 0, -1, 0, 0, 0, 0, -1])
    const r = groupCells(g, { min: 2, max: 6, lock })
    expect(r.exceptions.find((e) => e.code === 'locked')).toMatchObject({ part: 0, nodes: [0, 1, 3, 4, 5, 6] })
    expect(r.feasibility.problems.map((p) => p.code)).toContain('locked-invalid')
    expect(r.feasibility.suggestions.filter((s) => s.kind === 'unlock').map((s) => s.grids)).toEqual([[2], [7]])
    for (const i of [0, 1, 3, 4, 5, 6]) expect(r.assignment[i]).toBe(0)
    expect(r.assignment[2]).not.toBe(r.assignment[7])
  })
})
