/**
 * Random planar tilings for property tests and benchmarks: points on a jittered lattice, each lattice
 * quad triangulated along a random diagonal — the Delaunay-like dual of a Voronoi tiling, built in
 * O(n) without a triangulation library. Parents are nearest-seed regions with a few enclaves sprinkled
 * in (so some parents fall into islands), optional barrier lines cut edges, weights are skewed with
 * zeros and an occasional unit heavier than the band.
 */
import type { Graph } from '../types.js'
import { mulberry32 } from './rng.js'

export interface TilingOptions {
  cols: number
  rows: number
  seed: number
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
  /** Share of lattice edges dropped (irregular degree, sometimes disconnected pieces). */
  dropShare?: number
}

export interface Tiling {
  graph: Graph
  weights: Float64Array
}

const CELL_DEG = 0.001 // ~100 m at mid latitudes

export function randomTiling(o: TilingOptions): Tiling {
  const rand = mulberry32(o.seed)
  const { cols, rows } = o
  const n = cols * rows
  const x = new Float64Array(n)
  const y = new Float64Array(n)
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c
      x[i] = 120 + (c + (rand() - 0.5) * 0.6) * CELL_DEG
      y[i] = 30 + (r + (rand() - 0.5) * 0.6) * CELL_DEG
    }
  }
  // Parents: nearest of P random seeds, plus enclaves.
  const P = Math.max(1, o.parents ?? 1)
  const sx = Array.from({ length: P }, () => rand() * cols)
  const sy = Array.from({ length: P }, () => rand() * rows)
  const parent = new Int32Array(n)
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let best = 0
      let bd = Infinity
      for (let p = 0; p < P; p++) {
        const d = (c - sx[p]) ** 2 + (r - sy[p]) ** 2
        if (d < bd) {
          bd = d
          best = p
        }
      }
      parent[r * cols + c] = best
    }
  }
  for (let e = 0; e < (o.enclaves ?? 0) && P > 1; e++) {
    const c0 = Math.floor(rand() * cols)
    const r0 = Math.floor(rand() * rows)
    const rad = 1 + Math.floor(rand() * 2)
    const p = (parent[r0 * cols + c0] + 1 + Math.floor(rand() * (P - 1))) % P
    for (let r = Math.max(0, r0 - rad); r <= Math.min(rows - 1, r0 + rad); r++) {
      for (let c = Math.max(0, c0 - rad); c <= Math.min(cols - 1, c0 + rad); c++) parent[r * cols + c] = p
    }
  }
  const barrierX = Array.from({ length: o.barriers ?? 0 }, () => (rand() < 0.5 ? 1 : -1) * (0.5 + Math.floor(rand() * (cols - 1))))
  // Edges: right, up, and one diagonal per quad.
  const edges: number[] = []
  const drop = o.dropShare ?? 0
  const add = (a: number, b: number) => {
    if (rand() >= drop) edges.push(a, b)
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
  const m = edges.length / 2
  const deg = new Int32Array(n)
  for (let e = 0; e < m; e++) {
    deg[edges[2 * e]]++
    deg[edges[2 * e + 1]]++
  }
  const xadj = new Int32Array(n + 1)
  for (let i = 0; i < n; i++) xadj[i + 1] = xadj[i] + deg[i]
  const fill = xadj.slice(0, n)
  const adjncy = new Int32Array(2 * m)
  const edgeLength = new Float64Array(2 * m)
  const edgeCut = new Uint8Array(2 * m)
  for (let e = 0; e < m; e++) {
    const a = edges[2 * e]
    const b = edges[2 * e + 1]
    const len = 30 + rand() * 90
    let cut = parent[a] !== parent[b] ? 1 : 0
    for (const bx of barrierX) {
      // Positive: vertical line at column |bx|; negative: horizontal line at row |bx|.
      const ca = bx > 0 ? a % cols : Math.floor(a / cols)
      const cb = bx > 0 ? b % cols : Math.floor(b / cols)
      const line = Math.abs(bx)
      if ((ca - line) * (cb - line) < 0) cut = 1
    }
    for (const [u, v] of [
      [a, b],
      [b, a],
    ]) {
      const k = fill[u]++
      adjncy[k] = v
      edgeLength[k] = len
      edgeCut[k] = cut
    }
  }
  const area = new Float64Array(n).fill(10000)
  const perimeter = new Float64Array(n).fill(400)
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
    x,
    y,
    area,
    perimeter,
    parent,
    parents: Array.from({ length: P }, (_, p) => (P === 1 ? '' : `P${p}`)),
    ids: Array.from({ length: n }, (_, i) => String(i)),
  }
  return { graph, weights }
}
