/**
 * Labelled regions from cut lines: polygonize `area` with `lines`, give every face a label from
 * `labelAt` (evaluated at a point strictly inside the face), then dissolve: edges with the same label on
 * both sides are dropped and the faces walked again. Regions therefore tile the area exactly and
 * neighbouring regions share bit-identical boundary vertices, which is what nesting levels
 * (jurisdictions → communities → units) need. Cut lines may over-reach (e.g. whole Voronoi edges):
 * the parts between equal labels vanish in the dissolve.
 */
import { buildFaces, type Face } from './faces.js'
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
  first.faces.forEach((f, i) => {
    const rings = [f.shell, ...f.holes]
    const [px, py] = pointOnSurface(rings)
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
    for (let round = 0; opts.canJoin && round < 8; round++) {
      if (!joinIslands(g, first.faces, first.faceOf, first.removed, faceLabel, labels, opts.canJoin, barriers)) break
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
  faces: Face[],
  faceOf: Int32Array,
  removed: Uint8Array,
  faceLabel: Int32Array,
  labels: string[],
  canJoin: (label: string, neighbour: string) => boolean,
  barriers: boolean,
): number {
  const nf = faces.length
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
  for (let i = 0; i < nf; i++) if (faceLabel[i] >= 0) pieceArea[find(i)] += faces[i].planarArea
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
      if (mainPiece[faceLabel[o]] !== find(o)) continue
      if (!canJoin(labels[faceLabel[f]], labels[faceLabel[o]])) continue
      const m = shared.get(p) ?? new Map<number, number>()
      m.set(faceLabel[o], (m.get(faceLabel[o]) ?? 0) + len)
      shared.set(p, m)
    }
  }
  const target = new Map<number, number>()
  for (const [p, m] of shared) {
    let best = -1
    let bestLen = -1
    for (const [l, len] of m) if (len > bestLen || (len === bestLen && l < best)) ((best = l), (bestLen = len))
    target.set(p, best)
  }
  for (let i = 0; i < nf; i++) {
    if (faceLabel[i] < 0) continue
    const t = target.get(find(i))
    if (t !== undefined) faceLabel[i] = t
  }
  return target.size
}
