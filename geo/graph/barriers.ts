/**
 * Hard barrier lines (main roads, rivers, railways) as projected segments with a spatial index, and the
 * length of a boundary piece that runs within a distance of them.
 */
import Flatbush from 'flatbush'
import type { FeatureCollection, LineString, MultiLineString, Position } from 'geojson'
import type { LocalProjection } from './project.js'
import { capsuleInterval } from './overlap.js'

export interface BarrierIndex {
  /** Segment endpoints in metres: x0, y0, x1, y1 at 4k. */
  seg: Float64Array
  index: Flatbush | null
  /** Hard barrier features used, and soft ones skipped. */
  hard: number
  soft: number
}

function linesOf(g: LineString | MultiLineString | null | undefined): Position[][] {
  if (!g) return []
  if (g.type === 'LineString') return [g.coordinates]
  if (g.type === 'MultiLineString') return g.coordinates
  return []
}

/**
 * Indexes the hard barriers of `fc` (lng, lat). A feature is hard unless its `hard` property is false
 * (or the string 'false'); soft barriers are preferred edges for the partition, not cuts, so they are
 * left out here.
 */
export function indexBarriers(
  fc: FeatureCollection<LineString | MultiLineString | null> | undefined,
  proj: LocalProjection,
): BarrierIndex {
  const coords: number[] = []
  let hard = 0, soft = 0
  for (const f of fc?.features ?? []) {
    const h = f.properties?.hard
    if (h === false || h === 'false' || h === 0) {
      soft++
      continue
    }
    hard++
    for (const line of linesOf(f.geometry)) {
      for (let k = 0; k + 1 < line.length; k++) {
        const x0 = (line[k][0] - proj.lng0) * proj.kx, y0 = (line[k][1] - proj.lat0) * proj.ky
        const x1 = (line[k + 1][0] - proj.lng0) * proj.kx, y1 = (line[k + 1][1] - proj.lat0) * proj.ky
        if (!Number.isFinite(x0 + y0 + x1 + y1) || (x0 === x1 && y0 === y1)) continue
        coords.push(x0, y0, x1, y1)
      }
    }
  }
  const seg = Float64Array.from(coords)
  const m = seg.length / 4
  if (m === 0) return { seg, index: null, hard, soft }
  const index = new Flatbush(m)
  for (let k = 0; k < m; k++) {
    const x0 = seg[4 * k], y0 = seg[4 * k + 1], x1 = seg[4 * k + 2], y1 = seg[4 * k + 3]
    index.add(Math.min(x0, x1), Math.min(y0, y1), Math.max(x0, x1), Math.max(y0, y1))
  }
  index.finish()
  return { seg, index, hard, soft }
}

const tmp = new Float64Array(2)

/**
 * Length (metres) of the piece (px + ux·t, py + uy·t), t in [t0, t1], u a unit vector, that lies within
 * r metres of some barrier segment: the union of the per-segment intervals, so overlapping barrier
 * segments are not counted twice.
 */
export function lengthNearBarriers(
  b: BarrierIndex, px: number, py: number, ux: number, uy: number, t0: number, t1: number, r: number,
): number {
  if (!b.index || t1 <= t0) return 0
  const ax = px + ux * t0, ay = py + uy * t0, bx = px + ux * t1, by = py + uy * t1
  const starts: number[] = []
  const ends: number[] = []
  const seg = b.seg
  b.index.search(Math.min(ax, bx) - r, Math.min(ay, by) - r, Math.max(ax, bx) + r, Math.max(ay, by) + r, (k) => {
    tmp[0] = t0
    tmp[1] = t1
    if (capsuleInterval(px, py, ux, uy, seg[4 * k], seg[4 * k + 1], seg[4 * k + 2], seg[4 * k + 3], r, tmp)) {
      starts.push(tmp[0])
      ends.push(tmp[1])
    }
    return false
  })
  if (starts.length === 0) return 0
  const order = starts.map((_, i) => i).sort((i, j) => starts[i] - starts[j])
  let total = 0
  let cs = starts[order[0]], ce = ends[order[0]]
  for (let q = 1; q < order.length; q++) {
    const s = starts[order[q]], e = ends[order[q]]
    if (s > ce) {
      total += ce - cs
      cs = s
      ce = e
    } else if (e > ce) ce = e
  }
  return total + (ce - cs)
}
