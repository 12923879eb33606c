/**
 * Independent check of a partition against the hard rules of DESIGN.md §2 (assignment, contiguity
 * over non-cut edges — or, for a reported island, one piece per piece of its parent — one parent per
 * part, locks, every out-of-band part explained). It shares no code
 * with the engine on purpose, so tests and callers can trust it to catch engine bugs.
 */
import type { Graph, PartException } from '../types.js'

export interface PartitionProblem {
  rule: 'assignment' | 'empty-part' | 'contiguity' | 'parent' | 'lock' | 'unexplained'
  part: number
  message: string
}

export function checkPartition(
  graph: Graph,
  weights: Float64Array,
  result: { assignment: Int32Array; parts: number; exceptions: PartException[] },
  opts: { min: number; max: number; lock?: Int32Array },
): PartitionProblem[] {
  const { n, parent } = graph
  const { assignment, parts } = result
  const problems: PartitionProblem[] = []
  if (assignment.length !== n) {
    return [{ rule: 'assignment', part: -1, message: `assignment has ${assignment.length} entries for ${n} nodes` }]
  }
  const members: number[][] = Array.from({ length: parts }, () => [])
  for (let v = 0; v < n; v++) {
    const p = assignment[v]
    if (!(p >= 0 && p < parts)) {
      problems.push({ rule: 'assignment', part: p, message: `node ${v} has part ${p}, outside 0..${parts - 1}` })
      continue
    }
    members[p].push(v)
  }
  if (problems.length > 0) return problems
  const lockedParts = new Set<number>()
  if (opts.lock) {
    const lockToPart = new Map<number, number>()
    for (let v = 0; v < n; v++) {
      const l = opts.lock[v]
      if (l < 0) continue
      const p = lockToPart.get(l)
      if (p === undefined) lockToPart.set(l, assignment[v])
      else if (p !== assignment[v]) problems.push({ rule: 'lock', part: p, message: `locked part ${l} was split` })
    }
    for (const [l, p] of lockToPart) {
      lockedParts.add(p)
      for (const v of members[p]) {
        if (opts.lock[v] !== l) problems.push({ rule: 'lock', part: p, message: `node ${v} was added to locked part ${l}` })
      }
    }
  }
  const explained = new Set(result.exceptions.filter((e) => e.part >= 0).map((e) => e.part))
  const islandParts = new Set(result.exceptions.filter((e) => e.code === 'island' && e.part >= 0).map((e) => e.part))
  let parentPiece: Int32Array | null = null
  const seen = new Int32Array(n).fill(-1)
  for (let p = 0; p < parts; p++) {
    const nodes = members[p]
    if (nodes.length === 0) {
      problems.push({ rule: 'empty-part', part: p, message: `part ${p} has no nodes` })
      continue
    }
    let w = 0
    for (const v of nodes) w += weights[v]
    const eps = 1e-9 * Math.max(1, opts.max)
    if ((w < opts.min - eps || w > opts.max + eps) && !explained.has(p)) {
      problems.push({ rule: 'unexplained', part: p, message: `part ${p} weighs ${w}, outside [${opts.min}, ${opts.max}], with no exception` })
    }
    // Locked parts are kept as given even when the caller's lock is itself invalid (and reported).
    if (lockedParts.has(p) && explained.has(p)) continue
    const par = parent[nodes[0]]
    if (nodes.some((v) => parent[v] !== par)) {
      problems.push({ rule: 'parent', part: p, message: `part ${p} spans several parents` })
      continue
    }
    const pieces = piecesOf(graph, nodes, assignment, p, seen)
    if (pieces === 1) continue
    // Several pieces are allowed only for a reported island, one piece per piece of the parent.
    if (islandParts.has(p)) {
      parentPiece ??= parentPieces(graph)
      const distinct = new Set(nodes.map((v) => parentPiece![v])).size
      if (distinct === pieces) continue
    }
    problems.push({ rule: 'contiguity', part: p, message: `part ${p} falls into ${pieces} pieces over non-cut edges` })
  }
  return problems
}

function piecesOf(graph: Graph, nodes: number[], assignment: Int32Array, p: number, seen: Int32Array): number {
  const { xadj, adjncy, edgeCut } = graph
  let pieces = 0
  for (const s of nodes) {
    if (seen[s] === p) continue
    pieces++
    seen[s] = p
    const stack = [s]
    while (stack.length > 0) {
      const v = stack.pop()!
      for (let e = xadj[v]; e < xadj[v + 1]; e++) {
        const u = adjncy[e]
        if (edgeCut[e] === 0 && assignment[u] === p && seen[u] !== p) {
          seen[u] = p
          stack.push(u)
        }
      }
    }
  }
  return pieces
}

/** Pieces of each parent over non-cut edges (the islands of DESIGN.md §2.2). */
function parentPieces(graph: Graph): Int32Array {
  const { n, xadj, adjncy, edgeCut, parent } = graph
  const label = new Int32Array(n).fill(-1)
  let next = 0
  for (let s = 0; s < n; s++) {
    if (label[s] >= 0) continue
    label[s] = next
    const stack = [s]
    while (stack.length > 0) {
      const v = stack.pop()!
      for (let e = xadj[v]; e < xadj[v + 1]; e++) {
        const u = adjncy[e]
        if (edgeCut[e] === 0 && parent[u] === parent[v] && label[u] < 0) {
          label[u] = next
          stack.push(u)
        }
      }
    }
    next++
  }
  return label
}
