/**
 * Local improvement of a valid grouping of one piece: move a boundary grid to a neighbouring cell, swap
 * two grids between neighbouring cells, or recombine two neighbouring cells (re-cut their union in the
 * best of all its ways into two valid cells, as GerryChain's ReCom does with spanning trees — here the
 * union is at most 2·max grids, so every cut is enumerated), whenever that lowers the objective and keeps
 * every cell within min..max grids and connected. Validity is checked on every move, so the result is as valid as
 * the input; the search only ever accepts strict improvements, so it terminates and is deterministic.
 *
 * Objective (lower is better), in the order the issue gives the soft goals:
 *   10 · Σ_cells ((workload − target) / target)²        balanced population (and events, when given)
 *  + 1 · Σ_communities (cells touching it − 1)           "one community, one police group"
 *  + 0.1 · Σ_edges between cells (length / mean length) compact cells with short shared boundaries
 */
import { connectedSets } from './enumerate.js'
import type { LocalGraph } from './local.js'

export interface ImproveInput {
  g: LocalGraph
  /** Local cell label per node, 0..cells-1; updated in place. */
  label: Int32Array
  cells: number
  min: number
  max: number
  /** Workload per node; target is the mean per cell. */
  work: Float64Array
  /** Local community id per node, or null. */
  community: Int32Array | null
  /** Nodes in the order they are visited (sweep order). */
  order: Int32Array
  maxPasses: number
  deadline: number
}

const W_BALANCE = 10
const W_SPLIT = 1
const W_CUT = 0.1
/** Cuts tried per recombination: all of them for 5–6 (a few hundred), a sample for 8–12. */
const RECOMBINE_CAP = 3000

