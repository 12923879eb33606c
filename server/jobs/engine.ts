/**
 * The CPU-heavy part of a job, pure and synchronous: it runs inside a worker thread (worker.ts) so the
 * server keeps answering. Input and output are typed arrays, copied once across the thread boundary.
 */
import { partition } from '../../geo/partition/index.js'
import { groupCells } from '../../geo/cells/index.js'
import type { Graph, PartException } from '../../geo/types.js'

export type EngineInput =
  | {
      kind: 'partition' | 'rebalance'
      graph: Graph
      weights: Float64Array
      min: number
      max: number
      target?: number
      seed: number
      timeBudgetMs: number
      /** Locked grid index per unit node, -1 = free. */
      lock: Int32Array
      /** Current grid index per unit node (rebalance), -1 = none. */
      initial?: Int32Array
    }
  | {
      kind: 'cells'
      graph: Graph
      weights: Float64Array
      /** Grid index per unit node, -1 = unassigned. */
      unitGrid: Int32Array
      grids: number
      /** Jurisdiction index and community index per grid. */
      gridJurisdiction: Int32Array
      gridCommunity: Int32Array
      /** Locked cell index per grid, -1 = free. */
      cellLock: Int32Array
      min: number
      max: number
      cells?: number
      seed: number
      timeBudgetMs: number
    }

export interface EngineOutput {
  /** Part per node: grid per unit (partition, rebalance) or cell per grid (cells). */
  assignment: Int32Array
  parts: number
  exceptions: PartException[]
  feasibility?: unknown
}

/** The graph of grids: grids adjacent when any of their units are; edges across jurisdictions are cut. */
export function gridGraph(g: Graph, unitGrid: Int32Array, k: number, gridJurisdiction: Int32Array, weights: Float64Array): Graph {
  const adj: Map<number, number>[] = Array.from({ length: k }, () => new Map())
  const area = new Float64Array(k)
  const perimeter = new Float64Array(k)
  const x = new Float64Array(k)
  const y = new Float64Array(k)
  const w = new Float64Array(k)
  for (let v = 0; v < g.n; v++) {
    const a = unitGrid[v]
    if (a < 0) continue
    area[a] += g.area[v]
    perimeter[a] += g.perimeter[v]
    const wt = g.area[v] || 1
    x[a] += g.x[v] * wt
    y[a] += g.y[v] * wt
    w[a] += wt
    for (let e = g.xadj[v]; e < g.xadj[v + 1]; e++) {
      const b = unitGrid[g.adjncy[e]]
      if (b < 0 || b === a) continue
      adj[a].set(b, (adj[a].get(b) ?? 0) + g.edgeLength[e])
    }
  }
  const xadj = new Int32Array(k + 1)
  for (let a = 0; a < k; a++) xadj[a + 1] = xadj[a] + adj[a].size
  const adjncy = new Int32Array(xadj[k])
  const edgeLength = new Float64Array(xadj[k])
  const edgeCut = new Uint8Array(xadj[k])
  for (let a = 0; a < k; a++) {
    let e = xadj[a]
    for (const [b, len] of [...adj[a].entries()].sort((p, q) => p[0] - q[0])) {
      adjncy[e] = b
      edgeLength[e] = len
      edgeCut[e] = gridJurisdiction[a] !== gridJurisdiction[b] ? 1 : 0
      e++
    }
  }
  for (let a = 0; a < k; a++) {
    if (w[a] > 0) (x[a] /= w[a]), (y[a] /= w[a])
    perimeter[a] = Math.max(0, perimeter[a])
  }
  const parents = [...new Set(gridJurisdiction)].sort((p, q) => p - q)
  const pIndex = new Map(parents.map((p, i) => [p, i]))
  void weights
  return {
    n: k,
    xadj,
    adjncy,
    edgeLength,
    edgeCut,
    x,
    y,
    area,
    perimeter,
    parent: Int32Array.from(gridJurisdiction, (j) => pIndex.get(j)!),
    parents: parents.map(String),
    ids: Array.from({ length: k }, (_, i) => String(i)),
  }
}

export function runEngine(input: EngineInput): EngineOutput {
  if (input.kind === 'cells') {
    const gg = gridGraph(input.graph, input.unitGrid, input.grids, input.gridJurisdiction, input.weights)
    const gw = new Float64Array(input.grids)
    for (let v = 0; v < input.graph.n; v++) if (input.unitGrid[v] >= 0) gw[input.unitGrid[v]] += input.weights[v]
    const r = groupCells(gg, {
      min: input.min,
      max: input.max,
      cells: input.cells,
      weights: gw,
      community: input.gridCommunity,
      lock: input.cellLock,
      seed: input.seed,
      timeBudgetMs: input.timeBudgetMs,
    })
    return { assignment: r.assignment, parts: r.cells, exceptions: r.exceptions, feasibility: r.feasibility }
  }
  const r = partition(input.graph, input.weights, {
    min: input.min,
    max: input.max,
    target: input.target,
    seed: input.seed,
    lock: input.lock,
    initial: input.kind === 'rebalance' ? input.initial : undefined,
    timeBudgetMs: input.timeBudgetMs,
  })
  return { assignment: r.assignment, parts: r.parts, exceptions: r.exceptions }
}
