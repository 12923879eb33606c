import { describe, expect, it } from 'vitest'
import type { Graph } from '../types.js'
import { groupCells, type CellResult } from './index.js'
import { usableEdge } from './local.js'
import { prng } from './sweep.js'
import { bruteCounts, graphFromEdges, latticeEdges, randomPlanarish } from './test-graphs.js'

/** Every grid in one cell; every cell min..max grids, one jurisdiction, connected over usable edges. */
function checkValid(g: Graph, r: CellResult, min: number, max: number): string | null {
  const members = new Map<number, number[]>()
  for (let i = 0; i < g.n; i++) {
    const c = r.assignment[i]
    if (c < 0) return `grid ${i} unassigned`
    const list = members.get(c)
    if (list) list.push(i)
    else members.set(c, [i])
  }
  if (members.size !== r.cells) return `cells=${r.cells} but ${members.size} distinct`
  for (const [c, list] of members) {
    if (list.length < min || list.length > max) return `cell ${c} has ${list.length} grids`
    if (list.some((i) => g.parent[i] !== g.parent[list[0]])) return `cell ${c} spans jurisdictions`
    const inCell = new Set(list)
    const seen = new Set([list[0]])
    const stack = [list[0]]
    while (stack.length) {
      const i = stack.pop()!
      for (let e = g.xadj[i]; e < g.xadj[i + 1]; e++) {
        const j = g.adjncy[e]
        if (inCell.has(j) && !seen.has(j) && usableEdge(g, i, e)) {
          seen.add(j)
          stack.push(j)
        }
      }
    }
    if (seen.size !== list.length) return `cell ${c} not contiguous`
  }
  return null
}

const BOUNDS: [number, number][] = [
  [5, 6],
  [2, 3],
  [3, 4],
  [2, 2],
  [3, 3],
  [1, 2],
  [4, 6],
  [8, 12],
]

interface Case {
  name: string
  g: Graph
}

function families(): Case[] {
  const out: Case[] = []
  const rand = prng(2024)
  const variants = (name: string, n: number, edges: [number, number][], x?: number[], y?: number[]): void => {
    out.push({ name, g: graphFromEdges(n, edges, { x, y }) })
    // Two jurisdictions: a west/east split by node order, and a random one with a random barrier cut.
    const split = Math.max(1, Math.floor(n * (0.3 + 0.4 * rand())))
    out.push({ name: `${name}/2j`, g: graphFromEdges(n, edges, { parent: Array.from({ length: n }, (_, i) => (i < split ? 0 : 1)), x, y }) })
    const parent = Array.from({ length: n }, () => (rand() < 0.5 ? 0 : 1))
    const cut = edges.filter(() => rand() < 0.15)
    out.push({ name: `${name}/2j-random-cut`, g: graphFromEdges(n, edges, { parent, cut, x, y }) })
  }
  for (let n = 1; n <= 12; n++) variants(`path${n}`, n, Array.from({ length: n - 1 }, (_, i) => [i, i + 1] as [number, number]))
  for (let n = 3; n <= 12; n++) variants(`cycle${n}`, n, Array.from({ length: n }, (_, i) => [i, (i + 1) % n] as [number, number]))
  for (let w = 2; w <= 6; w++)
    for (let h = 2; w * h <= 12; h++) variants(`lattice${w}x${h}`, w * h, latticeEdges(w, h))
  // Stars and a "comb" (path with pendant leaves) are the shapes that defeat counting arguments.
  for (let n = 4; n <= 12; n++) variants(`star${n}`, n, Array.from({ length: n - 1 }, (_, i) => [0, i + 1] as [number, number]))
  for (let k = 2; k <= 6; k++) {
    const edges: [number, number][] = []
    for (let i = 0; i < k; i++) {
      if (i + 1 < k) edges.push([i, i + 1])
      edges.push([i, k + i])
    }
    variants(`comb${k}`, 2 * k, edges)
  }
  for (let s = 0; s < 140; s++) {
    const n = 5 + (s % 8)
    const { edges, x, y } = randomPlanarish(n, 1000 + s)
    variants(`random${s}-n${n}`, n, edges, x, y)
  }
  return out
}

