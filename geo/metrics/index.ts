/**
 * Per-part and per-plan metrics: the one definition the CLI, the API and the web editor all show.
 *
 * Everything derives from the graph (no geometry work), so a 10k-unit plan is measured in a few
 * milliseconds and the numbers agree wherever they are shown:
 * - area = Σ unit areas (m²); perimeter of the dissolved part = Σ unit perimeters − 2 × Σ internal
 *   shared lengths (m), i.e. the part's outer boundary plus its boundary with other parts;
 * - Polsby–Popper = 4πA / P² (1 = a circle). Shared lengths come from snapped matching, so P is floored at
 *   the circle's 2√(πA) to keep the score within [0, 1] on sliver-heavy data;
 * - deviation = (weight − target) / target in %, target = opts.target, else the band middle, else the
 *   mean part weight;
 * - pieces = connected pieces through shared boundaries (corner touches do not connect);
 * - crossings = internal edges with edgeCut = 1 (a hard barrier or a parent border inside the part).
 */
import { partPieces } from '../graph/components.js'
import type { Graph } from '../types.js'

export interface MetricsOptions {
  /** Optional second weight (households), summed per part like `weights`. */
  households?: Float64Array
  /** Band on the part weight; parts outside it are flagged. */
  min?: number
  max?: number
  /** Target part weight for the deviation; default the band middle, else the mean part weight. */
  target?: number
  /** Number of parts; default max(assignment) + 1. */
  parts?: number
  /**
   * Measure only these nodes, which must include every node that has a part (the others are
   * unassigned): per-part metrics are exact and cost O(size of the parts) instead of O(graph);
   * the summary's unassigned count and plan cut then only cover `nodes`. In ascending order, sums
   * are added in the same order as without `nodes`, so the results are identical to the last bit.
   */
  nodes?: ArrayLike<number>
}

export interface PartMetrics {
  part: number
  units: number
  weight: number
  /** null when no households weight was given. */
  households: number | null
  /** % from the target; null when the target is 0. */
  deviation: number | null
  /** null when no band was given. */
  inBand: boolean | null
  /** m² and metres. */
  area: number
  perimeter: number
  polsbyPopper: number
  /** Connected pieces: 1 = contiguous, 0 = empty part. */
  pieces: number
  /** Parent key of its units, or 'mixed' when they come from several parents. */
  parent: string
  crossesParent: boolean
  /** Internal edges that are cut (along a hard barrier or across a parent border). */
  crossings: number
  /** Edges to units of other parts or unassigned units, and their total length in metres. */
  cutEdges: number
  cutLength: number
}

export interface PlanSummary {
  parts: number
  units: number
  unassigned: number
  totalWeight: number
  target: number
  minWeight: number
  maxWeight: number
  /** Share (0..1) of non-empty parts inside the band; null when no band. */
  inBandShare: number | null
  inBand: number | null
  /** Largest |deviation| in %. */
  maxAbsDeviation: number
  nonContiguous: number
  empty: number
  /** Parts that mix parents, and parts with at least one internal cut edge (barrier or parent border inside). */
  crossingParent: number
  withCrossings: number
  /** Undirected edges whose ends are not in one part (unassigned ends included), and their length in metres. */
  cutEdges: number
  cutLength: number
  meanPolsbyPopper: number
  minPolsbyPopper: number
}

export interface PlanMetrics {
  parts: PartMetrics[]
  summary: PlanSummary
}

/**
 * Metrics of `assignment` (part per node, -1 = unassigned) with `weights` per node on `graph`.
 * Lengths in metres, areas in m², deviations in %.
 */
