import { describe, expect, it } from 'vitest'
import type { Graph } from '../types.js'
import { buildGraph, components, isContiguous, islands, partPieces } from './index.js'
import { fc, line, rect, ring, squareGrid, unit, xy } from './test-fixtures.js'

/** The shared length between nodes a and b, or undefined when they are not adjacent. */
function edge(g: Graph, a: number, b: number): { len: number; cut: number } | undefined {
  for (let e = g.xadj[a]; e < g.xadj[a + 1]; e++) if (g.adjncy[e] === b) return { len: g.edgeLength[e], cut: g.edgeCut[e] }
  return undefined
}

/** Every edge appears once in each direction with the same length and cut flag; no self loops. */
function expectSymmetric(g: Graph) {
  for (let a = 0; a < g.n; a++) {
    for (let e = g.xadj[a]; e < g.xadj[a + 1]; e++) {
      const b = g.adjncy[e]
      expect(b).not.toBe(a)
      const back = edge(g, b, a)
      expect(back).toBeDefined()
      expect(back!.len).toBe(g.edgeLength[e])
      expect(back!.cut).toBe(g.edgeCut[e])
    }
  }
}

describe('buildGraph adjacency', () => {
  it('joins two squares that share an edge, with its length in metres', () => {
    const { graph, report } = buildGraph(fc([unit([rect(0, 0, 100, 100)]), unit([rect(100, 0, 200, 100)])]))
    expect(report.edges).toBe(1)
    expect(edge(graph, 0, 1)!.len).toBeCloseTo(100, 0)
    expect(edge(graph, 0, 1)!.cut).toBe(0)
    expect(graph.area[0]).toBeCloseTo(10_000, -1)
    expect(graph.perimeter[1]).toBeCloseTo(400, 0)
    expectSymmetric(graph)
  })

  it('puts the representative point inside the unit, not in the notch of a U', () => {
    // The centroid of this U lies in the notch (100 < x < 200, y > 100), outside the unit.
    const u = unit([ring([0, 0], [300, 0], [300, 300], [200, 300], [200, 100], [100, 100], [100, 300], [0, 300])])
    const { graph } = buildGraph(fc([u]))
    const [x, y] = xy(graph.x[0], graph.y[0])
    const inArms = (x > 0 && x < 100) || (x > 200 && x < 300)
    expect(inArms ? y > 0 && y < 300 : y > 0 && y < 100).toBe(true)
  })

  it('does not join squares that touch only at a corner', () => {
    const { graph, report } = buildGraph(fc([unit([rect(0, 0, 100, 100)]), unit([rect(100, 100, 200, 200)])]))
    expect(report.edges).toBe(0)
    expect(report.isolated).toEqual([0, 1])
    // In a 2 × 2 block each square has its two rook neighbours, never the diagonal one.
    const g4 = buildGraph(squareGrid(2, 2)).graph
    for (let i = 0; i < 4; i++) expect(g4.xadj[i + 1] - g4.xadj[i]).toBe(2)
    expect(edge(g4, 0, 3)).toBeUndefined()
    expect(edge(graph, 0, 1)).toBeUndefined()
  })

  it('bridges a 0.2 m sliver gap within the snap tolerance, and not beyond it', () => {
    const units = fc([unit([rect(0, 0, 100, 100)]), unit([rect(100.2, 0, 200, 100)])])
    const near = buildGraph(units)
    expect(near.report.edges).toBe(1)
    expect(edge(near.graph, 0, 1)!.len).toBeCloseTo(100, 0)
    expect(buildGraph(units, { snapMetres: 0.1 }).report.edges).toBe(0)
    expect(buildGraph(fc([unit([rect(0, 0, 100, 100)]), unit([rect(102, 0, 200, 100)])])).report.edges).toBe(0)
  })

  it('measures a slight overlap and mismatched vertices as the shared length, not more', () => {
    // Right neighbour overlaps by 0.3 m and has an extra vertex 0.1 m off the line at mid-edge.
    const left = unit([rect(0, 0, 100, 100)])
    const right = unit([ring([99.7, 0], [200, 0], [200, 100], [99.7, 100], [99.8, 50])])
    const { graph } = buildGraph(fc([left, right]))
    const e = edge(graph, 0, 1)!
    expect(e.len).toBeGreaterThan(99)
    expect(e.len).toBeLessThan(100.5)
  })

  it('counts a shared edge only once when a neighbour runs back along it at an acute angle', () => {
    // A thin spike: unit 1 shares its lower edge with unit 0 and returns at ~6° towards its start.
    const base = unit([ring([0, -50], [100, -50], [100, 0], [0, 0])])
    const spike = unit([ring([100, 0], [0, 0], [90, 10])])
    const { graph } = buildGraph(fc([base, spike]))
    expect(edge(graph, 0, 1)!.len).toBeCloseTo(100, 0)
  })

  it('does not join units that meet at a vertex with a thin unit in the wedge between them', () => {
    // A below the x axis, C above a line rising at 2° from the origin, B the 2° sliver between them. A and C
    // touch only at the origin, yet their edges stay within 0.5 m for ~14 m from it (Henrico has ~290
    // such corners, some 0.1 m slivers over 100 m). B lies nearer to both, so the stretch is B's alone.
    const h = 100 * Math.tan((2 * Math.PI) / 180)
    const a = unit([rect(0, -50, 100, 0)])
    const b = unit([ring([0, 0], [100, 0], [100, h])])
    const c = unit([ring([0, 0], [100, h], [100, 50], [0, 50])])
    const { graph, report } = buildGraph(fc([a, b, c]))
    expect(edge(graph, 0, 2)).toBeUndefined()
    expect(edge(graph, 0, 1)!.len).toBeCloseTo(100, 0)
    expect(edge(graph, 1, 2)!.len).toBeCloseTo(100, 0)
    expect(report.edges).toBe(2)
    // Mismatched vertices along a shared edge do not hand it to a unit further away: the T-junction of
    // B and C on A's top edge sits 0.1 m off the line, as 6-decimal coordinates put it.
    const t = buildGraph(fc([unit([rect(0, -50, 100, 0)]), unit([ring([0, 0], [40, 0.1], [40, 50], [0, 50])]), unit([ring([40, 0.1], [100, 0], [100, 50], [40, 50])])]))
    expect(edge(t.graph, 0, 1)!.len).toBeCloseTo(40, 0)
    expect(edge(t.graph, 0, 2)!.len).toBeCloseTo(60, 0)
    expect(edge(t.graph, 1, 2)!.len).toBeCloseTo(50, 0)
  })

  it('does not depend on ring orientation', () => {
    const a = rect(0, 0, 100, 100)
    const b = rect(100, 0, 200, 100).slice().reverse()
    const { graph } = buildGraph(fc([unit([a]), unit([b])]))
    expect(edge(graph, 0, 1)!.len).toBeCloseTo(100, 0)
  })

  it('joins a unit to the one whose hole it fills, by the hole perimeter', () => {
    const outer = unit([rect(0, 0, 300, 300), rect(100, 100, 200, 200).slice().reverse()])
    const inner = unit([rect(100, 100, 200, 200)])
    const { graph } = buildGraph(fc([outer, inner]))
    expect(edge(graph, 0, 1)!.len).toBeCloseTo(400, 0)
    expect(graph.area[0]).toBeCloseTo(80_000, -2)
  })

  it('keeps bad features as isolated nodes and reports them', () => {
    const units = fc([unit([rect(0, 0, 100, 100)], { id: '007' }), unit([rect(100, 0, 200, 100)], { id: '008' })])
    units.features.push({ type: 'Feature', properties: { id: '009' }, geometry: null as never })
    units.features.push(unit([[rect(0, 0, 1, 1)[0], rect(0, 0, 1, 1)[0]]], { id: '007' }))
    const { graph, report } = buildGraph(units, { id: 'id' })
    expect(graph.n).toBe(4)
    expect(graph.ids).toEqual(['007', '008', '009', '007'])
    expect(report.empty).toEqual([2, 3])
    expect(report.duplicateIds).toEqual(['007'])
    expect(report.edges).toBe(1)
  })
})

