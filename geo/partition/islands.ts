/**
 * Islands: a parent (community) that falls into several pieces over usable edges. DESIGN.md §2.2 lets
 * a grid be non-contiguous exactly there, when reported. A piece too light to be a grid of its own (an
 * unpopulated islet) would otherwise become an out-of-band grid of zero or few people; instead it joins
 * the nearest part of the same parent that it does not push further out of band, and the join is
 * reported as an 'island' exception on that part. Pieces heavy enough for their own parts are still
 * partitioned on their own. Light pieces with nowhere to go stay parts of their own and take in later
 * light pieces, so several islets can add up to one grid.
 * A piece cut off from the rest of its parent by a hard barrier is not an island: joining it to a part
 * on the other side would cross the barrier (DESIGN.md §2.3, a hard rule), so it stays a part of its
 * own and its weight is reported as an exception instead.
 */
import { components } from '../graph/index.js'
import { violation } from './band.js'
import type { Ctx } from './context.js'

export interface PieceInfo {
  nodes: Int32Array
  light: boolean
  /** Temp ids of the piece's parts: base .. base + k - 1. */
  base: number
  k: number
}

export interface Attachment {
  /** Temp id of the part the island joined. */
  part: number
  nodes: Int32Array
}

export function attachIslands(
  ctx: Ctx,
  pieces: PieceInfo[],
  tempOf: Int32Array,
  tempW: Float64Array,
  dead: Uint8Array,
  /** Rebalance mode: the initial id each temp part continues (-1 none); an island rejoins its old part. */
  pref: Int32Array,
): Attachment[] {
  const { g, px, py, w, band } = ctx
  const byParent = new Map<number, number[]>()
  pieces.forEach((p, i) => {
    const par = g.parent[p.nodes[0]]
    const list = byParent.get(par)
    if (list) list.push(i)
    else byParent.set(par, [i])
  })
  const out: Attachment[] = []
  const land = landOf(ctx)
  // Lands (pieces of the parent ignoring locks) each part covers: a part may hold one piece per land,
  // so a free piece cut off only by locked grids is not an island and is never attached.
  const lands = new Map<number, Set<number>>()
  const cover = (t: number, l: number) => {
    const set = lands.get(t)
    if (set) set.add(l)
    else lands.set(t, new Set([l]))
  }
  const parents = [...byParent.keys()].sort((a, b) => a - b)
  const viol = (x: number) => violation(x, band)
  for (const par of parents) {
    const list = byParent.get(par)!
    if (list.length < 2) continue
    const light = list.filter((i) => pieces[i].light && pieces[i].k === 1 && !acrossBarrier(ctx, pieces[i].nodes))
    if (light.length === 0) continue
    const pieceW = (i: number) => tempW[pieces[i].base]
    // Heaviest light pieces first: they seed groups when there is nowhere to go.
    light.sort((a, b) => pieceW(b) - pieceW(a) || pieces[a].nodes[0] - pieces[b].nodes[0])
    const hostNodes: number[] = []
    for (const i of list) {
      if (light.includes(i)) continue
      for (const v of pieces[i].nodes) {
        hostNodes.push(v)
        cover(tempOf[v], land[v])
      }
    }
    for (const i of light) {
      const island = pieces[i]
      let cx = 0
      let cy = 0
      let wi = 0
      for (const v of island.nodes) {
        cx += px[v]
        cy += py[v]
        wi += w[v]
      }
      cx /= island.nodes.length
      cy /= island.nodes.length
      // Nearest host part that the island does not push further out of band (the island's old part
      // first in rebalance mode); none → the island stays a part of its own and may host later ones.
      const home = pref[island.base]
      const islandLand = land[island.nodes[0]]
      let bestPart = -1
      let bestAway = 1
      let bestD = Infinity
      for (const v of hostNodes) {
        const t = tempOf[v]
        if (viol(tempW[t] + wi) > viol(tempW[t]) + 1e-9 || lands.get(t)?.has(islandLand)) continue
        const away = home >= 0 && pref[t] === home ? 0 : 1
        const d = (px[v] - cx) ** 2 + (py[v] - cy) ** 2
        if (bestPart < 0 || away < bestAway || (away === bestAway && (d < bestD || (d === bestD && t < bestPart)))) {
          bestAway = away
          bestD = d
          bestPart = t
        }
      }
      if (bestPart < 0) {
        for (const v of island.nodes) hostNodes.push(v)
        cover(island.base, islandLand)
        continue
      }
      cover(bestPart, islandLand)
      dead[island.base] = 1
      tempW[bestPart] += wi
      tempW[island.base] = 0
      for (const v of island.nodes) tempOf[v] = bestPart
      out.push({ part: bestPart, nodes: island.nodes })
    }
  }
  return out
}

/** True when the piece touches another unit of its parent through a cut edge: a hard barrier lies between. */
function acrossBarrier(ctx: Ctx, nodes: Int32Array): boolean {
  const { g } = ctx
  const inPiece = new Set<number>(nodes)
  for (const v of nodes) {
    for (let e = g.xadj[v]; e < g.xadj[v + 1]; e++) {
      const u = g.adjncy[e]
      if (g.edgeCut[e] === 1 && g.parent[u] === g.parent[v] && !inPiece.has(u)) return true
    }
  }
  return false
}

/** Pieces of each parent over non-cut edges, locked units included (the islands of DESIGN.md §2.2). */
function landOf(ctx: Ctx): Int32Array {
  // The graph cuts every edge between parents, so its components are parent pieces.
  return components(ctx.g).labels
}
