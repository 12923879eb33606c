/**
 * Labelled regions from cut lines: polygonize `area` with `lines`, give every face a label from
 * `labelAt` (evaluated at a point strictly inside the face), then dissolve: edges with the same label on
 * both sides are dropped and the faces walked again. Regions therefore tile the area exactly and
 * neighbouring regions share bit-identical boundary vertices, which is what nesting levels
 * (jurisdictions → communities → units) need. Cut lines may over-reach (e.g. whole Voronoi edges):
 * the parts between equal labels vanish in the dissolve.
 */
import { buildFaces } from './faces.js'
import { areaPolygons, type AreaFeature } from './area.js'
import { nodeLines, type NodedGraph, type NodeOptions, type Polyline } from './noding.js'
import { pointInPolygonRings, pointOnSurface } from './ring.js'
import type { Rings } from './assign.js'

export interface RegionsResult {
  /** Polygons ([shell, ...holes], lng/lat) of each label, in first-seen order of labels. */
  regions: Map<string, Rings[]>
  /** Faces before the dissolve. */
  faces: number
}

/**
 * @param labelAt label of the region containing (lng, lat), or null to leave that face out.
 */
export interface RegionsOptions extends NodeOptions {
  /**
   * When set, a label whose faces form several pieces keeps its largest piece; each smaller piece joins
   * the neighbouring label it shares the longest boundary with, among those `canJoin(piece, neighbour)`
   * allows (e.g. only communities of the same jurisdiction). A piece with no allowed neighbour stays.
   */
  canJoin?: (label: string, neighbour: string) => boolean
  /**
   * Per line of `lines`: non-zero marks a hard barrier. With `canJoin`, faces of one label that meet
   * only across a barrier count as separate pieces, and pieces join neighbours only across soft edges,
   * so every region ends up in one piece that no barrier cuts (where the lines allow it).
   */
  lineFlags?: ArrayLike<number>
  /**
   * Weight of a face (interior point, planar area in degrees²) when choosing which piece of a label is
   * its main piece, the one that stays; default the area. E.g. expected population, so a community keeps
   * its houses rather than an empty field when a barrier cuts it.
   */
  faceWeight?: (x: number, y: number, planarArea: number) => number
}

export function regionsByLines(
  area: AreaFeature,
  lines: Polyline[],
  labelAt: (x: number, y: number, face: Rings) => string | null,
  opts: RegionsOptions = {},
): RegionsResult {
  const polys = areaPolygons(area)
  const all: Polyline[] = []
  for (const p of polys) for (const r of p) all.push(r)
  for (const l of lines) all.push(l)
  let lineFlags: Uint8Array | undefined
  if (opts.lineFlags) {
    lineFlags = new Uint8Array(all.length)
    for (let i = 0; i < lines.length; i++) lineFlags[all.length - lines.length + i] = opts.lineFlags[i] ? 1 : 0
  }
  const g = nodeLines(all, { ...opts, lineFlags })
  const first = buildFaces(g.x, g.y, g.n, g.edges, g.m)

  const labels: string[] = []
  const labelIndex = new Map<string, number>()
  const faceLabel = new Int32Array(first.faces.length).fill(-1)
  const faceWeight = new Float64Array(first.faces.length)
  first.faces.forEach((f, i) => {
    const rings = [f.shell, ...f.holes]
    const [px, py] = pointOnSurface(rings)
    faceWeight[i] = opts.faceWeight ? opts.faceWeight(px, py, f.planarArea) : f.planarArea
    if (!polys.some((p) => pointInPolygonRings(px, py, p))) return
    const label = labelAt(px, py, rings)
    if (label === null) return
    let li = labelIndex.get(label)
    if (li === undefined) {
      li = labels.length
      labels.push(label)
      labelIndex.set(label, li)
    }
    faceLabel[i] = li
  })

  // A joined piece may itself have joined a stray piece; a few rounds settle every label. Pieces that
  // only barriers separate go first; then pieces still apart from their label at all (an enclave between
  // barriers and a parent's border) join across a barrier rather than stay detached.
  for (const barriers of opts.lineFlags ? [true, false] : [false]) {
    for (let round = 0; opts.canJoin && round < 12; round++) {
      // Stalled (minor pieces that touch only other labels' minor pieces): let a piece join a heavier
      // neighbouring piece that stays put this round.
      if (joinIslands(g, faceWeight, first.faceOf, first.removed, faceLabel, labels, opts.canJoin, barriers, false)) continue
      if (!joinIslands(g, faceWeight, first.faceOf, first.removed, faceLabel, labels, opts.canJoin, barriers, true)) break
    }
  }

  const sideLabel = (h: number): number => (first.faceOf[h] >= 0 ? faceLabel[first.faceOf[h]] : -1)
  const removed = first.removed.slice()
  for (let k = 0; k < g.m; k++) {
    if (!removed[k] && sideLabel(2 * k) === sideLabel(2 * k + 1)) removed[k] = 1
  }
  const second = buildFaces(g.x, g.y, g.n, g.edges, g.m, removed)

  const regions = new Map<string, Rings[]>()
  for (const l of labels) regions.set(l, [])
  for (const f of second.faces) {
    // Every surviving half-edge kept the face on its left, so the old face there carries the label.
    const li = sideLabel(f.halfEdges[0])
    if (li < 0) continue
    regions.get(labels[li])!.push([f.shell, ...f.holes])
  }
  for (const [l, p] of regions) if (!p.length) regions.delete(l)
  return { regions, faces: first.faces.length }
}

