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
import { nodeLines, type NodeOptions, type Polyline } from './noding.js'
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
export function regionsByLines(
  area: AreaFeature,
  lines: Polyline[],
  labelAt: (x: number, y: number) => string | null,
  opts: NodeOptions = {},
): RegionsResult {
  const polys = areaPolygons(area)
  const all: Polyline[] = []
  for (const p of polys) for (const r of p) all.push(r)
  for (const l of lines) all.push(l)
  const g = nodeLines(all, opts)
  const first = buildFaces(g.x, g.y, g.n, g.edges, g.m)

  const labels: string[] = []
  const labelIndex = new Map<string, number>()
  const faceLabel = new Int32Array(first.faces.length).fill(-1)
  first.faces.forEach((f, i) => {
    const [px, py] = pointOnSurface([f.shell, ...f.holes])
    if (!polys.some((p) => pointInPolygonRings(px, py, p))) return
    const label = labelAt(px, py)
    if (label === null) return
    let li = labelIndex.get(label)
    if (li === undefined) {
      li = labels.length
      labels.push(label)
      labelIndex.set(label, li)
    }
    faceLabel[i] = li
  })

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
