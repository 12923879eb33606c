/**
 * Cut one connected piece of grids into cells of min..max grids, each connected.
 *
 * Depth-first search: take the free grid that comes first in a sweep from one end of the piece (a BFS
 * layer order, fewest free neighbours first within a layer), enumerate every connected set of min..max
 * free grids containing it, try them best-scored first (compact, few community splits, workload near the
 * target), and recurse. After each choice the free grids must still split into connected remainders whose
 * sizes each admit a whole number of cells, and whose count ranges add up to the cells still to place —
 * that cheap test prunes almost every dead end. Failed free sets are remembered (with the number of cells
 * still to place), so the search never explores the same remainder twice.
 *
 * The same code is the fast heuristic (enumeration capped, the greedy first branch nearly always
 * succeeds) and the exact decision procedure (no cap: every cell containing the chosen grid is tried, so
 * an exhausted search is a proof that no grouping exists). Both are deterministic for a given seed.
 */
import { connectedSets } from './enumerate.js'
import type { LocalGraph } from './local.js'
import { countRange } from './range.js'

export type SearchStatus = 'found' | 'infeasible' | 'budget' | 'incomplete'

export interface SearchOptions {
  min: number
  max: number
  /** Exact number of cells, or null for any count the sizes allow. */
  cells: number | null
  /** Sets enumerated per step (Infinity = exact). */
  cap: number
  /** Work (search nodes + sets enumerated + remainder tests) before giving up (status 'budget'). */
  budget: number
  /** Date.now() after which to give up; Infinity for none. */
  deadline: number
  /** Sweep order key per local node (smaller first); also the tie-breaker. */
  rank: Float64Array
  /** Workload per local node, scaled so that a cell's target is `target`. */
  work: Float64Array
  target: number
  /** Local community id per node, or null. */
  community: Int32Array | null
}

export interface SearchResult {
  status: SearchStatus
  /** Local cell label 0..cells-1 per local node when found. */
  label?: Int32Array
  cells?: number
  /** Work used. */
  steps: number
}

