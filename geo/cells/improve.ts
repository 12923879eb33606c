/**
 * Local improvement of a valid grouping of one piece: move a boundary grid to a neighbouring cell, or
 * swap two grids between neighbouring cells, whenever that lowers the objective and keeps every cell
 * within min..max grids and connected. Validity is checked on every move, so the result is as valid as
 * the input; the search only ever accepts strict improvements, so it terminates and is deterministic.
 *
 * Objective (lower is better), in the order the issue gives the soft goals:
 *   10 · Σ_cells ((workload − target) / target)²        balanced population (and events, when given)
 *  + 1 · Σ_communities (cells touching it − 1)           "one community, one police group"
 *  + 0.1 · Σ_edges between cells (length / mean length) compact cells with short shared boundaries
 */
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
  const nComm = community ? Math.max(0, ...community) + 1 : 0
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

  const apply = (v: number, to: number): void => {
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

  // Connectivity of one cell by BFS from any member; cells are small (≤ max grids).
  const seen = new Int32Array(m)
  let epoch = 0
  const connected = (k: number, from: number): boolean => {
    epoch++
    const stack = [from]
    seen[from] = epoch
    let count = 0
    while (stack.length > 0) {
      const v = stack.pop()!
      count++
      for (let e = g.xadj[v]; e < g.xadj[v + 1]; e++) {
        const w = g.adj[e]
        if (label[w] === k && seen[w] !== epoch) {
          seen[w] = epoch
          stack.push(w)
        }
      }
    }
    return count === size[k]
  }
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
    if (!improved) break
  }
  return { moves, objectiveBefore: before, objectiveAfter: objective() }
}