describe('groupCells is exact on every small graph (brute force agrees)', () => {
  const cases = families()
  it(`covers ${cases.length} graphs × ${BOUNDS.length} bounds`, () => {
    let feasibleCases = 0
    let infeasibleCases = 0
    let requestedChecks = 0
    for (const { name, g } of cases) {
      for (const [min, max] of BOUNDS) {
        const brute = bruteCounts(g, min, max)
        const r = groupCells(g, { min, max, seed: 7 })
        const label = `${name} [${min},${max}] brute=${brute.join(',')}`
        expect(r.feasibility.feasible, label).toBe(brute.length > 0)
        expect(r.feasibility.counts, label).toEqual(brute)
        if (brute.length > 0) {
          feasibleCases++
          expect(checkValid(g, r, min, max), label).toBeNull()
        } else {
          infeasibleCases++
          expect(r.feasibility.problems.length, label).toBeGreaterThan(0)
          // Still a complete assignment, every out-of-bounds cell explained.
          expect(r.assignment.every((c) => c >= 0), label).toBe(true)
        }
        // Requested totals: the smallest and largest feasible, and one just outside.
        const asks = brute.length > 0 ? [brute[0], brute[brute.length - 1], brute[brute.length - 1] + 1] : [1]
        for (const N of asks) {
          const q = groupCells(g, { min, max, cells: N, seed: 3 })
          const ok = brute.includes(N)
          expect(q.feasibility.feasible, `${label} cells=${N}`).toBe(ok)
          if (ok) {
            expect(q.cells, `${label} cells=${N}`).toBe(N)
            expect(checkValid(g, q, min, max), `${label} cells=${N}`).toBeNull()
          }
          requestedChecks++
        }
      }
    }
    // The families must exercise both answers, or the test proves little.
    expect(feasibleCases).toBeGreaterThan(300)
    expect(infeasibleCases).toBeGreaterThan(300)
    expect(requestedChecks).toBeGreaterThan(1000)
  })
})

describe('groupCells agrees with brute force on every graph of up to 5 nodes, and 6-node samples', () => {
  it('all labelled graphs n ≤ 5 (1,089 graphs) and 1,500 random 6-node graphs, one or two jurisdictions', () => {
    const bounds: [number, number][] = [[1, 2], [2, 2], [2, 3], [3, 3], [2, 4], [5, 6]]
    const rand = prng(77)
    let checked = 0
    const check = (n: number, edges: [number, number][], parent?: number[]): void => {
      const g = graphFromEdges(n, edges, { parent })
      for (const [min, max] of bounds) {
        const brute = bruteCounts(g, min, max)
        const r = groupCells(g, { min, max })
        const label = `n=${n} edges=${JSON.stringify(edges)} parent=${parent ?? '-'} [${min},${max}]`
        expect(r.feasibility.counts, label).toEqual(brute)
        expect(r.feasibility.feasible, label).toBe(brute.length > 0)
        if (brute.length > 0) expect(checkValid(g, r, min, max), label).toBeNull()
        checked++
      }
    }
    for (let n = 1; n <= 5; n++) {
      const pairs: [number, number][] = []
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairs.push([i, j])
      for (let mask = 0; mask < 1 << pairs.length; mask++) check(n, pairs.filter((_, b) => mask & (1 << b)))
    }
    for (let s = 0; s < 1500; s++) {
      const edges: [number, number][] = []
      for (let i = 0; i < 6; i++) for (let j = i + 1; j < 6; j++) if (rand() < 0.45) edges.push([i, j])
      check(6, edges, s % 2 === 0 ? undefined : Array.from({ length: 6 }, () => (rand() < 0.5 ? 0 : 1)))
    }
    expect(checked).toBe((1 + 2 + 8 + 64 + 1024 + 1500) * bounds.length)
  })
})
