/**
 * Connectivity on the unit graph: components, islands and contiguity checks of parts.
 * All functions run on the CSR arrays with an explicit stack (no recursion: 100k-unit graphs).
 */
import type { Graph } from '../types.js'

export interface Components {
  /** Component label per node, 0 .. count-1, numbered in order of their lowest node. */
  labels: Int32Array
  count: number
}

export interface ComponentOptions {
  /**
   * When true (default), cut edges (different parents, hard barriers) do not connect, so every component
   * lies inside one parent and one side of every barrier. False gives the physical connectivity.
   */
  respectCuts?: boolean
}

/** Connected components of the graph. */
export function components(graph: Graph, opts: ComponentOptions = {}): Components {
  const respectCuts = opts.respectCuts ?? true
  const { n, xadj, adjncy, edgeCut } = graph
  const labels = new Int32Array(n).fill(-1)
  const stack = new Int32Array(n)
  let count = 0
  for (let s = 0; s < n; s++) {
    if (labels[s] !== -1) continue
    let top = 0
    stack[top++] = s
    labels[s] = count
    while (top > 0) {
      const v = stack[--top]
      for (let e = xadj[v]; e < xadj[v + 1]; e++) {
        if (respectCuts && edgeCut[e]) continue
        const w = adjncy[e]
        if (labels[w] === -1) {
          labels[w] = count
          stack[top++] = w
        }
      }
    }
    count++
  }
  return { labels, count }
}

export interface Island {
  /** Parent key. */
  parent: string
  /** Number of separate pieces the parent's units form. */
  pieces: number
  /** Node count of each piece, largest first. */
  sizes: number[]
}

/**
 * Parents whose units form more than one piece (over non-cut edges, so a parent split by a hard barrier
 * counts too). With no nesting the single parent '' is an island when the whole graph is disconnected.
 */
export function islands(graph: Graph, comps: Components = components(graph)): Island[] {
  const sizes = new Int32Array(comps.count)
  const compParent = new Int32Array(comps.count)
  for (let v = 0; v < graph.n; v++) {
    sizes[comps.labels[v]]++
    compParent[comps.labels[v]] = graph.parent[v]
  }
  const perParent = new Map<number, number[]>()
  for (let c = 0; c < comps.count; c++) {
    const list = perParent.get(compParent[c])
    if (list) list.push(sizes[c])
    else perParent.set(compParent[c], [sizes[c]])
  }
  const out: Island[] = []
  for (const [p, list] of [...perParent].sort((a, b) => a[0] - b[0])) {
    if (list.length > 1) out.push({ parent: graph.parents[p], pieces: list.length, sizes: list.sort((a, b) => b - a) })
  }
  return out
}

/**
 * True when `nodes` form one connected piece through shared boundaries (corner touches never connect).
 * An empty set is not contiguous. With `respectCuts`, cut edges do not connect (default false: barrier
 * and parent crossings are reported separately by metrics, not as a break in contiguity).
 */
export function isContiguous(graph: Graph, nodes: ArrayLike<number>, opts: ComponentOptions = {}): boolean {
  if (nodes.length === 0) return false
  const respectCuts = opts.respectCuts ?? false
  const { xadj, adjncy, edgeCut } = graph
  const inSet = new Uint8Array(graph.n)
  for (let k = 0; k < nodes.length; k++) inSet[nodes[k]] = 1
  const stack = new Int32Array(nodes.length)
  let top = 0
  stack[top++] = nodes[0]
  inSet[nodes[0]] = 2
  while (top > 0) {
    const v = stack[--top]
    for (let e = xadj[v]; e < xadj[v + 1]; e++) {
      if (respectCuts && edgeCut[e]) continue
      const w = adjncy[e]
      if (inSet[w] === 1) {
        inSet[w] = 2
        stack[top++] = w
      }
    }
  }
  // Any member still unvisited lies in another piece.
  for (let k = 0; k < nodes.length; k++) if (inSet[nodes[k]] === 1) return false
  return true
}

/**
 * Number of connected pieces of every part of an assignment (part per node, -1 = unassigned).
 * pieces[p] is 0 for an empty part, 1 for a contiguous one. `parts` defaults to max part + 1.
 * `nodes` (optional) lists every node that has a part, so a few parts of a large graph are counted
 * without a pass over all nodes; nodes left out must be unassigned (-1).
 */
export function partPieces(
  graph: Graph,
  assignment: Int32Array,
  opts: ComponentOptions & { parts?: number; nodes?: ArrayLike<number> } = {},
): Int32Array {
  const respectCuts = opts.respectCuts ?? false
  const { n, xadj, adjncy, edgeCut } = graph
  let parts = opts.parts ?? 0
  if (opts.parts === undefined) for (let v = 0; v < n; v++) if (assignment[v] + 1 > parts) parts = assignment[v] + 1
  const pieces = new Int32Array(parts)
  const seen = new Uint8Array(n)
  const stack = new Int32Array(n)
  const nodes = opts.nodes
  const count = nodes ? nodes.length : n
  for (let i = 0; i < count; i++) {
    const s = nodes ? nodes[i] : i
    const p = assignment[s]
    if (p < 0 || seen[s]) continue
    if (p < parts) pieces[p]++
    let top = 0
    stack[top++] = s
    seen[s] = 1
    while (top > 0) {
      const v = stack[--top]
      for (let e = xadj[v]; e < xadj[v + 1]; e++) {
        if (respectCuts && edgeCut[e]) continue
        const w = adjncy[e]
        if (!seen[w] && assignment[w] === p) {
          seen[w] = 1
          stack[top++] = w
        }
      }
    }
  }
  return pieces
}
