/**
 * Explains every part outside the band, and every parent that falls apart into pieces, with the codes
 * of geo/types.ts. The cause is the first that applies: locked, a unit heavier than max, a piece
 * lighter than min, a piece whose weight no whole number of parts fits, else the search budget.
 */
import { components } from '../graph/index.js'
import type { PartException } from '../types.js'
import { inBand, type PartCount } from './band.js'
import type { Ctx } from './context.js'

export interface PartInfo {
  final: number
  locked: boolean
  piece: number
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2))

export function explain(
  ctx: Ctx,
  assignment: Int32Array,
  parts: number,
  pieceStatus: PartCount['status'][],
  info: PartInfo[],
  attached: { part: number; nodes: Int32Array }[],
  attach: boolean,
): PartException[] {
  const { g, w, band, n } = ctx
  const out: PartException[] = []
  const byFinal: PartInfo[] = new Array(parts)
  for (const p of info) byFinal[p.final] = p
  const weight = new Float64Array(parts)
  const members: number[][] = Array.from({ length: parts }, () => [])
  for (let v = 0; v < n; v++) {
    weight[assignment[v]] += w[v]
    members[assignment[v]].push(v)
  }
  const range = `[${fmt(band.min)}, ${fmt(band.max)}]`
  const hasIsland = new Set<number>()
  for (const a of attached) {
    hasIsland.add(a.part)
    const nodes = Array.from(a.nodes)
    let wi = 0
    for (const v of nodes) wi += w[v]
    const parent = g.parents[g.parent[nodes[0]]] ?? ''
    out.push({
      code: 'island',
      part: a.part,
      parent,
      nodes,
      message: `an island of ${parent || 'the area'} (${nodes.length} units, weight ${fmt(wi)}) is too light for a part of its own and joins part ${a.part}, which is therefore in several pieces`,
    })
  }
  for (let p = 0; p < parts; p++) {
    const nodes = members[p]
    const parent = g.parents[g.parent[nodes[0]]] ?? ''
    const pi = byFinal[p]
    if (pi.locked && !lockedPartValid(ctx, nodes)) {
      out.push({
        code: 'locked',
        part: p,
        parent,
        nodes,
        message: `locked part ${p} is kept as given although it is not contiguous or spans several parents`,
      })
    }
    if (inBand(weight[p], band)) continue
    const wp = fmt(weight[p])
    if (pi.locked) {
      out.push({ code: 'locked', part: p, parent, nodes, message: `locked part ${p} weighs ${wp}, outside ${range}; kept as given` })
      continue
    }
    const heavy = nodes.filter((v) => w[v] > band.max)
    if (heavy.length > 0) {
      out.push({
        code: 'unit-heavier-than-max',
        part: p,
        parent,
        nodes: heavy,
        message: `unit ${heavy.map((v) => g.ids[v]).join(', ')} alone weighs more than the maximum ${fmt(band.max)} (part ${p} weighs ${wp})`,
      })
      continue
    }
    const status = pieceStatus[pi.piece]
    if (hasIsland.has(p) && status === 'ok') {
      out.push({
        code: 'island',
        part: p,
        parent,
        nodes,
        message: `part ${p} weighs ${wp}, outside ${range}, after taking in an island of ${parent || 'the area'} that had no other part to join`,
      })
    } else if (status === 'lighter-than-min') {
      out.push({
        code: 'component-lighter-than-min',
        part: p,
        parent,
        nodes,
        message: `a connected piece of ${parent || 'the area'} weighs ${wp}, less than the minimum ${fmt(band.min)}; it forms part ${p} on its own`,
      })
    } else if (status === 'band-unreachable') {
      out.push({
        code: 'band-unreachable',
        part: p,
        parent,
        nodes,
        message: `no whole number of parts in ${range} adds up to the weight of its piece of ${parent || 'the area'}; part ${p} weighs ${wp}`,
      })
    } else {
      out.push({
        code: ctx.timedOut ? 'time-budget' : 'shape',
        part: p,
        parent,
        nodes,
        message: ctx.timedOut
          ? `the time budget ran out before part ${p} (${wp}) reached ${range}; allow more time or widen the band`
          : `no contiguous way was found to bring part ${p} (${wp}) into ${range}: the units here are too coarse, or the part reaches the rest of ${parent || 'the area'} only through a few heavy units; widen the band or split units`,
      })
    }
  }
  out.push(...islands(ctx, attach))
  return out
}

/** A locked part given as several pieces or across parents is kept, but must be reported. */
function lockedPartValid(ctx: Ctx, nodes: number[]): boolean {
  const { g } = ctx
  const inPart = new Set(nodes)
  const seen = new Set<number>([nodes[0]])
  const stack = [nodes[0]]
  while (stack.length > 0) {
    const v = stack.pop()!
    for (let e = g.xadj[v]; e < g.xadj[v + 1]; e++) {
      const u = g.adjncy[e]
      if (g.edgeCut[e] === 0 && g.parent[u] === g.parent[v] && inPart.has(u) && !seen.has(u)) {
        seen.add(u)
        stack.push(u)
      }
    }
  }
  return seen.size === nodes.length
}

/** Parents that split into several pieces over non-cut edges (islands, or cut by a barrier line). */
function islands(ctx: Ctx, attach: boolean): PartException[] {
  const { g, n } = ctx
  // The graph cuts every edge between parents, so components over non-cut edges are parent pieces.
  const { labels: piece, count: pieces } = components(g)
  const sizes = new Int32Array(pieces)
  for (let v = 0; v < n; v++) sizes[piece[v]]++
  // Per parent: its pieces, the largest (first on ties) being the mainland.
  const mainland = new Map<number, number>()
  const count = new Map<number, number>()
  const firstSeen = new Set<number>()
  for (let v = 0; v < n; v++) {
    const pid = piece[v]
    if (firstSeen.has(pid)) continue
    firstSeen.add(pid)
    const par = g.parent[v]
    count.set(par, (count.get(par) ?? 0) + 1)
    const m = mainland.get(par)
    if (m === undefined || sizes[pid] > sizes[m]) mainland.set(par, pid)
  }
  const out: PartException[] = []
  const parentsSplit = [...count.entries()].filter(([, c]) => c > 1).sort((a, b) => a[0] - b[0])
  // Off-mainland nodes per split parent, gathered in one sweep (a city can have hundreds of them).
  const offshore = new Map<number, number[]>(parentsSplit.map(([par]) => [par, []]))
  for (let v = 0; v < n; v++) {
    const list = offshore.get(g.parent[v])
    if (list && piece[v] !== mainland.get(g.parent[v])) list.push(v)
  }
  for (const [par, c] of parentsSplit) {
    const nodes = offshore.get(par)!
    const name = g.parents[par] ?? ''
    out.push({
      code: 'island',
      part: -1,
      parent: name,
      nodes,
      message: `${name || 'the area'} falls into ${c} pieces (islands, or cut by a barrier line); each piece is partitioned on its own${attach ? ', and a light island (not one cut off by a barrier) joins the nearest part' : ''}`,
    })
  }
  return out
}
