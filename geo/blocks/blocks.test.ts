import { area as turfArea, booleanValid } from '@turf/turf'
import type { Feature, FeatureCollection, LineString, Point, Polygon } from 'geojson'
import { describe, expect, it } from 'vitest'
import { buildBlocks, nodeLines, regionsByLines } from './index.js'

const square: Feature<Polygon> = {
  type: 'Feature',
  properties: {},
  geometry: {
    type: 'Polygon',
    coordinates: [
      [
        [0, 0],
        [0.01, 0],
        [0.01, 0.01],
        [0, 0.01],
        [0, 0],
      ],
    ],
  },
}
const line = (...c: number[][]): Feature<LineString> => ({
  type: 'Feature',
  properties: {},
  geometry: { type: 'LineString', coordinates: c },
})
const fc = <T extends Feature>(...f: T[]): FeatureCollection<T['geometry']> =>
  ({ type: 'FeatureCollection', features: f }) as FeatureCollection<T['geometry']>
const pt = (x: number, y: number, households: number, population: number): Feature<Point> => ({
  type: 'Feature',
  properties: { households, population },
  geometry: { type: 'Point', coordinates: [x, y] },
})

const sumArea = (units: FeatureCollection<Polygon>) => units.features.reduce((s, f) => s + turfArea(f), 0)

describe('buildBlocks', () => {
  it('cuts a square with a cross into 4 blocks that tile it', () => {
    const lines = fc(line([-0.002, 0.005], [0.012, 0.005]), line([0.005, -0.002], [0.005, 0.012]))
    const { units, report } = buildBlocks(square, lines)
    expect(units.features).toHaveLength(4)
    expect(Math.abs(sumArea(units) - turfArea(square)) / turfArea(square)).toBeLessThan(1e-9)
    for (const u of units.features) expect(booleanValid(u)).toBe(true)
    // The overhanging line ends dangle outside the square and are pruned, not polygonized.
    expect(report.danglesRemoved).toBeGreaterThan(0)
  })

  it('ignores a dangling road that closes nothing', () => {
    const lines = fc(line([-0.001, 0.005], [0.012, 0.005]), line([0.005, 0.005], [0.005, 0.008]))
    const { units, report } = buildBlocks(square, lines)
    expect(units.features).toHaveLength(2)
    expect(report.areaError).toBeLessThan(1e-9)
  })

  it('handles T-junctions, collinear overlaps and lines on the outline', () => {
    const lines = fc(
      line([0, 0.005], [0.01, 0.005]),
      line([0.002, 0.005], [0.008, 0.005]), // overlaps the first
      line([0.005, 0.005], [0.005, 0.01]), // T-junction
      line([0, 0], [0.01, 0]), // lies on the outline
    )
    const { units } = buildBlocks(square, lines)
    expect(units.features).toHaveLength(3)
    expect(Math.abs(sumArea(units) - turfArea(square)) / turfArea(square)).toBeLessThan(1e-9)
  })

  it('keeps an isolated loop as a block and a hole of the block around it', () => {
    const loop = line([0.004, 0.004], [0.006, 0.004], [0.006, 0.006], [0.004, 0.006], [0.004, 0.004])
    const stub = line([0.006, 0.005], [0.008, 0.005]) // dangles off the loop: a bridge-free stub
    const { units, report } = buildBlocks(square, fc(loop, stub))
    expect(units.features).toHaveLength(2)
    expect(report.unitsWithHoles).toBe(1)
    expect(Math.abs(sumArea(units) - turfArea(square)) / turfArea(square)).toBeLessThan(1e-9)
  })

  it('assigns every building to exactly one block and sums weights', () => {
    const lines = fc(line([0, 0.005], [0.01, 0.005]))
    const buildings = fc(pt(0.002, 0.002, 10, 30), pt(0.003, 0.007, 5, 12), pt(0.005, 0.005, 1, 2), pt(0.02, 0.02, 7, 7))
    const { units, report } = buildBlocks(square, lines, buildings)
    expect(units.features).toHaveLength(2)
    const hh = units.features.reduce((s, u) => s + u.properties.households, 0)
    const n = units.features.reduce((s, u) => s + u.properties.buildings, 0)
    // The point on the road is counted once; the point outside the area is reported.
    expect(n).toBe(3)
    expect(hh).toBe(16)
    expect(report.unassigned).toEqual([3])
    expect(report.totals.population).toBe(44)
  })

  it('merges slivers below minArea into their neighbour, keeping the tiling', () => {
    // A short diagonal just above a junction cuts off a triangle of about 8 m².
    const lines = fc(
      line([0, 0.005], [0.01, 0.005]),
      line([0.005, 0.005], [0.005, 0.01]),
      line([0.005, 0.0051], [0.00502, 0.005]),
    )
    const plain = buildBlocks(square, lines)
    const merged = buildBlocks(square, lines, undefined, { minArea: 20 })
    expect(plain.units.features).toHaveLength(4)
    expect(plain.units.features.some((u) => u.properties.area < 20)).toBe(true)
    expect(merged.units.features).toHaveLength(3)
    expect(merged.units.features.every((u) => u.properties.area >= 20)).toBe(true)
    expect(merged.report.sliversMerged).toBeGreaterThan(0)
    expect(merged.report.areaError).toBeLessThan(1e-9)
  })

  it('rounds to a precision grid without leaving slivers where lines cross a boundary twice', () => {
    const lines = fc(
      line([0.0012345678, -0.001], [0.0087654321, 0.011]),
      line([-0.001, 0.0043210987], [0.011, 0.0056789012]),
      line([0.0087654321, 0.011], [0.0012345678, -0.001]), // the same road drawn backwards
    )
    const { units, report } = buildBlocks(square, lines, undefined, { precision: 6 })
    expect(units.features).toHaveLength(4)
    for (const u of units.features) {
      for (const p of u.geometry.coordinates[0]) expect(Math.round(p[0] * 1e6) / 1e6).toBe(p[0])
    }
    expect(report.areaError).toBeLessThan(1e-6)
  })

  it('nodes a fine random grid fast enough for ~10k blocks', () => {
    const lines: Feature<LineString>[] = []
    for (let i = 1; i < 100; i++) {
      const t = i / 100
      lines.push(line([-0.001, t * 0.01 + 1e-6 * Math.sin(i)], [0.011, t * 0.01]))
      lines.push(line([t * 0.01, -0.001], [t * 0.01 + 1e-6 * Math.cos(i), 0.011]))
    }
    const { units, report } = buildBlocks(square, fc(...lines))
    expect(units.features).toHaveLength(10000)
    expect(report.areaError).toBeLessThan(1e-6)
  })
})

