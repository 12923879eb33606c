/**
 * Noding: turn arbitrary polylines (roads, rivers, rails, area outlines) into a planar graph whose edges
 * meet only at shared end nodes. Polygonizing needs this: two roads that cross without a common vertex
 * would otherwise never close a block.
 *
 * Approach (O((n + k) log n) for n segments and k intersections):
 * 1. Explode every polyline into straight segments held in typed arrays.
 * 2. Index the segment boxes (grown by the tolerance) in a Flatbush; for every segment query its box
 *    and test each later segment once.
 * 3. A pair yields split points in two ways. An endpoint lying within `tolerance` of the other segment's
 *    interior splits that segment at the endpoint's own coordinates — this catches T-junctions, shared
 *    vertices, collinear overlaps and near-misses (OSM and clipped outlines are full of them) without
 *    computing a fragile intersection. A proper crossing away from all endpoints splits both segments
 *    at the one computed point, so both sides get bit-identical coordinates.
 * 4. Each segment is cut at its split points sorted along it; every resulting point is snapped to a
 *    node (exact grid when `precision` is set, else within `tolerance` through a hash of cells), and
 *    duplicate or zero-length edges are dropped. Coincident input lines therefore collapse into one edge.
 *
 * Coordinates are lng, lat (EPSG:4326) but the maths is planar: at block scale (≤ a few km) the error
 * of treating degrees as a plane is far below the tolerance that matters here (topology, not distance).
 */
import Flatbush from 'flatbush'
import { F64List, NodeSnapper } from './snap.js'

export interface NodeOptions {
  /** Round every node to this many decimals (6 ≈ 0.1 m). Makes output coordinates exact and stable. */
  precision?: number
  /** Distance (in degrees) under which an endpoint is taken to lie on a segment. Default 1e-9, or one
   * grid step when `precision` is set. */
  tolerance?: number
  /** Optional bit flags per input line (e.g. 1 = hard barrier); an edge gets the OR of its lines' flags. */
  lineFlags?: ArrayLike<number>
}

export interface NodedGraph {
  /** Node coordinates, lng / lat. */
  x: Float64Array
  y: Float64Array
  n: number
  /** Undirected edges as node pairs: edge k joins edges[2k] and edges[2k + 1]. */
  edges: Int32Array
  m: number
  /** Input segments, after dropping zero-length ones. */
  segments: number
  /** OR of the `lineFlags` of the lines each edge came from (all 0 without lineFlags). */
  edgeFlags: Uint8Array
}

/** A polyline as [lng, lat] pairs. */
export type Polyline = ArrayLike<ArrayLike<number>>

