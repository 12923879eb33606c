/**
 * Police cells (警格): group the grids of each jurisdiction into cells of min..max contiguous grids.
 *
 * Pipeline:
 *  1. Locked cells are kept exactly as given (checked, and reported when they break a rule).
 *  2. The free grids split into connected pieces over usable edges (uncut, same jurisdiction). Pieces are
 *     independent: a cell never leaves its piece.
 *  3. Each piece's possible cell counts: the size range [ceil(n/max), floor(n/min)], decided exactly by
 *     exhaustive search for pieces of up to SMALL_PIECE grids (contiguity can rule counts out).
 *  4. Counts per piece (allocate.ts): nearest to n / ((min+max)/2), or, for a requested total, a knapsack over the pieces'
 *     counts that keeps the average cell size as even as possible.
 *  5. Each piece is cut (piece.ts, search.ts): a capped greedy search with restarts first, then the
 *     exact search for pieces of modest size when the greedy one fails.
 *  6. Local moves and swaps (improve.ts) balance workload, reduce community splits and shorten boundaries.
 *
 * The partition engine (geo/partition) is not used here: with unit weights and a band of 5–6 its
 * balancing gives no guarantee of a valid count, while this search is exact on small pieces and cheap on
 * large ones (a district of ~400 grids takes milliseconds).
 *
 * Results are deterministic per seed unless `timeBudgetMs` runs out (then a 'time-budget' exception says so).
 */
import type { Graph, PartException } from '../types.js'
import { improve } from './improve.js'
import { isConnected, localGraph, pieces, usableEdge } from './local.js'
import { countRange, formatCounts, rangeValues, sumRanges, sumSets, type CountRange } from './range.js'
import {
  explain,
  relaxBounds,
  type GridPicker,
  type FeasibilityProblem,
  type FeasibilityReport,
  type JurisdictionFeasibility,
  type PieceFeasibility,
} from './report.js'
import { distribute, nearest, preferredCount } from './allocate.js'
import { EXACT_PIECE, fallbackLabel, localCommunities, maxLabel, solvePiece, workload, type Piece } from './piece.js'
import type { SearchResult } from './search.js'
import { sweepRank } from './sweep.js'

export * from './report.js'
export { countRange, formatCounts, sumRanges, sumSets, type CountRange } from './range.js'

export interface CellOptions {
  /** Fewest grids per cell (default 5). */
  min?: number
  /** Most grids per cell (default 6). */
  max?: number
  /** Requested total number of cells, distributed over jurisdictions. */
  cells?: number
  /** Population (or any workload) per grid. */
  weights?: Float64Array
  /** Events per grid, balanced alongside the weights. */
  events?: Float64Array
  /** Community index per grid: cells should not split communities. */
  community?: Int32Array
  /** Locked cell label per grid, -1 when free. Locked labels are kept as the cells' indices. */
  lock?: Int32Array
  seed?: number
  /** Wall-clock budget; when it runs out the result may differ between runs and says so. */
  timeBudgetMs?: number
}

export interface CellResult {
  /** Cell index per grid. */
  assignment: Int32Array
  /** Number of distinct cells. */
  cells: number
  feasibility: FeasibilityReport
  exceptions: PartException[]
}

/** Pieces up to this size have their possible counts decided exactly. */
const SMALL_PIECE = 30