describe('nodeLines', () => {
  it('gives crossing lines a shared node', () => {
    const g = nodeLines([
      [
        [0, 0],
        [2, 2],
      ],
      [
        [0, 2],
        [2, 0],
      ],
    ])
    expect(g.n).toBe(5)
    expect(g.m).toBe(4)
  })
})

describe('regionsByLines', () => {
  it('dissolves faces with equal labels and keeps regions tiling the area', () => {
    // Cut into 4, label left/right: the horizontal line vanishes in the dissolve.
    const lines = [
      [
        [0, 0.005],
        [0.01, 0.005],
      ],
      [
        [0.005, 0],
        [0.005, 0.01],
      ],
    ]
    const { regions } = regionsByLines(square, lines, (x) => (x < 0.005 ? 'W' : 'E'))
    expect([...regions.keys()].sort()).toEqual(['E', 'W'])
    for (const polys of regions.values()) {
      expect(polys).toHaveLength(1)
      // 4 corners, the T-node where the vertical cut meets the outline, the old crossing node and the
      // outline node of the dissolved horizontal cut stay as vertices (shared with the neighbour), + closing.
      expect(polys[0][0].length).toBe(7)
    }
  })

  it('joins the smaller piece of a split label to its neighbour when asked', () => {
    const lines = [
      [
        [0.005, 0],
        [0.005, 0.01],
      ],
      [
        [0.007, 0],
        [0.007, 0.01],
      ],
    ]
    const label = (x: number) => (x > 0.005 && x < 0.007 ? 'Y' : 'X')
    expect(regionsByLines(square, lines, label).regions.get('X')).toHaveLength(2)
    const joined = regionsByLines(square, lines, label, { canJoin: () => true }).regions
    expect(joined.get('X')).toHaveLength(1)
    expect(joined.get('Y')).toHaveLength(1)
    const area = (l: string) => joined.get(l)!.reduce((s, p) => s + turfArea({ type: 'Polygon', coordinates: p }), 0)
    expect(area('X') / turfArea(square)).toBeCloseTo(0.5, 3)
    // A join that is not allowed leaves the island in place.
    expect(regionsByLines(square, lines, label, { canJoin: () => false }).regions.get('X')).toHaveLength(2)
  })

  it('keeps regions off hard barriers when a soft border exists (lineFlags)', () => {
    const lines = [
      [
        [0.005, 0],
        [0.005, 0.01],
      ],
      [
        [0.007, 0],
        [0.007, 0.01],
      ],
    ]
    const label = (x: number) => (x < 0.007 ? 'X' : 'Y')
    const area = (r: Map<string, number[][][][]>, l: string) =>
      r.get(l)!.reduce((s, p) => s + turfArea({ type: 'Polygon', coordinates: p }), 0) / turfArea(square)
    const soft = regionsByLines(square, lines, label, { canJoin: () => true }).regions
    expect(area(soft, 'X')).toBeCloseTo(0.7, 3)
    // The line at 0.005 is a barrier: X's strip beyond it joins Y across the soft line at 0.007.
    const hard = regionsByLines(square, lines, label, { canJoin: () => true, lineFlags: [1, 0] }).regions
    expect(area(hard, 'X')).toBeCloseTo(0.5, 3)
    expect(hard.get('Y')).toHaveLength(1)
  })

  it('resolves pieces that touch only other labels\' stray pieces, keeping the heavier (faceWeight)', () => {
    // Barriers at 0.004 and 0.006 enclose a cell holding a stray piece of A (0.005-0.006) and one of B
    // (0.004-0.005), which touch only each other across the soft line at 0.005.
    const v = (x: number) => [
      [x, 0],
      [x, 0.01],
    ]
    const lines = [v(0.004), v(0.005), v(0.006)]
    const label = (x: number) => (x < 0.004 || (x > 0.005 && x < 0.006) ? 'A' : 'B')
    const area = (r: Map<string, number[][][][]>, l: string) =>
      r.get(l)!.reduce((s, p) => s + turfArea({ type: 'Polygon', coordinates: p }), 0) / turfArea(square)
    // B's stray piece weighs more (e.g. it holds the houses), so A's joins it; then each label is one piece.
    const faceWeight = (x: number, _y: number, a: number) => a * (x > 0.004 && x < 0.005 ? 3 : 1)
    const r = regionsByLines(square, lines, label, { canJoin: () => true, lineFlags: [1, 0, 1], faceWeight }).regions
    expect(r.get('A')).toHaveLength(1)
    expect(r.get('B')).toHaveLength(1)
    expect(area(r, 'A')).toBeCloseTo(0.4, 3)
    expect(area(r, 'B')).toBeCloseTo(0.6, 3)
  })
})
