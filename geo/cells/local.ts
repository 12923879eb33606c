/**
 * Grid-level helpers: which edges a cell may use, connected pieces of free grids, and a compact local
 * copy of one piece (local ids 0..m-1) so the search can use small typed arrays and bit masks.
 */
import type { Graph } from '../types.js'

/** A cell may join two grids only through an uncut edge between grids of the same jurisdiction. */
export function usableEdge(graph: Graph, i: number, e: number): boolean {
  return graph.edgeCut[e] === 0 && graph.parent[i] === graph.parent[graph.adjncy[e]]
}

/**
 * Connected pieces of the grids where `include[i]` is 1, over usable edges, in order of their smallest
 * grid index (so the numbering does not depend on anything but the input).
 */
export function pieces(graph: Graph, include: Uint8Array): number[][] {
  const seen = new Uint8Array(graph.n)
  const out: number[][] = []
  const stack: number[] = []
  for (let s = 0; s < graph.n; s++) {
    if (!include[s] || seen[s]) continue
    const piece: number[] = []
    seen[s] = 1
    stack.push(s)
    while (stack.length > 0) {
      const i = stack.pop()!
      piece.push(i)
      for (let e = graph.xadj[i]; e < graph.xadj[i + 1]; e++) {
        const j = graph.adjncy[e]
        if (include[j] && !seen[j] && usableEdge(graph, i, e)) {
          seen[j] = 1
          stack.push(j)
        }
      }
    }
    piece.sort((a, b) => a - b)
    out.push(piece)
  }
  return out
}

/** Whether `members` (grid ids) form one connected piece over usable edges. */
export function isConnected(graph: Graph, members: readonly number[]): boolean {
  if (members.length <= 1) return true
  const inSet = new Set(members)
  const seen = new Set<number>([members[0]])
  const stack = [members[0]]
  while (stack.length > 0) {
    const i = stack.pop()!
    for (let e = graph.xadj[i]; e < graph.xadj[i + 1]; e++) {
      const j = graph.adjncy[e]
      if (inSet.has(j) && !seen.has(j) && usableEdge(graph, i, e)) {
        seen.add(j)
        stack.push(j)
      }
    }
  }
  return seen.size === members.length
}

/** One piece re-indexed 0..m-1 with only its internal usable edges. */
export interface LocalGraph {
  m: number
  /** Grid id of each local node. */
  nodes: Int32Array
  xadj: Int32Array
  adj: Int32Array
  /** Shared boundary length of each local edge, metres (1 when the input has none). */
  len: Float64Array
}

export function localGraph(graph: Graph, nodes: readonly number[]): LocalGraph {
  const m = nodes.length
  const local = new Map<number, number>()
  nodes.forEach((g, k) => local.set(g, k))
  const xadj = new Int32Array(m + 1)
  const adj: number[] = []
  const len: number[] = []
  for (let k = 0; k < m; k++) {
    const i = nodes[k]
    for (let e = graph.xadj[i]; e < graph.xadj[i + 1]; e++) {
      const j = local.get(graph.adjncy[e])
      if (j === undefined || j === k || !usableEdge(graph, i, e)) continue
      adj.push(j)
      const l = graph.edgeLength[e]
      len.push(l > 0 ? l : 1)
    }
    xadj[k + 1] = adj.length
  }
  return { m, nodes: Int32Array.from(nodes), xadj, adj: Int32Array.from(adj), len: Float64Array.from(len) }
}
