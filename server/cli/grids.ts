/**
 * Turns a plan (assignment + metrics) into the CLI's outputs: grid ids, the grids GeoJSON (RFC 7946,
 * right-hand rule) and the unit_grid CSV.
 */
import rewind from '@mapbox/geojson-rewind'
import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson'
import { gridCodes, sweepOrder } from '../../geo/coding/index.js'
import { dissolve } from '../../geo/dissolve/index.js'
import type { PartMetrics } from '../../geo/metrics/index.js'
import type { Graph } from '../../geo/types.js'
import { csvField } from './io.js'

/**
 * Grid ids: `fixed[p]` when given (locked grids keep theirs); otherwise, when every parent is a 12-digit
 * community code, the official grid code (geo/coding); otherwise `<parent>-NNN` (or `GNNN` without
 * nesting), numbered west -> east, north -> south within the parent.
 */
export function gridIds(graph: Graph, assignment: Int32Array, parts: PartMetrics[], fixed: (string | undefined)[] = []): string[] {
  const k = parts.length
  const sx = new Float64Array(k), sy = new Float64Array(k), cnt = new Int32Array(k)
  for (let v = 0; v < graph.n; v++) {
    const p = assignment[v]
    if (p < 0) continue
    sx[p] += graph.x[v]
    sy[p] += graph.y[v]
    cnt[p]++
  }
  const ids: string[] = new Array(k).fill('')
  const used = new Set<string>()
  for (let p = 0; p < k; p++) if (fixed[p]) (ids[p] = fixed[p]!), used.add(fixed[p]!)
  const free = parts.map((_, p) => p).filter((p) => !fixed[p])
  const official = free.length > 0 && free.every((p) => /^\d{12}$/.test(parts[p].parent))
  if (official) {
    const codes = gridCodes(free.map((p) => ({ parentCode: parts[p].parent, x: sx[p] / Math.max(cnt[p], 1), y: sy[p] / Math.max(cnt[p], 1) })), { renumber: true })
    free.forEach((p, i) => (ids[p] = codes.codes[i]))
    return ids
  }
  const byParent = new Map<string, number[]>()
  for (const p of free) {
    const list = byParent.get(parts[p].parent)
    if (list) list.push(p)
    else byParent.set(parts[p].parent, [p])
  }
  for (const [parent, list] of byParent) {
    const order = sweepOrder(list.map((p) => ({ x: sx[p] / Math.max(cnt[p], 1), y: sy[p] / Math.max(cnt[p], 1) })))
    const width = Math.max(3, String(list.length).length)
    let seq = 0
    for (const i of order) {
      let id: string
      do id = `${parent === '' ? 'G' : parent + '-'}${String(++seq).padStart(width, '0')}`
      while (used.has(id))
      used.add(id)
      ids[list[i]] = id
    }
  }
  return ids
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d

function roundCoords(g: Polygon | MultiPolygon): Polygon | MultiPolygon {
  // 7 decimals ≈ 1 cm: small files, and vertices shared by two grids stay identical.
  const r = (ring: Position[]) => ring.map((p) => [round(p[0], 7), round(p[1], 7)])
  return g.type === 'Polygon'
    ? { type: 'Polygon', coordinates: g.coordinates.map(r) }
    : { type: 'MultiPolygon', coordinates: g.coordinates.map((poly) => poly.map(r)) }
}

export interface GridProps {
  grid_id: string
  parent: string
  weight: number
  households: number | null
  units: number
  deviation: number | null
  polsby_popper: number
  in_band: boolean | null
  pieces: number
  exceptions: string[]
  [key: string]: unknown
}

/** One feature per non-empty grid, with the metrics as properties. */
export function gridsGeoJSON(
  units: FeatureCollection<Polygon | MultiPolygon>,
  assignment: Int32Array,
  parts: PartMetrics[],
  ids: string[],
  extra: (p: number) => Record<string, unknown> = () => ({}),
): FeatureCollection<Polygon | MultiPolygon, GridProps> {
  const { parts: shapes } = dissolve(units, assignment, { parts: parts.length })
  const features: Feature<Polygon | MultiPolygon, GridProps>[] = []
  for (const m of parts) {
    const g = shapes.features[m.part].geometry
    if (!g || m.units === 0) continue
    features.push({
      type: 'Feature',
      properties: {
        grid_id: ids[m.part],
        parent: m.parent,
        weight: m.weight,
        households: m.households,
        units: m.units,
        deviation: m.deviation === null ? null : round(m.deviation, 2),
        polsby_popper: round(m.polsbyPopper, 4),
        in_band: m.inBand,
        pieces: m.pieces,
        exceptions: [],
        ...extra(m.part),
      },
      geometry: roundCoords(g),
    })
  }
  // Already counter-clockwise outer rings; rewind guarantees RFC 7946 whatever the dissolve returns.
  return rewind({ type: 'FeatureCollection', features }, false)
}

/** `unit_id,grid_id` lines, header first; unassigned units are left out. */
export function assignCsv(graph: Graph, assignment: Int32Array, ids: string[]): string {
  const lines = ['unit_id,grid_id']
  for (let v = 0; v < graph.n; v++) if (assignment[v] >= 0) lines.push(`${csvField(graph.ids[v])},${csvField(ids[assignment[v]])}`)
  return lines.join('\n') + '\n'
}
