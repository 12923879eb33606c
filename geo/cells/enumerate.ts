/**
 * Connected sets of a given size range that contain one root node, among the free nodes of a local graph.
 *
 * Algorithm: the classic "extend by frontier, ban what was tried" enumeration. A set T ⊇ S is produced in
 * the branch of the first frontier node (in frontier order) that belongs to T, and that node is banned for
 * the later branches, so every connected set containing the root is produced exactly once and nothing
 * else is produced. Completeness matters: the exact search relies on it to prove infeasibility.
 */
import type { LocalGraph } from './local.js'

export interface Enumeration {
  /** Sets laid end to end; set s is flat[start[s] .. start[s+1]). */
  flat: number[]
  start: number[]
  /** True when the cap stopped the enumeration early (the list is then not complete). */
  truncated: boolean
}

/**
 * @param free 1 for nodes still available.
 * @param cap stop after this many sets (Infinity for all).
 */
export function connectedSets(
  g: LocalGraph,
  free: Uint8Array,
  root: number,
  min: number,
  max: number,
  cap: number,
): Enumeration {
  const out: Enumeration = { flat: [], start: [0], truncated: false }
  const inSet = new Uint8Array(g.m)
  const banned = new Uint8Array(g.m)
  const set: number[] = [root]
  inSet[root] = 1
  // Frontier membership stamps: a node can sit in the frontier of several nested calls.
  const mark = new Int32Array(g.m)
  let stamp = 0

  const emit = (): boolean => {
    for (const v of set) out.flat.push(v)
    out.start.push(out.flat.length)
    if (out.start.length - 1 >= cap) {
      out.truncated = true
      return false
    }
    return true
  }

  const grow = (frontier: number[]): boolean => {
    if (set.length >= min && !emit()) return false
    if (set.length === max) return true
    const bannedHere: number[] = []
    let ok = true
    for (let f = 0; f < frontier.length && ok; f++) {
      const u = frontier[f]
      if (banned[u]) continue
      // Frontier for S + u: later frontier nodes, then u's free neighbours not yet seen.
      const next: number[] = []
      const s = ++stamp
      for (let r = f + 1; r < frontier.length; r++) {
        const w = frontier[r]
        if (!banned[w] && mark[w] !== s) {
          mark[w] = s
          next.push(w)
        }
      }
      for (let e = g.xadj[u]; e < g.xadj[u + 1]; e++) {
        const w = g.adj[e]
        if (free[w] && !inSet[w] && !banned[w] && w !== u && mark[w] !== s) {
          mark[w] = s
          next.push(w)
        }
      }
      inSet[u] = 1
      set.push(u)
      ok = grow(next)
      set.pop()
      inSet[u] = 0
      banned[u] = 1
      bannedHere.push(u)
    }
    for (const u of bannedHere) banned[u] = 0
    return ok
  }

  const first: number[] = []
  for (let e = g.xadj[root]; e < g.xadj[root + 1]; e++) {
    const w = g.adj[e]
    if (free[w] && w !== root && !first.includes(w)) first.push(w)
  }
  grow(first)
  return out
}
