/**
 * buildGraph: unit polygons -> rook adjacency (CSR) with shared-boundary lengths in metres.
 *
 * How: every ring is flattened to projected segments (local equirectangular plane, see project.ts); all
 * segments go into one Flatbush index with boxes grown by the snap tolerance; each segment queries it and,
 * for every segment of a higher-numbered unit, adds the length along which the two run within the
 * tolerance (overlap.ts). Summing those lengths per unit pair gives the shared boundary even when
 * vertices do not match, neighbours leave a sliver gap or overlap slightly. A stretch of boundary belongs
 * to the nearest unit across it only, so units meeting at a vertex with a thin unit in the wedge between
 * them do not "share" the first metres of that wedge, and a pair's length must be found along both
 * units' boundaries. Pairs whose length stays below `minSharedMetres` are corner touches (or crossings
 * at an angle) and are not edges. On the Henrico, Providence and Rockland census blocks this gives
 * exactly the pairs whose boundaries intersect in a line (DE-9IM F***1****, the usual rook rule; checked
 * pair by pair with JSTS), while still bridging gaps and mismatched vertices in less tidy layers.
 * Indexing segments rather than unit boxes keeps the cost proportional to the boundary length near each
 * segment, so a large unit with hundreds of neighbours does not compare all its segments with all theirs.
 */
import Flatbush from 'flatbush'
import type { FeatureCollection, LineString, MultiLineString, MultiPolygon, Polygon } from 'geojson'
import type { Graph } from '../types.js'
import { indexBarriers, lengthNearBarriers } from './barriers.js'
import { components, islands, type Island } from './components.js'
import { featureArea, featurePerimeter, representativePoint } from './measure.js'
import type { LocalProjection } from './project.js'
import { flattenRings, ringSignedArea, type RingSet } from './rings.js'
import { sharedRun } from './overlap.js'

export interface BuildGraphOptions {
  /** Property holding the unit id (kept as a string). Default: the feature index. */
  id?: string
  /** Property holding the parent key (community / jurisdiction); edges across parents are cut. */
  nest?: string
  /** Barrier lines (lng, lat); a feature is hard unless `properties.hard === false`. */
  barriers?: FeatureCollection<LineString | MultiLineString | null>
  /** Gap/overlap tolerance in metres for matching boundaries. Default 0.5. */
  snapMetres?: number
  /** Distance in metres within which a shared boundary counts as running along a barrier. Default snapMetres. */
  barrierMetres?: number
  /** Shared length in metres below which a touch is a corner, not an edge. Default 2 × snapMetres. */
  minSharedMetres?: number
}

export interface GraphReport {
  nodes: number
  /** Undirected edges. */
  edges: number
  /** Undirected edges with edgeCut = 1, and why (an edge may be both). */
  cutEdges: number
  parentCutEdges: number
  barrierCutEdges: number
  /** Components over non-cut edges (each inside one parent) and over all edges. */
  components: number
  physicalComponents: number
  islands: Island[]
  /** Nodes with no neighbour at all. */
  isolated: number[]
  /** Nodes without a usable polygon (null or degenerate geometry). */
  empty: number[]
  /** Ids that occur more than once, and how many nodes lacked the id property (their index is used). */
  duplicateIds: string[]
  missingIds: number
  /** Nodes whose nest property was missing (they share the parent ''). */
  missingParent: number
  hardBarriers: number
  softBarriers: number
  snapMetres: number
  barrierMetres: number
  minSharedMetres: number
  projection: LocalProjection
  /** Build time in milliseconds. */
  ms: number
}

type Units = FeatureCollection<Polygon | MultiPolygon | null>

function key(v: unknown): string | null {
  if (v === null || v === undefined || v === '') return null
  return String(v)
}

/** Ids and parents in node order. */
function labels(units: Units, opts: BuildGraphOptions) {
  const n = units.features.length
  const ids: string[] = new Array(n)
  const missingIds: number[] = []
  const seen = new Set<string>()
  const dup = new Set<string>()
  for (let i = 0; i < n; i++) {
    const f = units.features[i]
    let id = opts.id === undefined ? String(i) : key(f.properties?.[opts.id])
    if (id === null) {
      missingIds.push(i)
      id = String(i)
    }
    if (seen.has(id)) dup.add(id)
    seen.add(id)
    ids[i] = id
  }
  const parent = new Int32Array(n)
  const parents: string[] = []
  let missingParent = 0
  if (opts.nest === undefined) parents.push('')
  else {
    const index = new Map<string, number>()
    for (let i = 0; i < n; i++) {
      let k = key(units.features[i].properties?.[opts.nest])
      if (k === null) {
        missingParent++
        k = ''
      }
      let p = index.get(k)
      if (p === undefined) {
        p = parents.length
        index.set(k, p)
        parents.push(k)
      }
      parent[i] = p
    }
  }
  return { ids, missingIds, duplicateIds: [...dup], parent, parents, missingParent }
}