export function groupCells(graph: Graph, opts: CellOptions = {}): CellResult {
  const min = opts.min ?? 5
  const max = opts.max ?? 6
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min)
    throw new RangeError(`groupCells: need integers 1 ≤ min ≤ max, got min=${min} max=${max}`)
  const n = graph.n
  for (const [name, a] of [
    ['weights', opts.weights],
    ['events', opts.events],
    ['community', opts.community],
    ['lock', opts.lock],
  ] as const)
    if (a && a.length !== n) throw new RangeError(`groupCells: ${name} has length ${a.length}, graph has ${n} grids`)
  const requested = opts.cells ?? null
  if (requested !== null && (!Number.isInteger(requested) || requested < 0))
    throw new RangeError(`groupCells: cells must be a non-negative integer, got ${requested}`)
  const seed = opts.seed ?? 1
  const deadline = opts.timeBudgetMs !== undefined ? Date.now() + opts.timeBudgetMs : Infinity
  const jurName = (p: number): string => graph.parents[p] ?? String(p)
  const work = workload(n, opts.weights, opts.events)
  const exceptions: PartException[] = []
  const problems: FeasibilityProblem[] = []
  let outOfTime = false

  // 1. Locked cells.
  const locked = new Map<number, number[]>()
  const free = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    const l = opts.lock ? opts.lock[i] : -1
    if (l >= 0) {
      const members = locked.get(l)
      if (members) members.push(i)
      else locked.set(l, [i])
    } else free[i] = 1
  }
  const lockedPerParent = new Map<number, number>()
  for (const [l, members] of locked) {
    const p = graph.parent[members[0]]
    lockedPerParent.set(p, (lockedPerParent.get(p) ?? 0) + 1)
    const why: string[] = []
    if (members.some((i) => graph.parent[i] !== p)) why.push('spans jurisdictions')
    if (!isConnected(graph, members)) why.push('is not contiguous')
    if (members.length < min || members.length > max) why.push(`has ${members.length} grids (bounds ${min}–${max})`)
    if (why.length > 0) {
      const message = `Locked cell ${l} ${why.join(', ')}; kept as given.`
      exceptions.push({ code: 'locked', part: l, parent: jurName(p), nodes: members, message })
      problems.push({ code: 'locked-invalid', jurisdiction: jurName(p), grids: members, message })
    }
  }

  // Islands: a jurisdiction whose grids form several pieces even before locks are taken out.
  const all = new Uint8Array(n).fill(1)
  const byParent = new Map<number, number[][]>()
  for (const piece of pieces(graph, all)) {
    const p = graph.parent[piece[0]]
    const list = byParent.get(p)
    if (list) list.push(piece)
    else byParent.set(p, [piece])
  }
  const islandGrid = new Uint8Array(n)
  const wholePieceSize = new Int32Array(n)
  for (const list of byParent.values()) for (const piece of list) for (const i of piece) wholePieceSize[i] = piece.length
  for (const [p, list] of byParent) {
    if (list.length < 2) continue
    const sorted = [...list].sort((a, b) => b.length - a.length || a[0] - b[0])
    for (const piece of sorted.slice(1)) {
      for (const i of piece) islandGrid[i] = 1
      exceptions.push({
        code: 'island',
        part: -1,
        parent: jurName(p),
        nodes: piece,
        message: `${jurName(p)}: ${piece.length} grid(s) form a piece cut off from the rest of the jurisdiction; grouped on their own.`,
      })
    }
  }

  // 2–3. Free pieces and their possible counts.
  const ps: Piece[] = pieces(graph, free).map((grids) => {
    const g = localGraph(graph, grids)
    const m = grids.length
    const comm = opts.community ? localCommunities(grids, opts.community) : null
    const w = new Float64Array(m)
    for (let k = 0; k < m; k++) w[k] = work[grids[k]]
    const range = countRange(m, min, max)
    return {
      grids,
      parent: graph.parent[grids[0]],
      g,
      rank: sweepRank(g, seed),
      work: w,
      community: comm,
      range,
      counts: rangeValues(range),
      exact: false,
      solutions: new Map(),
      chosen: 0,
      label: null,
      fallback: false,
    }
  })
  const solve = (P: Piece, k: number, allowExact: boolean): SearchResult => {
    const r = solvePiece(P, k, min, max, seed, deadline, allowExact)
    if (r.status === 'budget' && Date.now() > deadline) outOfTime = true
    return r
  }
  for (const P of ps) {
    if (P.range === null || P.g.m > SMALL_PIECE) continue
    let decided = true
    const counts: number[] = []
    for (const k of rangeValues(P.range)) {
      const r = solve(P, k, true)
      if (r.status === 'found') P.solutions.set(k, r.label!)
      else if (r.status !== 'infeasible') decided = false
      // Undecided counts stay possible: only a finished search may rule a count out.
      if (r.status !== 'infeasible') counts.push(k)
    }
    P.counts = counts
    P.exact = decided
  }

  // 4–5. Counts per piece, then cut each piece. A count that a large piece turns out not to admit
  // (proved, or not found within the budget) is dropped and the counts are chosen again.
  const lockedTotal = locked.size
  const failedCounts = new Map<Piece, Map<number, SearchResult['status']>>()
  const usable = (P: Piece): number[] => P.counts.filter((k) => !failedCounts.get(P)?.has(k))
  let planTotal: number | null = null
  for (let round = 0; round < 8; round++) {
    const viable = ps.filter((P) => usable(P).length > 0)
    if (requested !== null && viable.length > 0) {
      planTotal = nearest(sumSets(viable.map(usable)).map((c) => c + lockedTotal), requested)
      distribute(viable, usable, planTotal - lockedTotal, min, max)
    } else for (const P of viable) P.chosen = preferredCount(P.g.m, usable(P), min, max)
    let retry = false
    for (const P of ps) {
      P.label = null
      if (!viable.includes(P)) continue
      P.label = P.solutions.get(P.chosen) ?? null
      if (P.label) continue
      const r = solve(P, P.chosen, P.g.m <= EXACT_PIECE)
      if (r.status === 'found') {
        P.solutions.set(P.chosen, r.label!)
        P.label = r.label!
      } else {
        const failed = failedCounts.get(P) ?? new Map<number, SearchResult['status']>()
        failed.set(P.chosen, r.status)
        failedCounts.set(P, failed)
        retry = true
      }
    }
    if (!retry) break
  }
  for (const [P, failed] of failedCounts) {
    // A finished search rules a count out for good; a budget stop leaves it possible but undecided.
    P.counts = P.counts.filter((k) => failed.get(k) !== 'infeasible')
    if ([...failed.values()].some((st) => st !== 'infeasible')) P.exact = false
    if (P.label === null && P.counts.length > 0)
      problems.push({
        code: 'undecided',
        jurisdiction: jurName(P.parent),
        grids: P.grids,
        message: `${jurName(P.parent)}: no grouping of ${P.g.m} grids into ${formatCounts(P.counts)} cells of ${min}–${max} grids found within the search budget.`,
      })
  }
  const overallCounts = ps.every((P) => P.counts.length > 0)
    ? sumSets(ps.map((P) => P.counts)).map((c) => c + lockedTotal)
    : []

  // Pieces whose sizes or shape admit no count.
  for (const P of ps) {
    if (P.label !== null) continue
    if (P.counts.length === 0) {
      const ids = P.grids.slice(0, 12).map((i) => graph.ids[i] ?? String(i))
      const more = P.grids.length > 12 ? ', …' : ''
      problems.push(
        P.range === null
          ? {
              code: 'piece-size-unreachable',
              jurisdiction: jurName(P.parent),
              grids: P.grids,
              message: `${jurName(P.parent)}: a connected piece of ${P.g.m} grid(s) [${ids.join(', ')}${more}] cannot form cells of ${min}–${max} grids (no k with ${min}·k ≤ ${P.g.m} ≤ ${max}·k).`,
            }
          : {
              code: 'no-contiguous-grouping',
              jurisdiction: jurName(P.parent),
              grids: P.grids,
              message: `${jurName(P.parent)}: ${P.g.m} grids [${ids.join(', ')}${more}] could make ${formatCounts(rangeValues(P.range))} cells by size, but no grouping into contiguous cells of ${min}–${max} grids exists (exhaustive search).`,
            },
      )
    }
    // Best effort, so the caller still gets a complete assignment: nearest widened bounds, then max only.
    P.fallback = true
    P.label = fallbackLabel(P, min, max, seed, deadline)
  }

  // 6. Improve valid pieces.
  for (const P of ps) {
    if (P.fallback || !P.label) continue
    const order = Int32Array.from({ length: P.g.m }, (_, k) => k).sort((a, b) => P.rank[a] - P.rank[b])
    improve({
      g: P.g,
      label: P.label,
      cells: maxLabel(P.label) + 1,
      min,
      max,
      work: P.work,
      community: P.community,
      order,
      maxPasses: 20,
      deadline,
    })
  }

  // 7. Assemble: locked labels keep their index; new cells take the lowest free indices.
  const assignment = new Int32Array(n).fill(-1)
  for (const [l, members] of locked) for (const i of members) assignment[i] = l
  let next = 0
  const nextFree = (): number => {
    while (locked.has(next)) next++
    return next++
  }
  for (const P of ps) {
    const K = maxLabel(P.label!) + 1
    const global = Array.from({ length: K }, () => nextFree())
    for (let k = 0; k < P.g.m; k++) assignment[P.grids[k]] = global[P.label![k]]
    if (P.fallback) {
      const sizes = new Int32Array(K)
      for (let k = 0; k < P.g.m; k++) sizes[P.label![k]]++
      for (let c = 0; c < K; c++) {
        if (sizes[c] >= min && sizes[c] <= max) continue
        const nodes = P.grids.filter((_, k) => P.label![k] === c)
        exceptions.push({
          code: P.g.m < min ? 'component-lighter-than-min' : 'band-unreachable',
          part: global[c],
          parent: jurName(P.parent),
          nodes,
          message: `${jurName(P.parent)}: cell ${global[c]} has ${sizes[c]} grids, outside ${min}–${max}, because its piece of ${P.g.m} grids admits no valid grouping.`,
        })
      }
    }
    P.chosen = K
  }
  if (outOfTime)
    exceptions.push({
      code: 'time-budget',
      part: -1,
      parent: '',
      nodes: [],
      message: `The time budget of ${opts.timeBudgetMs} ms ran out; the result may not be reproducible.`,
    })
  const cells = new Set(assignment).size

  // Report.
  const pieceReports: PieceFeasibility[] = ps.map((P) => ({
    jurisdiction: jurName(P.parent),
    grids: P.grids,
    range: P.range,
    counts: P.counts,
    exact: P.exact,
    cells: P.chosen,
    separatedBy:
      wholePieceSize[P.grids[0]] > P.g.m ? 'locked-cells' : islandGrid[P.grids[0]] ? 'barrier' : 'none',
  }))
  const parentsUsed = [...new Set([...ps.map((P) => P.parent), ...lockedPerParent.keys()])].sort((a, b) => a - b)
  const jurisdictions: JurisdictionFeasibility[] = parentsUsed.map((p) => {
    const mine = ps.filter((P) => P.parent === p)
    const lockedCells = lockedPerParent.get(p) ?? 0
    const range = sumRanges(mine.map((P) => P.range))
    const counts = mine.every((P) => P.counts.length > 0) ? sumSets(mine.map((P) => P.counts)).map((c) => c + lockedCells) : []
    const cellsHere = mine.reduce((s, P) => s + P.chosen, 0) + lockedCells
    return {
      jurisdiction: jurName(p),
      grids: mine.reduce((s, P) => s + P.g.m, 0) + [...locked.values()].filter((ms) => graph.parent[ms[0]] === p).reduce((s, ms) => s + ms.length, 0),
      lockedCells,
      range: range === null ? null : [range[0] + lockedCells, range[1] + lockedCells],
      counts,
      feasible: counts.length > 0 && !mine.some((P) => P.fallback),
      requested: requested !== null ? cellsHere : null,
      cells: cellsHere,
      pieces: mine.length,
    }
  })
  if (requested !== null && overallCounts.length > 0 && !overallCounts.includes(requested))
    problems.push({
      code: 'requested-not-feasible',
      jurisdiction: null,
      grids: [],
      message: `${requested} cells requested; feasible totals are ${formatCounts(overallCounts)}. The returned plan has ${planTotal} cells.`,
    })
  const overallRange = sumRanges(ps.map((P) => P.range))
  const feasible =
    !ps.some((P) => P.fallback) &&
    !problems.some((p) => p.code !== 'locked-invalid') &&
    (requested === null || cells === requested)
  const base = {
    feasible,
    min,
    max,
    grids: n,
    requested,
    range: overallRange === null ? null : ([overallRange[0] + lockedTotal, overallRange[1] + lockedTotal] as const),
    counts: overallCounts,
    jurisdictions,
    pieces: pieceReports,
    problems,
  }
  const relaxed = feasible ? null : relaxBounds(ps.map((P) => P.g.m), lockedTotal, min, max, requested)
  const { suggestions, message } = explain(base, relaxed, gridPicker(graph, work))
  return { assignment, cells, feasibility: { ...base, suggestions, message }, exceptions }
}


/**
 * Concrete grids for merge/split suggestions: merge the adjacent pairs (usable edges) with the lightest
 * combined workload, disjoint; split the busiest grids. Both favour keeping cells balanced afterwards.
 */
function gridPicker(graph: Graph, work: Float64Array): GridPicker {
  return {
    merge(grids, amount) {
      const inPiece = new Set(grids)
      const pairs: [number, number, number][] = []
      for (const i of grids)
        for (let e = graph.xadj[i]; e < graph.xadj[i + 1]; e++) {
          const j = graph.adjncy[e]
          if (j > i && inPiece.has(j) && usableEdge(graph, i, e)) pairs.push([i, j, work[i] + work[j]])
        }
      pairs.sort((a, b) => a[2] - b[2] || a[0] - b[0] || a[1] - b[1])
      const used = new Set<number>()
      const out: [number, number][] = []
      for (const [i, j] of pairs) {
        if (out.length >= amount) break
        if (used.has(i) || used.has(j)) continue
        used.add(i)
        used.add(j)
        out.push([i, j])
      }
      return out
    },
    split(grids, amount) {
      return [...grids].sort((a, b) => work[b] - work[a] || a - b).slice(0, amount)
    },
    name: (i) => graph.ids[i] ?? String(i),
  }
}
