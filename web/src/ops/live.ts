import { gridWeights, gridsOfCell } from './state.js'
import type { PlanState } from './types.js'

export type BandStatus = 'under' | 'ok' | 'over' | 'empty'

/** Where a grid weight sits against the band, and how much to add (+) or remove (−) to get inside. */
export function bandStatus(weight: number, units: number, band: { min: number; max: number }): { status: BandStatus; amount: number } {
  if (units === 0) return { status: 'empty', amount: band.min }
  if (weight < band.min) return { status: 'under', amount: band.min - weight }
  if (weight > band.max) return { status: 'over', amount: weight - band.max }
  return { status: 'ok', amount: 0 }
}

/** Band middle, the target every deviation is measured from (as in geo/metrics). */
export const bandTarget = (band: { min: number; max: number }) => (band.min + band.max) / 2

/** % from the band middle; null when the target is 0 or the band has no upper bound (a plan without limits). */
export function deviation(weight: number, band: { min: number; max: number }): number | null {
  if (!(band.max < Number.MAX_SAFE_INTEGER)) return null
  const t = bandTarget(band)
  return t === 0 ? null : ((weight - t) / t) * 100
}

/**
 * Connected pieces of one grid through the unit adjacency (shared edges only), or null when the
 * adjacency is unknown. O(units of the grid + their edges) given the grid's unit list.
 */
export function piecesOf(s: PlanState, units: readonly number[], grid: number): number | null {
  if (!s.adjacency) return null
  const { xadj, adjncy } = s.adjacency
  const seen = new Set<number>()
  let pieces = 0
  const stack: number[] = []
  for (const start of units) {
    if (seen.has(start)) continue
    pieces++
    seen.add(start)
    stack.push(start)
    while (stack.length) {
      const u = stack.pop()!
      for (let k = xadj[u]!; k < xadj[u + 1]!; k++) {
        const v = adjncy[k]!
        if (!seen.has(v) && s.unitGrid[v] === grid) {
          seen.add(v)
          stack.push(v)
        }
      }
    }
  }
  return pieces
}

export type Violation =
  | { kind: 'out-of-band'; grid: number; weight: number; status: 'under' | 'over' | 'empty'; amount: number }
  | { kind: 'non-contiguous'; grid: number; pieces: number }
  | { kind: 'crosses-parent'; grid: number }
  | { kind: 'cell-size'; cell: number; count: number }
  | { kind: 'cell-jurisdiction'; cell: number }
  | { kind: 'unassigned'; count: number; first: number }

/**
 * Every rule the live panel lists, computed in one pass over units plus one over grids: O(units + edges),
 * a few milliseconds on a 10k-unit plan, so it can run after each stroke step.
 */
export function violations(s: PlanState): Violation[] {
  const out: Violation[] = []
  const w = gridWeights(s)
  const byGrid: number[][] = s.grids.map(() => [])
  const crosses = new Uint8Array(s.grids.length)
  let unassigned = 0
  let firstUnassigned = -1
  for (let u = 0; u < s.unitGrid.length; u++) {
    const g = s.unitGrid[u]!
    if (g < 0) {
      if (unassigned++ === 0) firstUnassigned = u
      continue
    }
    byGrid[g]!.push(u)
    const c = s.grids[g]!.community
    const uc = s.unitCommunity[u]!
    if (c >= 0 && uc >= 0 && c !== uc) crosses[g] = 1
  }
  for (let g = 0; g < s.grids.length; g++) {
    if (s.grids[g]!.removed) continue
    const b = bandStatus(w[g]!, s.gridUnits[g]!, s.band)
    if (b.status !== 'ok') out.push({ kind: 'out-of-band', grid: g, weight: w[g]!, status: b.status, amount: b.amount })
    const p = piecesOf(s, byGrid[g]!, g)
    if (p !== null && p > 1) out.push({ kind: 'non-contiguous', grid: g, pieces: p })
    if (crosses[g]) out.push({ kind: 'crosses-parent', grid: g })
  }
  for (let c = 0; c < s.cells.length; c++) {
    const grids = gridsOfCell(s, c)
    if (grids.length < s.cellBand.min || grids.length > s.cellBand.max) out.push({ kind: 'cell-size', cell: c, count: grids.length })
    const js = new Set(grids.map((g) => s.communities[s.grids[g]!.community]?.jurisdiction ?? -1).filter((j) => j >= 0))
    if (js.size > 1) out.push({ kind: 'cell-jurisdiction', cell: c })
  }
  if (unassigned) out.push({ kind: 'unassigned', count: unassigned, first: firstUnassigned })
  return out
}

/** Totals of one cell: its grids' sums. */
export function cellTotals(s: PlanState, cell: number) {
  const grids = gridsOfCell(s, cell)
  let population = 0
  let households = 0
  let units = 0
  for (const g of grids) {
    population += s.gridPopulation[g]!
    households += s.gridHouseholds[g]!
    units += s.gridUnits[g]!
  }
  return { grids: grids.length, population, households, units }
}
