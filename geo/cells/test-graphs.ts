/**
 * Small graph builders and a brute-force oracle for the tests of geo/cells (not used by the engine).
 */
import type { Graph } from '../types.js'
import { prng } from './sweep.js'

/**
 * A Graph from an undirected edge list. `parent[i]` is node i's jurisdiction; edges between different
 * jurisdictions and edges listed in `cut` are marked cut, as geo/graph does.
 */
export function graphFromEdges(
  n: number,
  edges: readonly (readonly [number, number])[],
  opts: { parent?: readonly number[]; cut?: readonly (readonly [number, number])[]; x?: readonly number[]; y?: readonly number[] } = {},
): Graph {
  const parent = Int32Array.from(opts.parent ?? new Array<number>(n).fill(0))
  const cutKey = new Set((opts.cut ?? []).map(([a, b]) => (a < b ? `${a},${b}` : `${b},${a}`)))
  const nbrs: number[][] = Array.from({ length: n }, () => [])
  const seen = new Set<string>()
  for (const [a, b] of edges) {
    const k = a < b ? `${a},${b}` : `${b},${a}`
    if (a === b || seen.has(k)) continue
    seen.add(k)
    nbrs[a].push(b)
    nbrs[b].push(a)
  }
  const xadj = new Int32Array(n + 1)
  const adj: number[] = []
  const cut: number[] = []
  for (let i = 0; i < n; i++) {
    nbrs[i].sort((p, q) => p - q)
    for (const j of nbrs[i]) {
      adj.push(j)
      const k = i < j ? `${i},${j}` : `${j},${i}`
      cut.push(parent[i] !== parent[j] || cutKey.has(k) ? 1 : 0)
    }
    xadj[i + 1] = adj.length
  }
  const parents = [...new Set(parent)].sort((p, q) => p - q)
  return {
    n,
    xadj,
    adjncy: Int32Array.from(adj),
    edgeLength: new Float64Array(adj.length).fill(100),
    edgeCut: Uint8Array.from(cut),
    x: Float64Array.from(opts.x ?? Array.from({ length: n }, (_, i) => i)),
    y: Float64Array.from(opts.y ?? new Array<number>(n).fill(0)),
    area: new Float64Array(n).fill(1e4),
    perimeter: new Float64Array(n).fill(400),
    parent,
    parents: Array.from({ length: Math.max(...parents, 0) + 1 }, (_, p) => `J${p}`),
    ids: Array.from({ length: n }, (_, i) => `g${i}`),
  }
}

/** w × h lattice (rook adjacency), node = row * w + col, row 0 at the north. */
export function latticeEdges(w: number, h: number): [number, number][] {
  const edges: [number, number][] = []
  for (let r = 0; r < h; r++)
    for (let c = 0; c < w; c++) {
      const i = r * w + c
      if (c + 1 < w) edges.push([i, i + 1])
      if (r + 1 < h) edges.push([i, i + w])
    }
  return edges
}

/**
 * Random "planar-ish" graph: n points in the unit square, each joined to its nearest neighbours
 * (1–3 of them), so the graph looks like a tiling's adjacency but may be disconnected.
 */
export function randomPlanarish(n: number, seed: number): { edges: [number, number][]; x: number[]; y: number[] } {
  const rand = prng(seed)
  const x = Array.from({ length: n }, () => rand())
  const y = Array.from({ length: n }, () => rand())
  const edges: [number, number][] = []
  for (let i = 0; i < n; i++) {
    const order = Array.from({ length: n }, (_, j) => j)
      .filter((j) => j !== i)
      .sort((a, b) => (x[a] - x[i]) ** 2 + (y[a] - y[i]) ** 2 - ((x[b] - x[i]) ** 2 + (y[b] - y[i]) ** 2))
    const k = 1 + Math.floor(rand() * 3)
    for (const j of order.slice(0, k)) edges.push([i, j])
  }
  return { edges, x, y }
}

/**
 * Brute force over subsets: the set of cell counts k for which the graph's nodes can be split into k
 * connected parts of min..max nodes, each inside one jurisdiction and joined only by uncut edges.
 * f(mask) = counts achievable on `mask`; the part holding mask's lowest node is every valid submask that
 * contains it. Exponential (3^n), fine up to ~14 nodes.
 */
export function bruteCounts(g: Graph, min: number, max: number): number[] {
  const n = g.n
  const full = (1 << n) - 1
  const ok = new Uint8Array(1 << n) // 1 when the mask is a valid part
  const nbr = new Int32Array(n)
  for (let i = 0; i < n; i++)
    for (let e = g.xadj[i]; e < g.xadj[i + 1]; e++) {
      const j = g.adjncy[e]
      if (g.edgeCut[e] === 0 && g.parent[i] === g.parent[j]) nbr[i] |= 1 << j
    }
  for (let mask = 1; mask <= full; mask++) {
    const size = popcount(mask)
    if (size < min || size > max) continue
    const low = mask & -mask
    let reach = low
    for (;;) {
      let grow = reach
      for (let i = 0; i < n; i++) if (reach & (1 << i)) grow |= nbr[i] & mask
      if (grow === reach) break
      reach = grow
    }
    if (reach === mask) ok[mask] = 1
  }
  // counts[mask] as a bit set of achievable k (k < 31).
  const memo = new Map<number, number>()
  const f = (mask: number): number => {
    if (mask === 0) return 1 // k = 0
    const hit = memo.get(mask)
    if (hit !== undefined) return hit
    const low = mask & -mask
    const rest = mask ^ low
    let out = 0
    // Submasks of rest, each plus low.
    for (let sub = rest; ; sub = (sub - 1) & rest) {
      const part = sub | low
      if (ok[part]) out |= f(mask ^ part) << 1
      if (sub === 0) break
    }
    memo.set(mask, out)
    return out
  }
  const bits = f(full)
  const counts: number[] = []
  for (let k = 0; k < 31; k++) if (bits & (1 << k)) counts.push(k)
  return counts
}

function popcount(x: number): number {
  let c = 0
  while (x) {
    x &= x - 1
    c++
  }
  return c
}