export function searchPiece(g: LocalGraph, o: SearchOptions): SearchResult {
  const m = g.m
  const free = new Uint8Array(m).fill(1)
  const label = new Int32Array(m).fill(-1)
  const freeDeg = new Int32Array(m)
  for (let v = 0; v < m; v++) freeDeg[v] = g.xadj[v + 1] - g.xadj[v]
  let freeCount = m
  let steps = 0
  let stopped = false
  let truncated = false
  const failed = new Set<string>()

  // Remainder key: exact bit mask for up to 52 nodes (a Number holds it), Zobrist hash beyond.
  const exactKey = m <= 52
  let maskHi = 0 // sum of 2^v for free v
  const zob1 = new Uint32Array(m)
  const zob2 = new Uint32Array(m)
  let h1 = 0
  let h2 = 0
  if (exactKey) for (let v = 0; v < m; v++) maskHi += 2 ** v
  else {
    let s = 0x9e3779b9
    for (let v = 0; v < m; v++) {
      s = (s + 0x6d2b79f5) | 0
      zob1[v] = mix(s)
      s = (s + 0x6d2b79f5) | 0
      zob2[v] = mix(s)
      h1 ^= zob1[v]
      h2 ^= zob2[v]
    }
  }
  const key = (remaining: number): string =>
    exactKey ? `${maskHi}|${o.cells === null ? 0 : remaining}` : `${h1}:${h2}|${o.cells === null ? 0 : remaining}`

  const commRemaining = new Int32Array(o.community ? o.community.reduce((a, c) => Math.max(a, c), -1) + 1 : 0)
  if (o.community) for (let v = 0; v < m; v++) commRemaining[o.community[v]]++

  const setFree = (v: number, isFree: boolean): void => {
    free[v] = isFree ? 1 : 0
    const d = isFree ? 1 : -1
    freeCount += d
    for (let e = g.xadj[v]; e < g.xadj[v + 1]; e++) freeDeg[g.adj[e]] += d
    if (exactKey) maskHi += d * 2 ** v
    else {
      h1 ^= zob1[v]
      h2 ^= zob2[v]
    }
    if (o.community) commRemaining[o.community[v]] += d
  }

  // Remainder test scratch.
  const seen = new Int32Array(m)
  let epoch = 0
  const stack = new Int32Array(m)
  const remainderOk = (remaining: number): boolean => {
    epoch++
    let lo = 0
    let hi = 0
    for (let s = 0; s < m; s++) {
      if (!free[s] || seen[s] === epoch) continue
      let size = 0
      let top = 0
      stack[top++] = s
      seen[s] = epoch
      while (top > 0) {
        const v = stack[--top]
        size++
        for (let e = g.xadj[v]; e < g.xadj[v + 1]; e++) {
          const w = g.adj[e]
          if (free[w] && seen[w] !== epoch) {
            seen[w] = epoch
            stack[top++] = w
          }
        }
      }
      const r = countRange(size, o.min, o.max)
      if (r === null) return false
      lo += r[0]
      hi += r[1]
    }
    if (o.cells !== null && (remaining < lo || remaining > hi)) return false
    // Pendant grids (one free neighbour) must share their neighbour's cell when min ≥ 2, so a grid with
    // max or more pendant neighbours cannot be covered: this settles star- and comb-like remainders
    // that sizes alone do not.
    if (o.min >= 2)
      for (let v = 0; v < m; v++) {
        if (!free[v]) continue
        let pendant = 0
        for (let e = g.xadj[v]; e < g.xadj[v + 1]; e++) if (free[g.adj[e]] && freeDeg[g.adj[e]] === 1) pendant++
        if (pendant + 1 > o.max) return false
      }
    return true
  }

  // Pendant grids first (their cell is the most constrained), then the sweep order.
  const pick = (): number => {
    let best = -1
    let bestKey = Infinity
    for (let v = 0; v < m; v++) {
      if (!free[v]) continue
      const k = (freeDeg[v] <= 1 ? 0 : 1e9) + Math.floor(o.rank[v]) * 16 + Math.min(freeDeg[v], 15) + (o.rank[v] % 1)
      if (k < bestKey) {
        bestKey = k
        best = v
      }
    }
    return best
  }

  const score = (flat: number[], a: number, b: number): number => {
    let leftover = 0
    let w = 0
    let jitter = 0
    for (let p = a; p < b; p++) {
      const v = flat[p]
      free[v] = 0
    }
    for (let p = a; p < b; p++) {
      const v = flat[p]
      w += o.work[v]
      jitter += o.rank[v] % 1
      for (let e = g.xadj[v]; e < g.xadj[v + 1]; e++) if (free[g.adj[e]]) leftover++
    }
    let split = 0
    if (o.community) {
      // A community counts as split when this cell takes part of it but leaves free grids of it behind,
      // or when the cell mixes communities.
      const comms: number[] = []
      for (let p = a; p < b; p++) {
        const c = o.community[flat[p]]
        if (!comms.includes(c)) comms.push(c)
      }
      split = comms.length - 1
      for (const c of comms) {
        let inCell = 0
        for (let p = a; p < b; p++) if (o.community[flat[p]] === c) inCell++
        if (inCell < commRemaining[c]) split++
      }
    }
    for (let p = a; p < b; p++) free[flat[p]] = 1
    const dev = o.target > 0 ? Math.abs(w - o.target) / o.target : 0
    return leftover + 4 * split + 2 * dev + 0.05 * (jitter / (b - a))
  }

  let cellLabel = 0
  const dfs = (remaining: number): boolean => {
    if (freeCount === 0) return o.cells === null || remaining === 0
    if (o.cells !== null && remaining <= 0) return false
    const k = key(remaining)
    if (failed.has(k)) return false
    steps++
    if (steps > o.budget || Date.now() > o.deadline) {
      stopped = true
      return false
    }
    const root = pick()
    // Work is counted in search nodes + sets enumerated + remainder tests, so that one step with a huge
    // enumeration (wide bounds) cannot run away from the budget.
    const cap = Math.min(o.cap, o.budget - steps + 1)
    const en = connectedSets(g, free, root, o.min, o.max, cap)
    const count = en.start.length - 1
    steps += count
    if (en.truncated) {
      if (cap < o.cap) {
        stopped = true
        return false
      }
      truncated = true
    }
    const order = new Array<number>(count)
    const scores = new Float64Array(count)
    for (let s = 0; s < count; s++) {
      order[s] = s
      scores[s] = score(en.flat, en.start[s], en.start[s + 1])
    }
    order.sort((x, y) => scores[x] - scores[y] || x - y)
    for (const s of order) {
      const a = en.start[s]
      const b = en.start[s + 1]
      for (let p = a; p < b; p++) setFree(en.flat[p], false)
      steps++
      if (remainderOk(remaining - 1)) {
        const l = cellLabel++
        for (let p = a; p < b; p++) label[en.flat[p]] = l
        if (dfs(remaining - 1)) return true
        cellLabel--
        for (let p = a; p < b; p++) label[en.flat[p]] = -1
      }
      for (let p = a; p < b; p++) setFree(en.flat[p], true)
      if (stopped) return false
    }
    failed.add(k)
    return false
  }

  const total = o.cells ?? 0
  if (!remainderOk(total)) return { status: truncated ? 'incomplete' : 'infeasible', steps }
  if (dfs(total)) return { status: 'found', label, cells: cellLabel, steps }
  return { status: stopped ? 'budget' : truncated ? 'incomplete' : 'infeasible', steps }
}

/** splitmix-style 32-bit mixer for the Zobrist table. */
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b)
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35)
  return (x ^ (x >>> 16)) >>> 0
}