interface Pairs {
  a: number[]
  b: number[]
  /** Shared length measured along a's segments and along b's (a < b). */
  lenA: number[]
  lenB: number[]
  /** Part of lenA within barrierMetres of hard barriers. */
  barrier: number[]
}

/** Offsets closer than this (metres) count as a tie between two units claiming the same stretch. */
const TIE = 1e-3

/**
 * Shared length (and length along hard barriers) for every unit pair that runs together, measured along
 * each unit's own segments.
 *
 * Nearest unit wins: along a stretch of one unit's boundary, another unit counts only where no third unit
 * lies closer to that stretch. Without this rule, two units that meet at one vertex with a narrow wedge
 * between them (filled by a third unit) "run together" for tol / tan(angle) metres from the vertex, which
 * passes the minimum shared length for any angle below ~27° (tol 0.5 m, minimum 1 m): on Henrico blocks
 * ~290 such corner touches became edges, some over 100 m long where a sliver block fills a 0.3° wedge.
 * The wedge's filler coincides with the boundary (offset ~0), so the corner neighbour keeps only a
 * vanishing stretch at the vertex. Real neighbours with mismatched vertices, gaps or overlaps are
 * unaffected: nothing else lies between them.
 */
function matchSegments(rs: RingSet, tol: number, barrierTol: number, bar: ReturnType<typeof indexBarriers>): Pairs {
  const { px, py, ringStart } = rs
  const m = px.length
  // Segment k runs from vertex k to segEnd[k]; segOwner[k] is its unit.
  // segSide[k] is +1 when the unit lies left of the segment, -1 when right (rings in the data may run
  // either way). Units that share a boundary lie on opposite sides of it, so only segments whose
  // interior-left directions are opposed can match: this rejects the extra ~tol/sin(angle) metres an
  // acute corner would otherwise add along the other side of the spike, and parallel edges of overlaps.
  const segEnd = new Int32Array(m)
  const segOwner = new Int32Array(m)
  const segSide = new Int8Array(m)
  for (let r = 0; r + 1 < ringStart.length; r++) {
    const s = ringStart[r], e = ringStart[r + 1]
    const ccw = ringSignedArea(rs, r) >= 0
    const side = ccw === !rs.ringHole[r] ? 1 : -1
    for (let k = s; k < e; k++) {
      segEnd[k] = k + 1 < e ? k + 1 : s
      segOwner[k] = rs.ringOwner[r]
      segSide[k] = side
    }
  }
  const pairs: Pairs = { a: [], b: [], lenA: [], lenB: [], barrier: [] }
  if (m === 0) return pairs
  const index = new Flatbush(m)
  for (let k = 0; k < m; k++) {
    const x0 = px[k], y0 = py[k], x1 = px[segEnd[k]], y1 = py[segEnd[k]]
    index.add(Math.min(x0, x1) - tol, Math.min(y0, y1) - tol, Math.max(x0, x1) + tol, Math.max(y0, y1) + tol)
  }
  index.finish()
  const n = rs.n
  const pairOf = new Map<number, number>()
  const pairIndex = (a: number, b: number): number => {
    const pk = a * n + b
    let p = pairOf.get(pk)
    if (p === undefined) {
      p = pairs.a.length
      pairOf.set(pk, p)
      pairs.a.push(a)
      pairs.b.push(b)
      pairs.lenA.push(0)
      pairs.lenB.push(0)
      pairs.barrier.push(0)
    }
    return p
  }
  // Runs of other units' segments along the current segment: interval [t0, t1] (metres from its start)
  // and the other line's signed offset s(t) = c0 + c1·t.
  let cap = 16
  let cOwner = new Int32Array(cap)
  let cRun = new Float64Array(4 * cap)
  let nc = 0
  const out = new Float64Array(4)
  const cuts: number[] = []
  // The segment being matched (set in the loop below, read by the search callback).
  let seg = 0, owner = 0, ax = 0, ay = 0, bx = 0, by = 0
  const collect = (j: number): boolean => {
    const other = segOwner[j]
    if (other === owner) return false
    const dot = (bx - ax) * (px[segEnd[j]] - px[j]) + (by - ay) * (py[segEnd[j]] - py[j])
    if (dot * segSide[seg] * segSide[j] >= 0) return false
    if (sharedRun(ax, ay, bx, by, px[j], py[j], px[segEnd[j]], py[segEnd[j]], tol, out) <= 0) return false
    if (nc === cap) {
      cap *= 2
      const o = new Int32Array(cap)
      o.set(cOwner)
      cOwner = o
      const r = new Float64Array(4 * cap)
      r.set(cRun)
      cRun = r
    }
    cOwner[nc] = other
    const q = 4 * nc++
    cRun[q] = out[0]
    cRun[q + 1] = out[1]
    cRun[q + 2] = out[2]
    cRun[q + 3] = out[3]
    return false
  }
  const credit = (other: number, t0: number, t1: number) => {
    if (owner < other) {
      const p = pairIndex(owner, other)
      pairs.lenA[p] += t1 - t0
      if (bar.index) {
        const L = Math.hypot(bx - ax, by - ay)
        pairs.barrier[p] += lengthNearBarriers(bar, ax, ay, (bx - ax) / L, (by - ay) / L, t0, t1, barrierTol)
      }
    } else pairs.lenB[pairIndex(other, owner)] += t1 - t0
  }
  for (let k = 0; k < m; k++) {
    owner = segOwner[k]
    ax = px[k]
    ay = py[k]
    bx = px[segEnd[k]]
    by = py[segEnd[k]]
    seg = k
    nc = 0
    // The callback does the work and returns false, so no result array is built per query.
    index.search(Math.min(ax, bx), Math.min(ay, by), Math.max(ax, bx), Math.max(ay, by), collect)
    let single = true
    for (let c = 1; c < nc && single; c++) if (cOwner[c] !== cOwner[0]) single = false
    for (let c = 0; c < nc; c++) {
      const t0 = cRun[4 * c], t1 = cRun[4 * c + 1], c0 = cRun[4 * c + 2], c1 = cRun[4 * c + 3]
      if (single) {
        credit(cOwner[c], t0, t1)
        continue
      }
      // Split [t0, t1] where another unit's run starts, ends or crosses this one's |offset|, then keep
      // the pieces where no other unit lies closer.
      cuts.length = 0
      cuts.push(t0, t1)
      for (let x = 0; x < nc; x++) {
        if (cOwner[x] === cOwner[c]) continue
        const u0 = cRun[4 * x], u1 = cRun[4 * x + 1], d0 = cRun[4 * x + 2], d1 = cRun[4 * x + 3]
        if (u1 <= t0 || u0 >= t1) continue
        if (u0 > t0) cuts.push(u0)
        if (u1 < t1) cuts.push(u1)
        for (let sg = 1; sg >= -1; sg -= 2) {
          const den = c1 - sg * d1
          if (Math.abs(den) < 1e-12) continue
          const t = (sg * d0 - c0) / den
          if (t > t0 && t < t1) cuts.push(t)
        }
      }
      cuts.sort((p, q) => p - q)
      for (let i = 0; i + 1 < cuts.length; i++) {
        const lo = cuts[i], hi = cuts[i + 1]
        if (hi <= lo) continue
        const tm = (lo + hi) / 2
        const mine = Math.abs(c0 + c1 * tm)
        let nearer = false
        for (let x = 0; x < nc && !nearer; x++) {
          if (cOwner[x] === cOwner[c] || tm < cRun[4 * x] || tm > cRun[4 * x + 1]) continue
          if (Math.abs(cRun[4 * x + 2] + cRun[4 * x + 3] * tm) < mine - TIE) nearer = true
        }
        if (!nearer) credit(cOwner[c], lo, hi)
      }
    }
  }
  return pairs
}

