import * as turf from '@turf/turf'
import type { MultiPolygon, Polygon } from 'geojson'
import { describe, expect, it } from 'vitest'
import { fc, rect, ring, squareGrid, unit } from '../graph/test-fixtures.js'
import { dissolve } from './index.js'

const polygons = (g: Polygon | MultiPolygon | null) => (!g ? [] : g.type === 'Polygon' ? [g.coordinates] : g.coordinates)
const holes = (g: Polygon | MultiPolygon | null) => polygons(g).reduce((s, p) => s + p.length - 1, 0)
// turf calls polygons of a MultiPolygon that touch at a point invalid (OGC allows it), so check each polygon;
// overlapping pieces would show up in the area checks instead.
const valid = (g: Polygon | MultiPolygon | null) =>
  polygons(g).length > 0 && polygons(g).every((coordinates) => turf.booleanValid({ type: 'Polygon', coordinates }))

describe('dissolve', () => {
  it('merges the units of each part into one polygon without internal vertices', () => {
    // 3 4 5
    // 0 1 2   parts: {0,1,3} and {2,4,5}
    const { parts } = dissolve(squareGrid(2, 3), Int32Array.from([0, 0, 1, 0, 1, 1]))
    expect(parts.features).toHaveLength(2)
    const g = parts.features[0].geometry as Polygon
    expect(g.type).toBe('Polygon')
    // An L shape: 6 corners (+ closing vertex).
    expect(g.coordinates[0]).toHaveLength(7)
    expect(turf.area(parts.features[0])).toBeCloseTo(30_000, -2)
    expect(turf.booleanClockwise(g.coordinates[0])).toBe(false)
  })

  it('closes a 0.2 m gap between units of one part instead of leaving a sliver', () => {
    const units = fc([unit([rect(0, 0, 100, 100)]), unit([rect(100.2, 0, 200, 100)])])
    const { parts, report } = dissolve(units, Int32Array.from([0, 0]))
    const g = parts.features[0].geometry!
    expect(g.type).toBe('Polygon')
    expect(holes(g)).toBe(0)
    expect(report.merged).toBeGreaterThan(0)
  })

  it('follows a neighbour whose vertex lies on the middle of a shared edge (T-junction)', () => {
    const left = unit([ring([0, 0], [100, 0], [100.3, 50], [100, 100], [0, 100])])
    const right = unit([rect(100, 0, 200, 100)])
    const { parts, report } = dissolve(fc([left, right]), Int32Array.from([0, 0]))
    expect(parts.features[0].geometry!.type).toBe('Polygon')
    expect(holes(parts.features[0].geometry)).toBe(0)
    expect(report.inserted).toBeGreaterThan(0)
  })

  it('keeps a hole only where a unit of another part sits', () => {
    const units = squareGrid(3, 3)
    const a = Int32Array.from([0, 0, 0, 0, 1, 0, 0, 0, 0])
    const { parts } = dissolve(units, a)
    expect(holes(parts.features[0].geometry)).toBe(1)
    expect(turf.area(parts.features[0])).toBeCloseTo(80_000, -2)
    expect(valid(parts.features[0].geometry)).toBe(true)
    // Same units, all in one part: no hole.
    expect(holes(dissolve(units, new Int32Array(9)).parts.features[0].geometry)).toBe(0)
  })

  it('closes a unit hole when the unit filling it is in the same part', () => {
    const outer = unit([rect(0, 0, 300, 300), rect(100, 100, 200, 200).slice().reverse()])
    const inner = unit([rect(100, 100, 200, 200)])
    const same = dissolve(fc([outer, inner]), Int32Array.from([0, 0]))
    expect(holes(same.parts.features[0].geometry)).toBe(0)
    expect(turf.area(same.parts.features[0])).toBeCloseTo(90_000, -2)
    const apart = dissolve(fc([outer, inner]), Int32Array.from([0, 1]))
    expect(holes(apart.parts.features[0].geometry)).toBe(1)
  })

  it('fills an enclosed sliver gap in the data but keeps a wide empty hole', () => {
    // The left unit has a notch 0.8 m deep (beyond the snap tolerance) against its right neighbour.
    const notched = unit([ring([0, 0], [100, 0], [100, 40], [99.2, 45], [99.2, 55], [100, 60], [100, 100], [0, 100])])
    const right = unit([rect(100, 0, 200, 100)])
    const sliver = dissolve(fc([notched, right]), Int32Array.from([0, 0]))
    expect(holes(sliver.parts.features[0].geometry)).toBe(0)
    expect(sliver.report.filledHoles).toBe(1)
    // Eight squares around an empty 100 m square: a lake, not a gap.
    const units = squareGrid(3, 3)
    units.features.splice(4, 1)
    const lake = dissolve(units, new Int32Array(8))
    expect(holes(lake.parts.features[0].geometry)).toBe(1)
    expect(lake.report.filledHoles).toBe(0)
  })

  it('returns a valid multipolygon for units that touch only at a corner', () => {
    const { parts } = dissolve(fc([unit([rect(0, 0, 100, 100)]), unit([rect(100, 100, 200, 200)])]), Int32Array.from([0, 0]))
    const g = parts.features[0].geometry!
    expect(g.type).toBe('MultiPolygon')
    expect(valid(g)).toBe(true)
    expect(turf.area(parts.features[0])).toBeCloseTo(20_000, -2)
  })

  it('splits a hole that touches the outline at a point into a proper hole', () => {
    // Part 0 = all but 4 and 8: it wraps around unit 4, and 5 and 7 touch only at 4's top-right corner,
    // so the hole around 4 touches the outline there.
    //  6 7 8
    //  3 4 5
    //  0 1 2
    const a = Int32Array.from([0, 0, 0, 0, 1, 0, 0, 0, 2])
    const { parts } = dissolve(squareGrid(3, 3), a)
    for (const f of parts.features) expect(valid(f.geometry)).toBe(true)
    expect(parts.features[0].geometry!.type).toBe('Polygon')
    expect(holes(parts.features[0].geometry)).toBe(1)
    expect(turf.area(parts.features[0])).toBeCloseTo(70_000, -2)
  })

  it('keeps the area of every part equal to the sum of its units on random plans', () => {
    // A jittered 10 × 10 grid (shared vertices moved together, so the units still tile).
    let seed = 11
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    const N = 10
    const jx: number[][] = [], jy: number[][] = []
    for (let i = 0; i <= N; i++) {
      jx.push([]), jy.push([])
      for (let j = 0; j <= N; j++) jx[i].push(i * 50 + (i % N ? rand() * 20 - 10 : 0)), jy[i].push(j * 50 + (j % N ? rand() * 20 - 10 : 0))
    }
    const cells = []
    for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) {
      cells.push(unit([ring([jx[i][j], jy[i][j]], [jx[i + 1][j], jy[i + 1][j]], [jx[i + 1][j + 1], jy[i + 1][j + 1]], [jx[i][j + 1], jy[i][j + 1]])]))
    }
    const units = fc(cells)
    const unitArea = units.features.map((f) => turf.area(f))
    for (let run = 0; run < 10; run++) {
      const a = Int32Array.from({ length: N * N }, () => Math.floor(rand() * 5))
      const { parts } = dissolve(units, a, { parts: 5 })
      for (const f of parts.features) {
        const expected = unitArea.reduce((s, ar, i) => s + (a[i] === f.properties.part ? ar : 0), 0)
        if (!f.geometry) {
          expect(expected).toBe(0)
          continue
        }
        expect(Math.abs(turf.area(f) - expected)).toBeLessThan(expected * 1e-6)
        expect(valid(f.geometry)).toBe(true)
        for (const poly of polygons(f.geometry)) {
          expect(turf.booleanClockwise(poly[0])).toBe(false)
          for (const h of poly.slice(1)) expect(turf.booleanClockwise(h)).toBe(true)
        }
      }
    }
  })
})
