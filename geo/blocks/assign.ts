/**
 * Point-in-polygon assignment of many points to many non-overlapping polygons through a Flatbush of
 * the polygon boxes. Each point goes to exactly one polygon: the first (lowest index) that contains it,
 * so a point lying exactly on a shared edge is never counted twice.
 */
import Flatbush from 'flatbush'
import { pointInPolygonRings, ringBounds } from './ring.js'

/** Polygon as [shell, ...holes], lng/lat. */
export type Rings = number[][][]

/** Spatial index over polygons, reusable for several batches of points. */
export class PolygonIndex {
  private index: Flatbush
  constructor(private polygons: Rings[]) {
    this.index = new Flatbush(Math.max(1, polygons.length))
    for (const p of polygons) {
      const b = ringBounds(p[0])
      this.index.add(b[0], b[1], b[2], b[3])
    }
    if (!polygons.length) this.index.add(0, 0, 0, 0)
    this.index.finish()
  }

  /** Index of the polygon containing (x, y) (lng, lat), or -1. */
  find(x: number, y: number): number {
    if (!this.polygons.length) return -1
    let best = -1
    for (const i of this.index.search(x, y, x, y)) {
      if ((best < 0 || i < best) && pointInPolygonRings(x, y, this.polygons[i])) best = i
    }
    return best
  }
}

/** Polygon index (or -1) for each point; xs/ys are lng/lat. */
export function assignPoints(polygons: Rings[], xs: ArrayLike<number>, ys: ArrayLike<number>): Int32Array {
  const index = new PolygonIndex(polygons)
  const out = new Int32Array(xs.length)
  for (let i = 0; i < xs.length; i++) out[i] = index.find(xs[i], ys[i])
  return out
}
