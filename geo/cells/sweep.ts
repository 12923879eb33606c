/**
 * Seeded randomness and the sweep order the search peels cells in.
 */
import type { LocalGraph } from './local.js'

/** mulberry32: small, fast, and identical in Node and browsers, which keeps results per seed stable. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Sweep key per local node: integer part = BFS layer from a pseudo-peripheral node (found by a double
 * BFS from a seed-chosen node), fractional part = seeded jitter. Peeling cells in layer order from one
 * end of the piece leaves a connected, roughly convex remainder, which is what lets the greedy first
 * branch of the search succeed almost always.
 */
export function sweepRank(g: LocalGraph, seed: number): Float64Array {
  const rand = prng(seed ^ 0x5bd1e995)
  const rank = new Float64Array(g.m)
  if (g.m === 0) return rank
  const start0 = Math.floor(rand() * g.m)
  const far = bfs(g, start0)
  let end = start0
  for (let v = 0; v < g.m; v++) if (far[v] > far[end]) end = v
  const layer = bfs(g, end)
  for (let v = 0; v < g.m; v++) rank[v] = layer[v] + rand() * 0.999
  return rank
}

function bfs(g: LocalGraph, s: number): Int32Array {
  const dist = new Int32Array(g.m).fill(-1)
  const queue = new Int32Array(g.m)
  let head = 0
  let tail = 0
  queue[tail++] = s
  dist[s] = 0
  while (head < tail) {
    const v = queue[head++]
    for (let e = g.xadj[v]; e < g.xadj[v + 1]; e++) {
      const w = g.adj[e]
      if (dist[w] < 0) {
        dist[w] = dist[v] + 1
        queue[tail++] = w
      }
    }
  }
  return dist
}