/**
 * Builds the rook adjacency graph of `units` (Polygon/MultiPolygon features, lng, lat EPSG:4326).
 * Node i is feature i. Lengths are metres, areas m², in a local equirectangular plane centred on the
 * data (report.projection). Never throws on bad geometry: degenerate units become isolated nodes and are
 * listed in report.empty.
 */
export function buildGraph(units: Units, opts: BuildGraphOptions = {}): { graph: Graph; report: GraphReport } {
  const t0 = performance.now()
  const snap = opts.snapMetres ?? 0.5
  if (!(snap >= 0)) throw new RangeError(`snapMetres must be a number >= 0, got ${opts.snapMetres}`)
  const barrierTol = opts.barrierMetres ?? snap
  const minShared = opts.minSharedMetres ?? 2 * snap
  const rs = flattenRings(units)
  const n = rs.n
  const lab = labels(units, opts)
  const bar = indexBarriers(opts.barriers, rs.proj)

  const area = new Float64Array(n)
  const perimeter = new Float64Array(n)
  const x = new Float64Array(n)
  const y = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    area[i] = featureArea(rs, i)
    perimeter[i] = featurePerimeter(rs, i)
    const [cx, cy] = representativePoint(rs, i)
    x[i] = rs.proj.lng0 + cx / rs.proj.kx
    y[i] = rs.proj.lat0 + cy / rs.proj.ky
  }

  const pairs = matchSegments(rs, snap, barrierTol, bar)
  // Keep pairs that share more than a corner, measured along both units' boundaries (both must agree);
  // a shared length can never exceed either perimeter.
  const keep: number[] = []
  for (let p = 0; p < pairs.a.length; p++) {
    const len = Math.min(pairs.lenA[p], pairs.lenB[p])
    if (len >= minShared && len > 0) keep.push(p)
  }
  const deg = new Int32Array(n + 1)
  for (const p of keep) {
    deg[pairs.a[p] + 1]++
    deg[pairs.b[p] + 1]++
  }
  const xadj = new Int32Array(n + 1)
  for (let i = 0; i < n; i++) xadj[i + 1] = xadj[i] + deg[i + 1]
  const total = xadj[n]
  const adjncy = new Int32Array(total)
  const edgeLength = new Float64Array(total)
  const edgeCut = new Uint8Array(total)
  const fill = xadj.slice(0, n)
  let parentCut = 0, barrierCut = 0, cut = 0
  for (const p of keep) {
    const a = pairs.a[p], b = pairs.b[p]
    const len = Math.min(pairs.lenA[p], pairs.lenB[p], perimeter[a], perimeter[b])
    const acrossParents = lab.parent[a] !== lab.parent[b]
    // "Runs along a barrier" = most of the shared boundary lies within barrierMetres of hard barrier
    // lines; a barrier that only crosses the boundary, or follows a short stretch of it, does not cut.
    const alongBarrier = pairs.barrier[p] >= 0.5 * pairs.lenA[p]
    if (acrossParents) parentCut++
    if (alongBarrier) barrierCut++
    const c = acrossParents || alongBarrier ? 1 : 0
    cut += c
    for (const [u, v] of [[a, b], [b, a]]) {
      const e = fill[u]++
      adjncy[e] = v
      edgeLength[e] = len
      edgeCut[e] = c
    }
  }
  sortNeighbours(n, xadj, adjncy, edgeLength, edgeCut)

  const graph: Graph = {
    n, xadj, adjncy, edgeLength, edgeCut, x, y, area, perimeter,
    parent: lab.parent, parents: lab.parents, ids: lab.ids,
  }
  const comps = components(graph)
  const isolated: number[] = []
  for (let i = 0; i < n; i++) if (xadj[i + 1] === xadj[i]) isolated.push(i)
  const report: GraphReport = {
    nodes: n,
    edges: keep.length,
    cutEdges: cut,
    parentCutEdges: parentCut,
    barrierCutEdges: barrierCut,
    components: comps.count,
    physicalComponents: components(graph, { respectCuts: false }).count,
    islands: islands(graph, comps),
    isolated,
    empty: rs.empty,
    duplicateIds: lab.duplicateIds,
    missingIds: lab.missingIds.length,
    missingParent: lab.missingParent,
    hardBarriers: bar.hard,
    softBarriers: bar.soft,
    snapMetres: snap,
    barrierMetres: barrierTol,
    minSharedMetres: minShared,
    projection: rs.proj,
    ms: 0,
  }
  report.ms = performance.now() - t0
  return { graph, report }
}

/** Neighbour lists in ascending node order, so the graph does not depend on the index's traversal order. */
function sortNeighbours(n: number, xadj: Int32Array, adjncy: Int32Array, len: Float64Array, cut: Uint8Array): void {
  for (let i = 0; i < n; i++) {
    const s = xadj[i], e = xadj[i + 1]
    let sorted = true
    for (let k = s + 1; k < e; k++) if (adjncy[k - 1] > adjncy[k]) { sorted = false; break }
    if (sorted) continue
    const order = Array.from({ length: e - s }, (_, k) => s + k).sort((p, q) => adjncy[p] - adjncy[q])
    const a = order.map((k) => adjncy[k]), l = order.map((k) => len[k]), c = order.map((k) => cut[k])
    for (let k = 0; k < a.length; k++) {
      adjncy[s + k] = a[k]
      len[s + k] = l[k]
      cut[s + k] = c[k]
    }
  }
}
