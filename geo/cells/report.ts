/**
 * The feasibility report of a cell grouping: per connected piece, per jurisdiction and overall, which cell
 * counts are possible, what is impossible and why, and what to change (counts, bounds, grids).
 * Structured for the API and UI (stable codes), with a readable message for the CLI.
 */
import { countRange, formatCounts, nearestFeasibleSizes, type CountRange } from './range.js'

export interface PieceFeasibility {
  jurisdiction: string
  /** Grid indices (graph nodes) of this connected piece of free grids. */
  grids: number[]
  /** Cell counts allowed by size alone: k with min·k ≤ n ≤ max·k; null when none. */
  range: CountRange
  /** Counts known to admit a contiguous grouping (exactly decided when `exact`, else the range). */
  counts: number[]
  exact: boolean
  /** Cells the plan gives this piece (after a successful or best-effort grouping). */
  cells: number
  /**
   * What separates this piece from the rest of its jurisdiction: nothing (it is the main piece),
   * a barrier or missing adjacency (an island / enclave), or locked cells around it.
   */
  separatedBy: 'none' | 'barrier' | 'locked-cells'
}

export interface JurisdictionFeasibility {
  jurisdiction: string
  grids: number
  /** Locked cells kept as given. */
  lockedCells: number
  /** Sum of the pieces' ranges plus locked cells; null when some piece admits no count. */
  range: CountRange
  /** Feasible totals for this jurisdiction. */
  counts: number[]
  feasible: boolean
  /** Cells requested for it (share of the total), when a total was requested. */
  requested: number | null
  /** Cells in the returned plan. */
  cells: number
  pieces: number
}

export type ProblemCode =
  | 'piece-size-unreachable' // a connected piece's size admits no count (7 grids with 5–6, a 3-grid enclave)
  | 'no-contiguous-grouping' // sizes allow it but the piece's shape does not (proved by exhaustive search)
  | 'undecided' // the search budget ran out before a grouping was found or ruled out
  | 'requested-not-feasible' // the requested total is not among the feasible totals
  | 'locked-invalid' // a locked cell breaks a rule and is kept as given

export interface FeasibilityProblem {
  code: ProblemCode
  jurisdiction: string | null
  grids: number[]
  message: string
}

export type SuggestionKind = 'counts' | 'relax-bounds' | 'merge-grids' | 'split-grids' | 'reconnect' | 'unlock'

export interface Suggestion {
  kind: SuggestionKind
  jurisdiction: string | null
  message: string
  counts?: number[]
  min?: number
  max?: number
  /** Grids concerned (the piece to fix). */
  grids?: number[]
  /** How many grids to merge away or split off. */
  amount?: number
  /** For merge-grids: adjacent pairs to merge, lightest workload first. */
  pairs?: [number, number][]
  /** For split-grids: the grids to split, heaviest workload first. */
  candidates?: number[]
}

/** Picks concrete grids for merge/split suggestions (the report itself knows no graph). */
export interface GridPicker {
  merge(grids: readonly number[], amount: number): [number, number][]
  split(grids: readonly number[], amount: number): number[]
  name(grid: number): string
}

export interface FeasibilityReport {
  feasible: boolean
  min: number
  max: number
  grids: number
  requested: number | null
  /** Overall range (sum of per-piece ranges and locked cells); null when some piece admits no count. */
  range: CountRange
  /** Overall feasible totals (sums of the pieces' feasible counts); empty when some piece has none. */
  counts: number[]
  jurisdictions: JurisdictionFeasibility[]
  pieces: PieceFeasibility[]
  problems: FeasibilityProblem[]
  suggestions: Suggestion[]
  message: string
}

/**
 * Nearest widened bounds [min', max'] (min' ≤ min, max' ≥ max, smallest total widening, then the one
 * that moves max) under which every piece admits a count and, when given, `requested` lies in the sum of
 * the jurisdictions' ranges. Arithmetic only, like the ranges it works from.
 */
export function relaxBounds(
  pieceSizes: readonly number[],
  lockedCells: number,
  min: number,
  max: number,
  requested: number | null,
): { min: number; max: number } | null {
  const largest = pieceSizes.reduce((a, s) => Math.max(a, s), 1)
  const limit = min - 1 + Math.max(0, largest - max) + (requested !== null ? largest : 0) + 1
  for (let d = 1; d <= limit; d++) {
    for (let down = 0; down <= d; down++) {
      const a = min - down
      const b = max + (d - down)
      if (a < 1) continue
      if (ok(a, b)) return { min: a, max: b }
    }
  }
  return null

  function ok(a: number, b: number): boolean {
    let lo = lockedCells
    let hi = lockedCells
    for (let p = 0; p < pieceSizes.length; p++) {
      const r = countRange(pieceSizes[p], a, b)
      if (r === null) return false
      lo += r[0]
      hi += r[1]
    }
    return requested === null || (lo <= requested && requested <= hi)
  }
}