export function nodeLines(lines: Polyline[], opts: NodeOptions = {}): NodedGraph {
  const scale = opts.precision === undefined ? 0 : 10 ** opts.precision
  // On a grid, a rounded crossing point sits up to √½ step off its segments; a one-step tolerance lets
  // the same point, met again later on the unrounded segment (e.g. a boundary cut in an earlier pass),
  // split it instead of leaving a hair-thin sliver between the two versions.
  const tol = opts.tolerance ?? (scale ? 1 / scale : 1e-9)
  const tol2 = tol * tol
  const round = (v: number): number => (scale ? Math.round(v * scale) / scale : v)

  // 1. Segments.
  let count = 0
  for (const l of lines) count += Math.max(0, l.length - 1)
  const ax = new Float64Array(count)
  const ay = new Float64Array(count)
  const bx = new Float64Array(count)
  const by = new Float64Array(count)
  // Segments point "rightwards" (smaller x, then y, first) and exact duplicates are dropped: a shared
  // boundary given once per side (two adjacent rings) is one segment, so a road crossing it gets one
  // crossing point instead of two that rounding could pull apart into a sliver.
  const seen = new Map<string, number>()
  const segFlag = new Uint8Array(count)
  let s = 0
  for (let li = 0; li < lines.length; li++) {
    const l = lines[li]
    const flag = opts.lineFlags ? opts.lineFlags[li] : 0
    for (let i = 0; i + 1 < l.length; i++) {
      let x0 = round(l[i][0])
      let y0 = round(l[i][1])
      let x1 = round(l[i + 1][0])
      let y1 = round(l[i + 1][1])
      if (x0 === x1 && y0 === y1) continue
      if (x1 < x0 || (x1 === x0 && y1 < y0)) [x0, y0, x1, y1] = [x1, y1, x0, y0]
      const key = `${x0},${y0},${x1},${y1}`
      const dup = seen.get(key)
      if (dup !== undefined) {
        segFlag[dup] |= flag
        continue
      }
      seen.set(key, s)
      segFlag[s] = flag
      ax[s] = x0
      ay[s] = y0
      bx[s] = x1
      by[s] = y1
      s++
    }
  }
  const ns = s

  // 2. Index.
  const index = new Flatbush(Math.max(1, ns))
  for (let i = 0; i < ns; i++) {
    index.add(
      Math.min(ax[i], bx[i]) - tol,
      Math.min(ay[i], by[i]) - tol,
      Math.max(ax[i], bx[i]) + tol,
      Math.max(ay[i], by[i]) + tol,
    )
  }
  if (ns === 0) index.add(0, 0, 0, 0)
  index.finish()

  // 3. Split records: (segment, t, x, y).
  const splits = new F64List()
  const addSplit = (seg: number, t: number, x: number, y: number): void => {
    splits.push(seg)
    splits.push(t)
    splits.push(x)
    splits.push(y)
  }
  /** Parameter of (px,py) projected on segment i when it lies on i's interior within tol, else -1. */
  const onInterior = (i: number, px: number, py: number): number => {
    const dx = bx[i] - ax[i]
    const dy = by[i] - ay[i]
    const len2 = dx * dx + dy * dy
    const t = ((px - ax[i]) * dx + (py - ay[i]) * dy) / len2
    if (t <= 0 || t >= 1) return -1
    const qx = ax[i] + t * dx - px
    const qy = ay[i] + t * dy - py
    if (qx * qx + qy * qy > tol2) return -1
    // Too close to an endpoint: the node snap merges it, a split would make a zero-length edge.
    const ex0 = px - ax[i]
    const ey0 = py - ay[i]
    const ex1 = px - bx[i]
    const ey1 = py - by[i]
    if (ex0 * ex0 + ey0 * ey0 <= tol2 || ex1 * ex1 + ey1 * ey1 <= tol2) return -1
    return t
  }
  const near = (x0: number, y0: number, x1: number, y1: number): boolean => {
    const dx = x1 - x0
    const dy = y1 - y0
    return dx * dx + dy * dy <= tol2
  }

  const found: number[] = []
  for (let i = 0; i < ns; i++) {
    found.length = 0
    index.search(
      Math.min(ax[i], bx[i]) - tol,
      Math.min(ay[i], by[i]) - tol,
      Math.max(ax[i], bx[i]) + tol,
      Math.max(ay[i], by[i]) + tol,
      (j) => {
        if (j > i) found.push(j)
        return false
      },
    )
    for (const j of found) {
      let touched = false
      let t = onInterior(i, ax[j], ay[j])
      if (t >= 0) (addSplit(i, t, ax[j], ay[j]), (touched = true))
      t = onInterior(i, bx[j], by[j])
      if (t >= 0) (addSplit(i, t, bx[j], by[j]), (touched = true))
      t = onInterior(j, ax[i], ay[i])
      if (t >= 0) (addSplit(j, t, ax[i], ay[i]), (touched = true))
      t = onInterior(j, bx[i], by[i])
      if (t >= 0) (addSplit(j, t, bx[i], by[i]), (touched = true))
      if (touched) continue
      // Shared endpoints need no split: the node snap joins them.
      // Proper crossing.
      const rx = bx[i] - ax[i]
      const ry = by[i] - ay[i]
      const sx = bx[j] - ax[j]
      const sy = by[j] - ay[j]
      const den = rx * sy - ry * sx
      if (den === 0) continue // parallel; overlaps were handled by the endpoint tests
      const qx = ax[j] - ax[i]
      const qy = ay[j] - ay[i]
      const ti = (qx * sy - qy * sx) / den
      const tj = (qx * ry - qy * rx) / den
      if (ti <= 0 || ti >= 1 || tj <= 0 || tj >= 1) continue
      const px = round(ax[i] + ti * rx)
      const py = round(ay[i] + ti * ry)
      if (
        near(px, py, ax[i], ay[i]) ||
        near(px, py, bx[i], by[i]) ||
        near(px, py, ax[j], ay[j]) ||
        near(px, py, bx[j], by[j])
      ) {
        continue
      }
      addSplit(i, ti, px, py)
      addSplit(j, tj, px, py)
    }
  }

  // 4. Sort split records by (segment, t) through an index permutation.
  const nsplit = splits.length / 4
  const sp = splits.a
  const order = new Uint32Array(nsplit)
  for (let k = 0; k < nsplit; k++) order[k] = k
  order.sort((p, q) => sp[4 * p] - sp[4 * q] || sp[4 * p + 1] - sp[4 * q + 1])

  const nodes = new NodeSnapper(tol, scale)
  const edgeSeen = new Map<number, number>()
  const edgeList: number[] = []
  const flagList: number[] = []
  const addEdge = (u: number, v: number, flag: number): void => {
    if (u === v) return
    const lo = Math.min(u, v)
    const hi = Math.max(u, v)
    // lo * 2^26 + hi stays exact below 2^53 for up to 67M nodes.
    const key = lo * 67108864 + hi
    const at = edgeSeen.get(key)
    if (at !== undefined) {
      flagList[at] |= flag
      return
    }
    edgeSeen.set(key, flagList.length)
    edgeList.push(u, v)
    flagList.push(flag)
  }
  let k = 0
  for (let i = 0; i < ns; i++) {
    let prev = nodes.id(ax[i], ay[i])
    while (k < nsplit && sp[4 * order[k]] === i) {
      const r = 4 * order[k]
      const id = nodes.id(sp[r + 2], sp[r + 3])
      addEdge(prev, id, segFlag[i])
      prev = id
      k++
    }
    addEdge(prev, nodes.id(bx[i], by[i]), segFlag[i])
  }

  return {
    x: nodes.xs.a.slice(0, nodes.count),
    y: nodes.ys.a.slice(0, nodes.count),
    n: nodes.count,
    edges: Int32Array.from(edgeList),
    m: edgeList.length / 2,
    segments: ns,
    edgeFlags: Uint8Array.from(flagList),
  }
}
