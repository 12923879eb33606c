/**
 * Cell-count arithmetic. A connected piece of n grids can be cut into k cells of min..max grids only if
 * min·k ≤ n ≤ max·k, i.e. k ∈ [ceil(n/max), floor(n/min)]. That interval is necessary; contiguity can
 * remove counts from it, which the exact search in search.ts decides for small pieces.
 */

/** Inclusive range of cell counts, or null when no count works (n = 7 with 5–6). */
export type CountRange = readonly [lo: number, hi: number] | null

export function countRange(n: number, min: number, max: number): CountRange {
  if (n === 0) return [0, 0]
  const lo = Math.ceil(n / max)
  const hi = Math.floor(n / min)
  return lo <= hi ? [lo, hi] : null
}

/** Sum of ranges (Minkowski sum); null as soon as one is null. */
export function sumRanges(ranges: Iterable<CountRange>): CountRange {
  let lo = 0
  let hi = 0
  for (const r of ranges) {
    if (r === null) return null
    lo += r[0]
    hi += r[1]
  }
  return [lo, hi]
}

/**
 * Every total reachable by choosing one count from each set (sets of small non-negative integers).
 * Bitset DP; used where contiguity punched holes into a piece's range.
 */
export function sumSets(sets: readonly (readonly number[])[]): number[] {
  let reach = new Uint8Array(1)
  reach[0] = 1
  for (const s of sets) {
    if (s.length === 0) return []
    const top = reach.length - 1 + Math.max(...s)
    const next = new Uint8Array(top + 1)
    for (let t = 0; t < reach.length; t++) if (reach[t]) for (const k of s) next[t + k] = 1
    reach = next
  }
  const out: number[] = []
  for (let t = 0; t < reach.length; t++) if (reach[t]) out.push(t)
  return out
}

/** Integers of a range as an array. */
export function rangeValues(r: CountRange): number[] {
  if (r === null) return []
  const out: number[] = []
  for (let k = r[0]; k <= r[1]; k++) out.push(k)
  return out
}

/**
 * Nearest piece sizes that admit a grouping: the largest feasible size below n (reach it by merging
 * n − below pairs of grids) and the smallest above (split above − n grids). Null where none exists.
 */
export function nearestFeasibleSizes(n: number, min: number, max: number): { below: number | null; above: number } {
  let below: number | null = null
  for (let m = n - 1; m >= min; m--) {
    if (countRange(m, min, max) !== null) {
      below = m
      break
    }
  }
  let above = n + 1
  while (countRange(above, min, max) === null) above++
  return { below, above }
}

/** Compact text of a sorted count list: [5,6,7,9] -> "5–7, 9". */
export function formatCounts(counts: readonly number[]): string {
  if (counts.length === 0) return 'none'
  const parts: string[] = []
  let start = counts[0]
  let prev = counts[0]
  for (let i = 1; i <= counts.length; i++) {
    const c = counts[i]
    if (c === prev + 1) {
      prev = c
      continue
    }
    parts.push(start === prev ? `${start}` : `${start}–${prev}`)
    start = c
    prev = c
  }
  return parts.join(', ')
}
