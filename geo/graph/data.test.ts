import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { buildGraph, components } from './index.js'

// Real census blocks from ../shared/data (not in the repo); the suite skips when they are absent.
const dir = fileURLToPath(new URL('../../../shared/data/', import.meta.url))
const henrico = dir + 'henrico_va_blocks2010.geojson'
const providence = dir + 'providence_ri_blocks2010.geojson'

function checkCsr(g: ReturnType<typeof buildGraph>['graph']) {
  let bad = 0
  for (let a = 0; a < g.n; a++) {
    let shared = 0
    for (let e = g.xadj[a]; e < g.xadj[a + 1]; e++) {
      const b = g.adjncy[e]
      shared += g.edgeLength[e]
      if (b === a || !(g.edgeLength[e] > 0)) bad++
      let back = false
      for (let f = g.xadj[b]; f < g.xadj[b + 1]; f++) if (g.adjncy[f] === a && g.edgeLength[f] === g.edgeLength[e]) back = true
      if (!back) bad++
    }
    // Shared boundary cannot exceed the perimeter by more than sliver effects.
    if (shared > g.perimeter[a] * 1.5) bad++
  }
  return bad
}

describe.skipIf(!existsSync(henrico))('henrico blocks (messy: invalid rings, components, islands)', () => {
  const units = JSON.parse(readFileSync(henrico, 'utf8'))
  const { graph, report } = buildGraph(units, { id: 'GEOID', nest: 'tract' })

  it('finds the 8 physical components and 7 island tracts', () => {
    expect(graph.n).toBe(6354)
    expect(report.physicalComponents).toBe(8)
    expect(report.islands.length).toBe(7)
    expect(report.parentCutEdges).toBe(report.cutEdges)
    expect(graph.parents.length).toBe(64)
  })

  it('produces a symmetric CSR with positive lengths', () => {
    expect(checkCsr(graph)).toBe(0)
  })

  it('keeps every component of non-cut edges inside one tract', () => {
    const { labels, count } = components(graph)
    const parentOf = new Int32Array(count).fill(-1)
    let mixed = 0
    for (let v = 0; v < graph.n; v++) {
      if (parentOf[labels[v]] === -1) parentOf[labels[v]] = graph.parent[v]
      else if (parentOf[labels[v]] !== graph.parent[v]) mixed++
    }
    expect(mixed).toBe(0)
    expect(count).toBe(64 + 7)
  })
})

describe.skipIf(!existsSync(providence))('providence blocks', () => {
  const units = JSON.parse(readFileSync(providence, 'utf8'))
  const { graph, report } = buildGraph(units, { id: 'GEOID10', nest: 'WARD' })

  it('is one physical piece and one component per ward', () => {
    expect(graph.n).toBe(3014)
    expect(report.physicalComponents).toBe(1)
    expect(report.components).toBe(15)
    expect(report.islands).toEqual([])
    expect(report.missingIds).toBe(0)
    expect(checkCsr(graph)).toBe(0)
  })

  it('cuts along a barrier traced on block boundaries', () => {
    // Use the boundary between two adjacent blocks as a barrier line: exactly that edge becomes cut.
    let a = -1, b = -1
    for (let e = 0; e < graph.adjncy.length && a < 0; e++) if (!graph.edgeCut[e] && graph.edgeLength[e] > 50) {
      b = graph.adjncy[e]
      a = graph.xadj.findIndex((s, i) => i < graph.n && e >= s && e < graph.xadj[i + 1])
    }
    const ringA: number[][] = units.features[a].geometry.type === 'Polygon' ? units.features[a].geometry.coordinates[0] : units.features[a].geometry.coordinates[0][0]
    const barrier = { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: ringA } }] }
    const cut = buildGraph(units, { nest: 'WARD', barriers: barrier as never })
    let ab = -1
    for (let e = cut.graph.xadj[a]; e < cut.graph.xadj[a + 1]; e++) if (cut.graph.adjncy[e] === b) ab = cut.graph.edgeCut[e]
    expect(ab).toBe(1)
    // Every edge of unit a runs along its own outline, so all of them are cut; adjacency itself is unchanged.
    for (let e = cut.graph.xadj[a]; e < cut.graph.xadj[a + 1]; e++) expect(cut.graph.edgeCut[e]).toBe(1)
    expect(cut.report.edges).toBe(report.edges)
  })
})