/** Relabels the smaller pieces of each label (see RegionsOptions.canJoin), in place; returns how many. */
function joinIslands(
  g: NodedGraph,
  faceWeight: Float64Array,
  faceOf: Int32Array,
  removed: Uint8Array,
  faceLabel: Int32Array,
  labels: string[],
  canJoin: (label: string, neighbour: string) => boolean,
  barriers: boolean,
  /** Also join onto a heavier piece that is not its label's main piece, if that piece does not move. */
  anyPiece: boolean,
): number {
  const nf = faceWeight.length
  // Pieces: union-find over faces joined by an edge with the same label on both sides.
  const parent = new Int32Array(nf)
  for (let i = 0; i < nf; i++) parent[i] = i
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]]
    return i
  }
  for (let k = 0; k < g.m; k++) {
    if (removed[k] || (barriers && g.edgeFlags[k])) continue
    const a = faceOf[2 * k]
    const b = faceOf[2 * k + 1]
    if (a >= 0 && b >= 0 && faceLabel[a] >= 0 && faceLabel[a] === faceLabel[b]) parent[find(a)] = find(b)
  }
  const pieceArea = new Float64Array(nf)
  for (let i = 0; i < nf; i++) if (faceLabel[i] >= 0) pieceArea[find(i)] += faceWeight[i]
  const mainPiece = new Int32Array(labels.length).fill(-1)
  for (let i = 0; i < nf; i++) {
    if (faceLabel[i] < 0 || find(i) !== i) continue
    const l = faceLabel[i]
    if (mainPiece[l] < 0 || pieceArea[i] > pieceArea[mainPiece[l]]) mainPiece[l] = i
  }
  // Boundary length from each minor piece to each neighbouring label.
  const shared = new Map<number, Map<number, number>>()
  for (let k = 0; k < g.m; k++) {
    if (removed[k] || (barriers && g.edgeFlags[k])) continue
    const a = faceOf[2 * k]
    const b = faceOf[2 * k + 1]
    if (a < 0 || b < 0 || faceLabel[a] < 0 || faceLabel[b] < 0 || faceLabel[a] === faceLabel[b]) continue
    const u = g.edges[2 * k]
    const v = g.edges[2 * k + 1]
    const len = Math.hypot((g.x[v] - g.x[u]) * Math.cos((g.y[u] * Math.PI) / 180), g.y[v] - g.y[u])
    for (const [f, o] of [
      [a, b],
      [b, a],
    ]) {
      const p = find(f)
      if (mainPiece[faceLabel[f]] === p) continue
      // Join only onto a main piece: those never move this round, so a join cannot land on a piece
      // that is itself leaving (which would leave both stranded). Others wait for the next round.
      const q = find(o)
      if (mainPiece[faceLabel[o]] !== q && !(anyPiece && (pieceArea[q] > pieceArea[p] || (pieceArea[q] === pieceArea[p] && q < p)))) continue
      if (!canJoin(labels[faceLabel[f]], labels[faceLabel[o]])) continue
      // Keyed by the neighbour piece (main pieces stand for their label).
      const m = shared.get(p) ?? new Map<number, number>()
      m.set(q, (m.get(q) ?? 0) + len)
      shared.set(p, m)
    }
  }
  // Per piece: the neighbouring label it shares the longest boundary with (summed over that label's
  // pieces), through its best-shared piece of that label.
  const target = new Map<number, number>()
  const via = new Map<number, number>()
  for (const [p, m] of shared) {
    const byLabel = new Map<number, number>()
    for (const [q, len] of m) byLabel.set(faceLabel[q], (byLabel.get(faceLabel[q]) ?? 0) + len)
    let best = -1
    let bestLen = -1
    for (const [l, len] of byLabel) if (len > bestLen || (len === bestLen && l < best)) ((best = l), (bestLen = len))
    let bq = -1
    let bqLen = -1
    for (const [q, len] of m) if (faceLabel[q] === best && (len > bqLen || (len === bqLen && q < bq))) ((bq = q), (bqLen = len))
    target.set(p, best)
    via.set(p, bq)
  }
  // A piece that joins a piece which is itself leaving waits for the next round.
  for (const [p, q] of via) if (mainPiece[faceLabel[q]] !== q && target.has(q)) target.delete(p)
  for (let i = 0; i < nf; i++) {
    if (faceLabel[i] < 0) continue
    const t = target.get(find(i))
    if (t !== undefined) faceLabel[i] = t
  }
  return target.size
}
