/**
 * One connected piece of free grids and how it is cut: greedy search with restarts, then the exact
 * search for pieces of modest size, and a best-effort grouping with widened bounds when none exists.
 */
import type { LocalGraph } from './local.js'
import type { CountRange } from './range.js'
import { relaxBounds } from './report.js'
import { searchPiece, type SearchResult } from './search.js'
import { sweepRank } from './sweep.js'

/** Pieces up to this size fall back to the exact search when the greedy one fails. */
export const EXACT_PIECE = 60
/**
 * Work units (search nodes + sets enumerated + remainder tests, ~5 µs each) of one exact search: ~3 s at
 * worst. Pieces of 12 grids need a few thousand; tree-like pieces of 40+ grids with wide bounds (8–12)
 * can exceed it and are then reported 'undecided', never infeasible.
 */
const EXACT_BUDGET = 600_000
/** Work units of one greedy attempt: the first branch needs about cells × sets per step, plus slack. */
const greedyBudget = (m: number): number => 10_000 + 600 * m
const GREEDY_ATTEMPTS = 3

export interface Piece {
  grids: number[]
  parent: number
  g: LocalGraph
  rank: Float64Array
  work: Float64Array
  community: Int32Array | null
  range: CountRange
  counts: number[]
  exact: boolean
  solutions: Map<number, Int32Array>
  chosen: number
  label: Int32Array | null
  fallback: boolean
}

/** Workload per grid: population and events each scaled to mean 1, averaged, so neither dominates. */
export function workload(n: number, weights?: Float64Array, events?: Float64Array): Float64Array {
  const out = new Float64Array(n)
  const add = (a: Float64Array | undefined, share: number): void => {
    let sum = 0
    if (a) for (let i = 0; i < n; i++) sum += a[i]
    const mean = sum / Math.max(1, n)
    for (let i = 0; i < n; i++) out[i] += share * (a && mean > 0 ? a[i] / mean : 1)
  }
  if (events) {
    add(weights, 0.5)
    add(events, 0.5)
  } else add(weights, 1)
  return out
}

export function localCommunities(grids: readonly number[], community: Int32Array): Int32Array {
  const ids = new Map<number, number>()
  const out = new Int32Array(grids.length)
  grids.forEach((g, k) => {
    const c = community[g]
    let id = ids.get(c)
    if (id === undefined) {
      id = ids.size
      ids.set(c, id)
    }
    out[k] = id
  })
  return out
}

/** Greedy with restarts, then (for modest pieces) the exact search. */
export function solvePiece(P: Piece, k: number, min: number, max: number, seed: number, deadline: number, allowExact: boolean): SearchResult {
  const m = P.g.m
  const total = P.work.reduce((s, w) => s + w, 0)
  const base = { min, max, cells: k, deadline, work: P.work, target: k > 0 ? total / k : 0, community: P.community }
  let last: SearchResult | null = null
  for (let attempt = 0; attempt < GREEDY_ATTEMPTS; attempt++) {
    const rank = attempt === 0 ? P.rank : sweepRank(P.g, seed + 7919 * attempt)
    const r = searchPiece(P.g, { ...base, rank, cap: 2000, budget: greedyBudget(m) })
    if (r.status === 'found' || r.status === 'infeasible') return r
    last = r
    if (Date.now() > deadline) return r
  }
  if (allowExact) return searchPiece(P.g, { ...base, rank: P.rank, cap: Infinity, budget: EXACT_BUDGET })
  return last!
}

/** A complete, contiguous grouping with the nearest widened bounds (or just max) for an infeasible piece. */
export function fallbackLabel(P: Piece, min: number, max: number, seed: number, deadline: number): Int32Array {
  const m = P.g.m
  const relaxed = relaxBounds([m], 0, min, max, null) ?? { min: 1, max }
  const opts = { cells: null, deadline, work: P.work, target: 0, community: P.community, rank: P.rank, cap: 2000 }
  const r = searchPiece(P.g, { ...opts, min: relaxed.min, max: relaxed.max, budget: greedyBudget(m) })
  if (r.status === 'found') return r.label!
  // With min = 1 every remainder is feasible, so the first branch always completes (linear work): it
  // runs even past the deadline, so the caller always gets a complete assignment.
  return searchPiece(P.g, { ...opts, min: 1, max, budget: Infinity, deadline: Infinity }).label!
}

export function maxLabel(label: Int32Array): number {
  let top = -1
  for (const l of label) if (l > top) top = l
  return top
}