describe('buildGraph cuts', () => {
  it('cuts an edge that runs along a hard barrier, not one a barrier only crosses', () => {
    const units = squareGrid(1, 3)
    const barriers = fc([line([[100, -20], [100, 120]]), line([[250, -20], [250, 120]])])
    const { graph, report } = buildGraph(units, { barriers })
    expect(edge(graph, 0, 1)!.cut).toBe(1)
    expect(edge(graph, 1, 2)!.cut).toBe(0)
    expect(report.barrierCutEdges).toBe(1)
    expect(components(graph).count).toBe(2)
    expect(components(graph, { respectCuts: false }).count).toBe(1)
    expectSymmetric(graph)
  })

  it('ignores soft barriers and barriers along only a small part of the edge', () => {
    const units = squareGrid(1, 2)
    const soft = buildGraph(units, { barriers: fc([line([[100, -20], [100, 120]], { hard: false })]) })
    expect(edge(soft.graph, 0, 1)!.cut).toBe(0)
    expect(soft.report.softBarriers).toBe(1)
    const partial = buildGraph(units, { barriers: fc([line([[100, 0], [100, 30]])]) })
    expect(edge(partial.graph, 0, 1)!.cut).toBe(0)
  })

  it('cuts edges between different parents and finds islands', () => {
    // A strip A A B A: the last A is cut off from the others by B.
    const parents = ['A', 'A', 'B', 'A']
    const units = squareGrid(1, 4, 100, (_r, c) => ({ community: parents[c] }))
    const { graph, report } = buildGraph(units, { nest: 'community' })
    expect(graph.parents).toEqual(['A', 'B'])
    expect(Array.from(graph.parent)).toEqual([0, 0, 1, 0])
    expect(edge(graph, 0, 1)!.cut).toBe(0)
    expect(edge(graph, 1, 2)!.cut).toBe(1)
    expect(report.parentCutEdges).toBe(2)
    expect(report.components).toBe(3)
    expect(report.islands).toEqual([{ parent: 'A', pieces: 2, sizes: [2, 1] }])
    expect(islands(graph)).toEqual(report.islands)
  })
})

describe('contiguity', () => {
  const { graph } = buildGraph(squareGrid(2, 3))
  // 3 4 5
  // 0 1 2
  it('tells contiguous sets from split ones (corner touches do not connect)', () => {
    expect(isContiguous(graph, [0, 1, 4])).toBe(true)
    expect(isContiguous(graph, [0, 2])).toBe(false)
    expect(isContiguous(graph, [0, 4])).toBe(false)
    expect(isContiguous(graph, Int32Array.from([5, 2, 2]))).toBe(true)
    expect(isContiguous(graph, [])).toBe(false)
  })

  it('counts the pieces of every part, skipping unassigned units', () => {
    // Part 0 = {0, 2, 4}: 4 touches 0 and 2 only at corners, so three pieces.
    const assignment = Int32Array.from([0, 1, 0, -1, 0, 2])
    expect(Array.from(partPieces(graph, assignment))).toEqual([3, 1, 1])
    expect(Array.from(partPieces(graph, Int32Array.from([0, 0, 0, 0, 0, 0]), { parts: 2 }))).toEqual([1, 0])
  })
})
