/**
 * Random planar tilings for property tests and benchmarks. Two kinds:
 * - 'lattice': points on a jittered lattice, each quad triangulated along a random diagonal — built in
 *   O(n), used for the 100k-unit benchmarks;
 * - 'voronoi': random points (uniform, or clustered like a town with a dense centre), adjacency from
 *   their Delaunay triangulation (@turf/tin), shared length = the Voronoi edge between circumcentres.
 * Parents are nearest-seed regions with a few enclaves sprinkled in (so some parents fall into
 * islands), optional barrier lines cut every edge that crosses them, weights are skewed with zeros
 * and an occasional unit heavier than the band.
 */
import { featureCollection, point, tin } from '@turf/turf'
import type { Graph } from '../types.js'
import { mulberry32 } from './rng.js'

export interface TilingOptions {
  cols: number
  rows: number
  seed: number
  /** 'lattice' (default) or 'voronoi'; both have about cols × rows units. */
  kind?: 'lattice' | 'voronoi'
  /** Voronoi only: share of points drawn around a few dense centres instead of uniformly. */
  clustered?: number
  /** Number of parents (nearest-seed regions); 1 means no nesting. */
  parents?: number
  /** Enclaves: small patches given to a neighbouring parent, making islands. */
  enclaves?: number
  /** Vertical/horizontal barrier lines cutting every edge that crosses them. */
  barriers?: number
  /** Share of zero-weight units. */
  zeroShare?: number
  /** Mean weight of the non-zero units. */
  meanWeight?: number
  /** Share of units made heavy (several times the mean). */
  heavyShare?: number
  /** Share of edges dropped (irregular degree, sometimes disconnected pieces). */
  dropShare?: number
}

export interface Tiling {
  graph: Graph
  weights: Float64Array
}

const CELL_DEG = 0.001 // one lattice step ≈ 100 m at mid latitudes
const CELL_M = 100

export function randomTiling(o: TilingOptions): Tiling {
  const rand = mulberry32(o.seed)
  const { cols, rows } = o
  const { x, y, edges, lengths } = o.kind === 'voronoi' ? voronoiLayout(o, rand) : latticeLayout(o, rand)
  const n = x.length

  // Parents: nearest of P random seeds, plus enclaves (a neighbourhood handed to another parent).
  const P = Math.max(1, o.parents ?? 1)
  const sx = Array.from({ length: P }, () => rand() * cols)
  const sy = Array.from({ length: P }, () => rand() * rows)
  const parent = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    let bd = Infinity
    for (let p = 0; p < P; p++) {
      const d = (x[i] - sx[p]) ** 2 + (y[i] - sy[p]) ** 2
      if (d < bd) {
        bd = d
        parent[i] = p
      }
    }
  }
  for (let e = 0; e < (o.enclaves ?? 0) && P > 1 && n > 0; e++) {
    const c = Math.floor(rand() * n)
    const rad = 1 + rand() * 1.5
    const p = (parent[c] + 1 + Math.floor(rand() * (P - 1))) % P
    for (let i = 0; i < n; i++) if ((x[i] - x[c]) ** 2 + (y[i] - y[c]) ** 2 <= rad * rad) parent[i] = p
  }
  // Barriers: positive = vertical line x = b, negative = horizontal line y = -b.
  const barriers = Array.from({ length: o.barriers ?? 0 }, () =>
    rand() < 0.5 ? 0.5 + Math.floor(rand() * Math.max(1, cols - 1)) : -(0.5 + Math.floor(rand() * Math.max(1, rows - 1))),
  )

  const drop = o.dropShare ?? 0
  const kept: number[] = []
  for (let e = 0; e < edges.length / 2; e++) if (rand() >= drop) kept.push(e)
  const deg = new Int32Array(n)
  for (const e of kept) {
    deg[edges[2 * e]]++
    deg[edges[2 * e + 1]]++
  }
  const xadj = new Int32Array(n + 1)
  for (let i = 0; i < n; i++) xadj[i + 1] = xadj[i] + deg[i]
  const fill = xadj.slice(0, n)
  const adjncy = new Int32Array(xadj[n])
  const edgeLength = new Float64Array(xadj[n])
  const edgeCut = new Uint8Array(xadj[n])
  for (const e of kept) {
    const a = edges[2 * e]
    const b = edges[2 * e + 1]
    let cut = parent[a] !== parent[b] ? 1 : 0
    for (const bl of barriers) {
      const [ca, cb, line] = bl > 0 ? [x[a], x[b], bl] : [y[a], y[b], -bl]
      if ((ca - line) * (cb - line) < 0) cut = 1
    }
    for (const [u, v] of [
      [a, b],
      [b, a],
    ]) {
      const k = fill[u]++
      adjncy[k] = v
      edgeLength[k] = lengths[e]
      edgeCut[k] = cut
    }
  }

  const weights = new Float64Array(n)
  const mean = o.meanWeight ?? 50
  for (let i = 0; i < n; i++) {
    const u = rand()
    if (u < (o.zeroShare ?? 0.2)) weights[i] = 0
    else if (u > 1 - (o.heavyShare ?? 0)) weights[i] = Math.round(mean * (5 + rand() * 30))
    else weights[i] = Math.round(-Math.log(1 - rand()) * mean) + 1
  }
  const graph: Graph = {
    n,
    xadj,
    adjncy,
    edgeLength,
    edgeCut,
    x: x.map((v) => 120 + v * CELL_DEG),
    y: y.map((v) => 30 + v * CELL_DEG),
    area: new Float64Array(n).fill(CELL_M * CELL_M),
    perimeter: new Float64Array(n).fill(4 * CELL_M),
    parent,
    parents: Array.from({ length: P }, (_, p) => (P === 1 ? '' : `P${p}`)),
    ids: Array.from({ length: n }, (_, i) => String(i)),
  }
  return { graph, weights }
}