/** Suggestions and message for a report whose numbers are already filled in. */
export function explain(
  r: Omit<FeasibilityReport, 'suggestions' | 'message'>,
  relaxed: { min: number; max: number } | null,
  pick?: GridPicker,
): {
  suggestions: Suggestion[]
  message: string
} {
  const suggestions: Suggestion[] = []
  const { min, max } = r
  const bounds = `${min}–${max} grids per cell`

  for (const p of r.pieces) {
    if (p.range !== null || p.grids.length === 0) continue
    const n = p.grids.length
    if (p.separatedBy === 'barrier')
      suggestions.push({
        kind: 'reconnect',
        jurisdiction: p.jurisdiction,
        grids: p.grids,
        message:
          `${p.jurisdiction}: ${n} grid(s) are cut off from the rest of the jurisdiction (barrier or missing ` +
          `adjacency); join them to a neighbouring piece (remove the barrier cut) or accept a smaller cell there.`,
      })
    if (p.separatedBy === 'locked-cells')
      suggestions.push({
        kind: 'unlock',
        jurisdiction: p.jurisdiction,
        grids: p.grids,
        message: `${p.jurisdiction}: ${n} free grid(s) are hemmed in by locked cells; unlock a neighbouring cell.`,
      })
    const { below, above } = nearestFeasibleSizes(n, min, max)
    if (below !== null) {
      const pairs = pick?.merge(p.grids, n - below) ?? []
      const eg = pairs.length > 0 ? `, e.g. ${pairs.map(([a, b]) => `${pick!.name(a)} + ${pick!.name(b)}`).join(', ')}` : ''
      suggestions.push({
        kind: 'merge-grids',
        jurisdiction: p.jurisdiction,
        grids: p.grids,
        amount: n - below,
        ...(pairs.length > 0 ? { pairs } : {}),
        message: `${p.jurisdiction}: merge ${n - below} pair(s) of adjacent grids in this piece (${n} -> ${below} grids)${eg}.`,
      })
    }
    const candidates = pick?.split(p.grids, above - n) ?? []
    const eg = candidates.length > 0 ? `, e.g. the busiest: ${candidates.map((g) => pick!.name(g)).join(', ')}` : ''
    suggestions.push({
      kind: 'split-grids',
      jurisdiction: p.jurisdiction,
      grids: p.grids,
      amount: above - n,
      ...(candidates.length > 0 ? { candidates } : {}),
      message: `${p.jurisdiction}: split ${above - n} grid(s) in this piece (${n} -> ${above} grids)${eg}.`,
    })
  }

  if (r.requested !== null && !r.counts.includes(r.requested) && r.counts.length > 0) {
    const n = r.grids
    const N = r.requested
    suggestions.push({
      kind: 'counts',
      jurisdiction: null,
      counts: r.counts,
      message: `Request a cell count in ${formatCounts(r.counts)}.`,
    })
    if (N < r.counts[0]) {
      suggestions.push({
        kind: 'merge-grids',
        jurisdiction: null,
        amount: Math.max(0, n - N * max),
        message: `${N} cells of at most ${max} grids hold at most ${N * max} grids: merge at least ${n - N * max} grids away, or raise max.`,
      })
    } else if (N > r.counts[r.counts.length - 1]) {
      suggestions.push({
        kind: 'split-grids',
        jurisdiction: null,
        amount: Math.max(0, N * min - n),
        message: `${N} cells of at least ${min} grids need at least ${N * min} grids: split at least ${N * min - n} more grids, or lower min.`,
      })
    }
  }
  if (!r.feasible && relaxed !== null) {
    suggestions.push({
      kind: 'relax-bounds',
      jurisdiction: null,
      min: relaxed.min,
      max: relaxed.max,
      message: `Nearest feasible bounds: ${relaxed.min}–${relaxed.max} grids per cell.`,
    })
  }

  const lines: string[] = []
  const jurisdictions = r.jurisdictions.length
  if (r.feasible) {
    lines.push(
      `Feasible: ${r.grids} grids in ${jurisdictions} jurisdiction(s) with ${bounds}` +
        (r.requested !== null ? `; ${r.requested} cells requested.` : '.') +
        ` Feasible cell counts: ${formatCounts(r.counts)}.`,
    )
  } else {
    if (r.requested !== null && r.counts.length > 0 && !r.counts.includes(r.requested)) {
      let why = ''
      if (r.requested * max < r.grids) why = ` (${r.requested} × ${max} = ${r.requested * max} < ${r.grids})`
      else if (r.requested * min > r.grids) why = ` (${r.requested} × ${min} = ${r.requested * min} > ${r.grids})`
      lines.push(
        `Infeasible: ${r.grids} grids in ${jurisdictions} jurisdiction(s) with ${bounds}: ` +
          `${r.requested} cells is impossible${why}; ${formatCounts(r.counts)} feasible.`,
      )
    } else {
      lines.push(`Infeasible: ${r.grids} grids in ${jurisdictions} jurisdiction(s) with ${bounds}.`)
    }
  }
  for (const pr of r.problems) lines.push(`- ${pr.message}`)
  if (suggestions.length > 0) {
    lines.push('Suggestions:')
    for (const s of suggestions) lines.push(`- ${s.message}`)
  }
  return { suggestions, message: lines.join('\n') }
}