export function improve(p: ImproveInput): { moves: number; objectiveBefore: number; objectiveAfter: number } {
  const { g, label, cells, min, max, work, community } = p
  const m = g.m
  const size = new Int32Array(cells)
  const load = new Float64Array(cells)
  let totalWork = 0
  for (let v = 0; v < m; v++) {
    size[label[v]]++
    load[label[v]] += work[v]
    totalWork += work[v]
  }
  const target = totalWork / cells
  let meanLen = 0
  for (let e = 0; e < g.adj.length; e++) meanLen += g.len[e]
  meanLen = g.adj.length > 0 ? meanLen / g.adj.length : 1
  const nComm = community ? community.reduce((a, c) => Math.max(a, c), -1) + 1 : 0
  const touch = new Int32Array(nComm * cells) // grids of community c in cell k

  if (community) for (let v = 0; v < m; v++) touch[community[v] * cells + label[v]]++

  const bal = (k: number, extra: number): number => {
    if (target <= 0) return 0
    const d = (load[k] + extra - target) / target
    return W_BALANCE * d * d
  }

  /** Objective change if v moved to cell `to`. */
  const moveDelta = (v: number, to: number): number => {
    const from = label[v]
    let d = bal(from, -work[v]) + bal(to, work[v]) - bal(from, 0) - bal(to, 0)
    if (community) {
      const c = community[v] * cells
      if (touch[c + from] === 1) d -= W_SPLIT // the community leaves `from`
      if (touch[c + to] === 0) d += W_SPLIT // and enters `to`
    }
    let cut = 0
    for (let e = g.xadj[v]; e < g.xadj[v + 1]; e++) {
      const l = label[g.adj[e]]
      if (l === from) cut += g.len[e]
      else if (l === to) cut -= g.len[e]
    }
    return d + (W_CUT * cut) / meanLen
  }

  // Cells change version on every move; a pair that failed to recombine is retried only after one of its
  // cells changed, which keeps the later passes cheap.
  const version = new Int32Array(cells)
  const triedAt = new Map<number, string>()
  const apply = (v: number, to: number): void => {
    version[label[v]]++
    version[to]++
    const from = label[v]
    size[from]--
    size[to]++
    load[from] -= work[v]
    load[to] += work[v]
    if (community) {
      touch[community[v] * cells + from]--
      touch[community[v] * cells + to]++
    }
    label[v] = to
  }

  // Connectivity by a walk from one node through the nodes `inside` accepts; cells are small (≤ max grids).
  const seen = new Int32Array(m)
  let epoch = 0
  const reach = (from: number, inside: (w: number) => boolean): number => {
    epoch++
    const stack = [from]
    seen[from] = epoch
    let count = 0
    while (stack.length > 0) {
      const v = stack.pop()!
      count++
      for (let e = g.xadj[v]; e < g.xadj[v + 1]; e++) {
        const w = g.adj[e]
        if (seen[w] !== epoch && inside(w)) {
          seen[w] = epoch
          stack.push(w)
        }
      }
    }
    return count
  }
  const connected = (k: number, from: number): boolean => reach(from, (w) => label[w] === k) === size[k]
  const anyMember = (k: number, near: number): number => {
    for (let e = g.xadj[near]; e < g.xadj[near + 1]; e++) if (label[g.adj[e]] === k) return g.adj[e]
    for (let v = 0; v < m; v++) if (label[v] === k) return v
    return -1
  }

  const objective = (): number => {
    let j = 0
    for (let k = 0; k < cells; k++) j += bal(k, 0)
    for (let c = 0; c < nComm; c++) {
      let t = 0
      for (let k = 0; k < cells; k++) if (touch[c * cells + k] > 0) t++
      if (t > 1) j += W_SPLIT * (t - 1)
    }
    let cut = 0
    for (let v = 0; v < m; v++)
      for (let e = g.xadj[v]; e < g.xadj[v + 1]; e++) if (label[g.adj[e]] !== label[v]) cut += g.len[e]
    return j + (W_CUT * cut) / 2 / meanLen
  }

  // Recombination of two neighbouring cells A, B: every connected S ∋ root(A ∪ B) with a connected,
  // in-bounds complement is a candidate; the cells outside the pair do not change.
  const inUnion = new Uint8Array(m)
  const recombine = (A: number, B: number): boolean => {
    const union: number[] = []
    for (let v = 0; v < m; v++) if (label[v] === A || label[v] === B) union.push(v)
    if (union.length < 2 * min) return false
    for (const v of union) inUnion[v] = 1
    // Cells other than A and B touching each community of the union: fixed while A ∪ B is re-cut.
    const outside = new Map<number, number>()
    if (community)
      for (const v of union) {
        const cm = community[v]
        if (outside.has(cm)) continue
        let o = 0
        for (let k = 0; k < cells; k++) if (k !== A && k !== B && touch[cm * cells + k] > 0) o++
        outside.set(cm, o)
      }
    const pairCost = (inA: (v: number) => boolean): number => {
      let wa = 0
      let wb = 0
      for (const v of union) (inA(v) ? (wa += work[v]) : (wb += work[v]))
      let c = 0
      if (target > 0) c += W_BALANCE * (((wa - target) / target) ** 2 + ((wb - target) / target) ** 2)
      if (community) {
        // Cells touching each community of the union, counting A and B afresh.
        const seenComm = new Map<number, number>() // community -> bit 1 in A, bit 2 in B
        for (const v of union) seenComm.set(community[v], (seenComm.get(community[v]) ?? 0) | (inA(v) ? 1 : 2))
        for (const [cm, bits] of seenComm) {
          const t = outside.get(cm)! + (bits & 1 ? 1 : 0) + (bits & 2 ? 1 : 0)
          c += W_SPLIT * Math.max(0, t - 1)
        }
      }
      let cut = 0
      for (const v of union)
        if (inA(v))
          for (let e = g.xadj[v]; e < g.xadj[v + 1]; e++) {
            const w = g.adj[e]
            if (inUnion[w] && !inA(w)) cut += g.len[e]
          }
      return c + (W_CUT * cut) / meanLen
    }
    const current = pairCost((v) => label[v] === A)
    const root = union[0]
    const en = connectedSets(g, inUnion, root, min, Math.min(max, union.length - min), RECOMBINE_CAP)
    const mark = new Uint8Array(m)
    let best = -1
    let bestCost = current - 1e-9
    for (let s = 0; s < en.start.length - 1; s++) {
      for (let p = en.start[s]; p < en.start[s + 1]; p++) mark[en.flat[p]] = 1
      const restSize = union.length - (en.start[s + 1] - en.start[s])
      if (restSize >= min && restSize <= max && complementConnected(union, mark)) {
        const c = pairCost((v) => mark[v] === 1)
        if (c < bestCost) {
          bestCost = c
          best = s
        }
      }
      for (let p = en.start[s]; p < en.start[s + 1]; p++) mark[en.flat[p]] = 0
    }
    if (best >= 0) {
      for (let p = en.start[best]; p < en.start[best + 1]; p++) mark[en.flat[p]] = 1
      for (const v of union) {
        const to = mark[v] ? A : B
        if (label[v] !== to) apply(v, to)
      }
    }
    for (const v of union) inUnion[v] = 0
    return best >= 0
  }
  const complementConnected = (union: number[], mark: Uint8Array): boolean => {
    let start = -1
    let total = 0
    for (const v of union)
      if (!mark[v]) {
        total++
        if (start < 0) start = v
      }
    if (start < 0) return false
    return reach(start, (w) => inUnion[w] !== 0 && !mark[w]) === total
  }
  const neighbourPairs = (): [number, number][] => {
    const pairs = new Set<number>()
    for (let v = 0; v < m; v++)
      for (let e = g.xadj[v]; e < g.xadj[v + 1]; e++) {
        const a = label[v]
        const b = label[g.adj[e]]
        if (a < b) pairs.add(a * cells + b)
      }
    return [...pairs].sort((x, y) => x - y).map((k) => [Math.floor(k / cells), k % cells])
  }

  const before = objective()
  let moves = 0
  const EPS = 1e-9
  for (let pass = 0; pass < p.maxPasses; pass++) {
    if (Date.now() > p.deadline) break
    let improved = false
    for (const v of p.order) {
      const from = label[v]
      // Neighbouring cells of v, in adjacency order.
      for (let e = g.xadj[v]; e < g.xadj[v + 1]; e++) {
        const to = label[g.adj[e]]
        if (to === from || label[v] !== from) continue
        // Plain move.
        if (size[from] > min && size[to] < max) {
          const d = moveDelta(v, to)
          if (d < -EPS) {
            apply(v, to)
            const rest = anyMember(from, v)
            if (connected(from, rest) && connected(to, v)) {
              moves++
              improved = true
              break
            }
            apply(v, from)
          }
        }
        // Swap with a grid u of `to` that borders `from` (not v itself).
        let swapped = false
        for (let f = g.xadj[v]; f < g.xadj[v + 1] && !swapped; f++) {
          const u0 = g.adj[f]
          if (label[u0] !== to) continue
          const d1 = moveDelta(v, to)
          apply(v, to)
          const d2 = moveDelta(u0, from)
          apply(u0, from)
          if (d1 + d2 < -EPS && connected(from, u0) && connected(to, v)) {
            moves++
            improved = true
            swapped = true
          } else {
            apply(u0, to)
            apply(v, from)
          }
        }
        if (swapped) break
      }
    }
    for (const [a, b] of neighbourPairs()) {
      if (Date.now() > p.deadline) break
      const stamp = `${version[a]},${version[b]}`
      if (triedAt.get(a * cells + b) === stamp) continue
      triedAt.set(a * cells + b, stamp)
      if (recombine(a, b)) {
        moves++
        improved = true
      }
    }
    if (!improved) break
  }
  return { moves, objectiveBefore: before, objectiveAfter: objective() }
}
