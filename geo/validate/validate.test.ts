import { describe, expect, it } from 'vitest'
import type { Position } from 'geojson'
import { checkLonLat, checkRings, cleanGeometry, FeatureChecker, ProblemCode, ringIntersections, toWgs84 } from './index.js'

const sq = (x0: number, y0: number, x1: number, y1: number): Position[] => [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
const codes = (rings: Position[][]) => checkRings(rings).map((f) => f.code)

/** A star-shaped ring of n vertices (never self-intersecting), lng, lat around (120, 30). */
function star(n: number): Position[] {
  const r: Position[] = []
  for (let i = 0; i < n; i++) {
    const a = (2 * Math.PI * i) / n
    const rad = i % 2 ? 0.01 : 0.02
    r.push([120 + rad * Math.cos(a), 30 + rad * Math.sin(a)])
  }
  return [...r, r[0]]
}

describe('geo/validate rings', () => {
  it('a clean counter-clockwise square has no finding', () => {
    expect(codes([sq(0, 0, 1, 1)])).toEqual([])
  })
  it('reports clockwise exteriors as a notice only', () => {
    expect(checkRings([sq(0, 0, 1, 1).reverse()])).toEqual([expect.objectContaining({ code: ProblemCode.wrongWinding })])
  })
  it('finds self-intersections through the Flatbush path on large rings, and none on a valid star', () => {
    const s = star(400)
    expect(ringIntersections([s.slice(0, -1)])).toEqual([])
    const broken = s.slice(0, -1)
    ;[broken[10], broken[200]] = [broken[200], broken[10]] // two far vertices swapped: edges cross
    const hits = ringIntersections([broken])
    expect(hits.length).toBeGreaterThan(0)
    expect(hits.every((h) => h.same)).toBe(true)
  })
  it('allows a hole touching its shell at one point but not crossing it', () => {
    expect(codes([sq(0, 0, 4, 4), [[0, 2], [1, 1], [1, 3], [0, 2]].reverse()])).not.toContain(ProblemCode.ringCrossing)
    expect(codes([sq(0, 0, 4, 4), sq(3, 1, 5, 2).reverse()])).toContain(ProblemCode.ringCrossing)
  })
  it('cleanGeometry closes, de-duplicates, removes spikes and rewinds, saying so', () => {
    const { geometry, changes } = cleanGeometry({
      type: 'Polygon',
      coordinates: [[[0, 0], [0, 1], [0, 1], [1, 1], [2, 1], [1, 1], [1, 0]]],
    })
    expect(changes.join('; ')).toMatch(/closed the ring.*duplicate.*spike.*rewound/)
    expect(checkRings((geometry as { coordinates: Position[][] }).coordinates)).toEqual([])
  })
})

describe('geo/validate coordinates', () => {
  it('names projected and swapped coordinates', () => {
    expect(checkLonLat([13_000_000, 4_000_000, 13_001_000, 4_001_000])?.message).toMatch(/EPSG:3857/)
    expect(checkLonLat([39_500_000, 4_000_000, 39_500_100, 4_000_100])?.message).toMatch(/zone prefix/)
    expect(checkLonLat([30, 120, 31, 121])?.code).toBe(ProblemCode.swappedLatLon)
    // both orders in range: only the district's extent tells
    expect(checkLonLat([37.4, -77.6, 37.5, -77.5], { expected: [-77.7, 37.3, -77.1, 37.8] })?.code).toBe(ProblemCode.swappedLatLon)
    expect(checkLonLat([-77.6, 37.4, -77.5, 37.5], { expected: [-77.7, 37.3, -77.1, 37.8] })).toBeNull()
  })
  it('GCJ-02 → WGS84 moves points in China by a few hundred metres and keeps z', () => {
    const g = toWgs84({ type: 'Point', coordinates: [116.404, 39.915, 50] }, 'gcj02') as { coordinates: number[] }
    const dx = (g.coordinates[0] - 116.404) * 85_000
    const dy = (g.coordinates[1] - 39.915) * 111_000
    expect(Math.hypot(dx, dy)).toBeGreaterThan(100)
    expect(Math.hypot(dx, dy)).toBeLessThan(1000)
    expect(g.coordinates[2]).toBe(50)
  })
})

describe('geo/validate features', () => {
  it('checks ids, weights and mixed types across a stream of features', () => {
    const c = new FeatureChecker({ family: 'polygon', idField: 'code', idRequired: true, weights: [{ field: 'pop', required: true }] })
    const f = (props: Record<string, unknown>, type = 'Polygon') => ({
      type: 'Feature',
      properties: props,
      geometry: type === 'Polygon' ? { type, coordinates: [sq(120, 30, 120.01, 30.01)] } : { type, coordinates: [120, 30] },
    })
    expect(c.check(f({ code: 'A', pop: 3 }), 0).problems).toEqual([])
    expect(c.check(f({ code: 'A', pop: 3 }), 1).problems.map((p) => p.code)).toEqual([ProblemCode.duplicateId])
    expect(c.check(f({ code: 'B', pop: -1 }), 2).problems.map((p) => p.code)).toEqual([ProblemCode.negativeWeight])
    expect(c.check(f({ code: 'C', pop: '12' }), 3).problems).toEqual([])
    expect(c.check(f({ code: 'D', pop: 1 }, 'Point'), 4).problems.map((p) => p.code)).toEqual([ProblemCode.wrongGeometryType])
    expect(c.finish().map((p) => [p.index, p.code])).toEqual([[-1, ProblemCode.mixedGeometryTypes]])
  })
  it('checks the 6k-polygon scale quickly enough to stream (work is linear in vertices)', () => {
    const c = new FeatureChecker({ family: 'polygon' })
    const ring = star(60)
    let problems = 0
    for (let i = 0; i < 6000; i++) problems += c.check({ type: 'Feature', id: i, properties: {}, geometry: { type: 'Polygon', coordinates: [ring] } }, i).problems.length
    expect(problems).toBe(0)
  })
})