interface Layout {
  x: Float64Array
  y: Float64Array
  /** Undirected edges as pairs, and the shared length (metres) of each. */
  edges: number[]
  lengths: number[]
}

function latticeLayout(o: TilingOptions, rand: () => number): Layout {
  const { cols, rows } = o
  const n = cols * rows
  const x = new Float64Array(n)
  const y = new Float64Array(n)
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      x[r * cols + c] = c + (rand() - 0.5) * 0.6
      y[r * cols + c] = r + (rand() - 0.5) * 0.6
    }
  }
  const edges: number[] = []
  const lengths: number[] = []
  const add = (a: number, b: number) => {
    edges.push(a, b)
    lengths.push(30 + rand() * 90)
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c
      if (c + 1 < cols) add(i, i + 1)
      if (r + 1 < rows) add(i, i + cols)
      if (c + 1 < cols && r + 1 < rows) {
        if (rand() < 0.5) add(i, i + cols + 1)
        else add(i + 1, i + cols)
      }
    }
  }
  return { x, y, edges, lengths }
}

function voronoiLayout(o: TilingOptions, rand: () => number): Layout {
  const { cols, rows } = o
  const n = cols * rows
  const x = new Float64Array(n)
  const y = new Float64Array(n)
  const centres = Array.from({ length: 3 }, () => [rand() * cols, rand() * rows])
  const spread = Math.max(1, Math.min(cols, rows) / 5)
  for (let i = 0; i < n; i++) {
    if (rand() < (o.clustered ?? 0)) {
      // Box–Muller around a centre, clamped to the area.
      const [cx, cy] = centres[Math.floor(rand() * centres.length)]
      const r = spread * Math.sqrt(-2 * Math.log(1 - rand()))
      const t = 2 * Math.PI * rand()
      x[i] = Math.min(cols, Math.max(0, cx + r * Math.cos(t)))
      y[i] = Math.min(rows, Math.max(0, cy + r * Math.sin(t)))
    } else {
      x[i] = rand() * cols
      y[i] = rand() * rows
    }
  }
  const edges: number[] = []
  const lengths: number[] = []
  if (n < 3) return { x, y, edges, lengths }
  const pts = featureCollection(Array.from({ length: n }, (_, i) => point([x[i], y[i]], { z: i })))
  // Voronoi edge of a Delaunay edge = segment between the circumcentres of its two triangles.
  const centreOf = new Map<number, [number, number][]>()
  for (const t of tin(pts, 'z').features) {
    const { a, b, c } = t.properties as { a: number; b: number; c: number }
    const cc = circumcentre(x[a], y[a], x[b], y[b], x[c], y[c])
    for (const [u, v] of [
      [a, b],
      [b, c],
      [c, a],
    ]) {
      const key = Math.min(u, v) * n + Math.max(u, v)
      const list = centreOf.get(key)
      if (list) list.push(cc)
      else centreOf.set(key, [cc])
    }
  }
  const keys = [...centreOf.keys()].sort((p, q) => p - q)
  for (const key of keys) {
    const list = centreOf.get(key)!
    const a = Math.floor(key / n)
    const b = key % n
    // Hull edges have one triangle: take the Delaunay edge's length as a stand-in.
    const len = list.length === 2 ? Math.hypot(list[0][0] - list[1][0], list[0][1] - list[1][1]) : Math.hypot(x[a] - x[b], y[a] - y[b])
    edges.push(a, b)
    lengths.push(Math.max(1, Math.min(len, 5) * CELL_M))
  }
  return { x, y, edges, lengths }
}

function circumcentre(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): [number, number] {
  const d = 2 * (ax * (by - cy) + bx * (cy - ay) + cx * (ay - by))
  if (Math.abs(d) < 1e-12) return [(ax + bx + cx) / 3, (ay + by + cy) / 3]
  const a2 = ax * ax + ay * ay
  const b2 = bx * bx + by * by
  const c2 = cx * cx + cy * cy
  return [(a2 * (by - cy) + b2 * (cy - ay) + c2 * (ay - by)) / d, (a2 * (cx - bx) + b2 * (ax - cx) + c2 * (bx - ax)) / d]
}
