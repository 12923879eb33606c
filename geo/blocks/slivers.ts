/**
 * Sliver removal: faces smaller than a threshold (hair-thin triangles where three lines almost meet,
 * common in OSM and in any data rounded to a grid) are merged into the neighbour they share the
 * longest boundary with, by dropping the shared edges and walking the faces again. The tiling is kept:
 * area only moves between neighbours. Faces outside the area never absorb or are absorbed.
 */
import type { NodedGraph } from './noding.js'
import { buildFaces, type FaceResult } from './faces.js'

/** Approximate m² of a face from its planar degree² area (a threshold test, not a measurement). */
function approxM2(planar: number, lat: number): number {
  return planar * 111_320 * Math.cos((lat * Math.PI) / 180) * 110_574
}

/**
 * @param inside 1 for faces (of `fr`) inside the area.
 * @returns the new faces, their inside flags and how many faces were merged away.
 */
export function mergeSlivers(
  g: NodedGraph,
  fr: FaceResult,
  inside: Uint8Array,
  minArea: number,
): { fr: FaceResult; inside: Uint8Array; merged: number } {
  let merged = 0
  const { x, y, edges } = g
  for (let pass = 0; pass < 4; pass++) {
    const removed = fr.removed.slice()
    let changed = 0
    const gone = new Uint8Array(fr.faces.length)
    fr.faces.forEach((f, fi) => {
      if (!inside[fi] || gone[fi]) return
      let area = f.planarArea
      for (const h of f.holes) {
        let a = 0
        for (let i = 0; i + 1 < h.length; i++) a += h[i][0] * h[i + 1][1] - h[i + 1][0] * h[i][1]
        area += a / 2 // holes are clockwise: negative
      }
      if (approxM2(area, f.shell[0][1]) >= minArea) return
      const shared = new Map<number, number>()
      for (const h of f.halfEdges) {
        const nb = fr.faceOf[h ^ 1]
        if (nb < 0 || nb === fi || !inside[nb] || gone[nb]) continue
        const u = edges[h]
        const v = edges[h ^ 1]
        shared.set(nb, (shared.get(nb) ?? 0) + Math.hypot((x[v] - x[u]) * Math.cos((y[u] * Math.PI) / 180), y[v] - y[u]))
      }
      let best = -1
      let bestLen = -1
      for (const [nb, len] of shared) if (len > bestLen || (len === bestLen && nb < best)) ((best = nb), (bestLen = len))
      if (best < 0) return
      for (const h of f.halfEdges) if (fr.faceOf[h ^ 1] === best) removed[h >> 1] = 1
      gone[fi] = 1 // absorbed this pass; its neighbour waits for the next pass before absorbing more
      gone[best] = 1
      changed++
    })
    if (!changed) break
    merged += changed
    const next = buildFaces(g.x, g.y, g.n, g.edges, g.m, removed)
    // A merged face consists of old faces that were all inside, so any surviving half-edge tells.
    const nextInside = new Uint8Array(next.faces.length)
    next.faces.forEach((f, i) => {
      const old = fr.faceOf[f.halfEdges[0]]
      nextInside[i] = old >= 0 ? inside[old] : 0
    })
    fr = next
    inside = nextInside
  }
  return { fr, inside, merged }
}