export function planMetrics(graph: Graph, assignment: Int32Array, weights: Float64Array, opts: MetricsOptions = {}): PlanMetrics {
  const n = graph.n
  if (assignment.length !== n) throw new RangeError(`assignment has ${assignment.length} entries for ${n} nodes`)
  if (weights.length !== n) throw new RangeError(`weights has ${weights.length} entries for ${n} nodes`)
  const hh = opts.households
  if (hh && hh.length !== n) throw new RangeError(`households has ${hh.length} entries for ${n} nodes`)
  let k = opts.parts ?? 0
  if (opts.parts === undefined) for (let v = 0; v < n; v++) if (assignment[v] + 1 > k) k = assignment[v] + 1

  const units = new Int32Array(k)
  const weight = new Float64Array(k)
  const households = new Float64Array(k)
  const area = new Float64Array(k)
  const perimeter = new Float64Array(k)
  const crossings = new Int32Array(k)
  const cutEdges = new Int32Array(k)
  const cutLength = new Float64Array(k)
  // Parent of the part's first unit, or -2 once a second parent shows up.
  const parent = new Int32Array(k).fill(-1)
  let unassigned = 0, planCut = 0, planCutLength = 0
  const { xadj, adjncy, edgeLength, edgeCut } = graph
  const only = opts.nodes
  const count = only ? only.length : n
  for (let i = 0; i < count; i++) {
    const v = only ? only[i] : i
    const p = assignment[v]
    if (p < 0 || p >= k) {
      unassigned++
      for (let e = xadj[v]; e < xadj[v + 1]; e++) {
        const w = adjncy[e]
        // Unit–unassigned boundaries are counted once, from the assigned side below; here only unassigned pairs.
        if (w > v && (assignment[w] < 0 || assignment[w] >= k)) {
          planCut++
          planCutLength += edgeLength[e]
        }
      }
      continue
    }
    units[p]++
    weight[p] += weights[v]
    if (hh) households[p] += hh[v]
    area[p] += graph.area[v]
    perimeter[p] += graph.perimeter[v]
    const pv = graph.parent[v]
    if (parent[p] === -1) parent[p] = pv
    else if (parent[p] !== pv) parent[p] = -2
    for (let e = xadj[v]; e < xadj[v + 1]; e++) {
      const w = adjncy[e]
      if (assignment[w] === p) {
        perimeter[p] -= edgeLength[e]
        if (edgeCut[e] && w > v) crossings[p]++
      } else {
        cutEdges[p]++
        cutLength[p] += edgeLength[e]
        // Each undirected edge between two parts is seen from both ends: count it from the lower node,
        // and always when the other end is unassigned (that side is not visited for it).
        const q = assignment[w]
        if (w > v || q < 0 || q >= k) {
          planCut++
          planCutLength += edgeLength[e]
        }
      }
    }
  }

  const pieces = partPieces(graph, assignment, { parts: k, nodes: only })
  const hasBand = opts.min !== undefined && opts.max !== undefined
  let total = 0, nonEmpty = 0
  for (let p = 0; p < k; p++) {
    total += weight[p]
    if (units[p] > 0) nonEmpty++
  }
  const target =
    opts.target ?? (hasBand ? (opts.min! + opts.max!) / 2 : nonEmpty > 0 ? total / nonEmpty : 0)

  const parts: PartMetrics[] = new Array(k)
  const s: PlanSummary = {
    parts: k, units: count - unassigned, unassigned, totalWeight: total, target,
    minWeight: Infinity, maxWeight: -Infinity, inBandShare: hasBand ? 0 : null, inBand: hasBand ? 0 : null,
    maxAbsDeviation: 0, nonContiguous: 0, empty: 0, crossingParent: 0, withCrossings: 0,
    cutEdges: planCut, cutLength: planCutLength, meanPolsbyPopper: 0, minPolsbyPopper: Infinity,
  }
  for (let p = 0; p < k; p++) {
    const a = area[p]
    const per = Math.max(perimeter[p], 2 * Math.sqrt(Math.PI * a))
    const pp = per > 0 ? (4 * Math.PI * a) / (per * per) : 0
    const dev = target !== 0 ? ((weight[p] - target) / target) * 100 : null
    const inBand = hasBand ? weight[p] >= opts.min! && weight[p] <= opts.max! : null
    const crossesParent = parent[p] === -2
    parts[p] = {
      part: p,
      units: units[p],
      weight: weight[p],
      households: hh ? households[p] : null,
      deviation: dev,
      inBand,
      area: a,
      perimeter: per,
      polsbyPopper: pp,
      pieces: pieces[p],
      parent: crossesParent ? 'mixed' : parent[p] >= 0 ? graph.parents[parent[p]] : '',
      crossesParent,
      crossings: crossings[p],
      cutEdges: cutEdges[p],
      cutLength: cutLength[p],
    }
    if (units[p] === 0) {
      s.empty++
      continue
    }
    if (weight[p] < s.minWeight) s.minWeight = weight[p]
    if (weight[p] > s.maxWeight) s.maxWeight = weight[p]
    if (inBand) s.inBand!++
    if (dev !== null && Math.abs(dev) > s.maxAbsDeviation) s.maxAbsDeviation = Math.abs(dev)
    if (pieces[p] > 1) s.nonContiguous++
    if (crossesParent) s.crossingParent++
    if (crossings[p] > 0) s.withCrossings++
    s.meanPolsbyPopper += pp
    if (pp < s.minPolsbyPopper) s.minPolsbyPopper = pp
  }
  if (nonEmpty > 0) {
    s.meanPolsbyPopper /= nonEmpty
    if (hasBand) s.inBandShare = s.inBand! / nonEmpty
  } else {
    s.minWeight = 0
    s.maxWeight = 0
    s.minPolsbyPopper = 0
  }
  return { parts, summary: s }
}
