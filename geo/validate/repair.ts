/**
 * The repairs that need no topology engine: close rings, drop consecutive duplicate vertices and spikes,
 * rewind to RFC 7946. Each change is described; self-intersections are left to ST_MakeValid in PostGIS.
 */
import rewind from '@mapbox/geojson-rewind'
import type { Geometry, Position } from 'geojson'
import { ringArea2, spikeVertices } from './geometry.js'

const same = (a: Position, b: Position) => a[0] === b[0] && a[1] === b[1]

function cleanRing(ring: Position[], label: string, changes: string[]): Position[] {
  let open = same(ring[0], ring[ring.length - 1]) ? ring.slice(0, -1) : ring.slice()
  if (open.length === ring.length) changes.push(`${label}: closed the ring`)
  const n0 = open.length
  open = open.filter((p, i) => i === 0 || !same(open[i - 1], p))
  while (open.length > 1 && same(open[0], open[open.length - 1])) open.pop()
  if (open.length < n0) changes.push(`${label}: removed ${n0 - open.length} duplicate vertex(es)`)
  let spikes = 0
  for (let guard = 0; guard < 1000 && open.length > 3; guard++) {
    const s = spikeVertices(open)
    if (!s.length) break
    const drop = s[0]
    open.splice(drop, 1)
    spikes++
    // removing a spike tip can leave its two neighbours equal
    const m = open.length
    const i = drop % m
    const j = (i + m - 1) % m
    if (m > 1 && same(open[i], open[j])) open.splice(i, 1)
  }
  if (spikes) changes.push(`${label}: removed ${spikes} spike vertex(es)`)
  return [...open, open[0]]
}

/**
 * A cleaned copy of `g` and the list of what changed (empty when nothing did). Rings must already be
 * structurally sound (see checkStructure) and have at least 3 distinct vertices.
 */
export function cleanGeometry(g: Geometry): { geometry: Geometry; changes: string[] } {
  const changes: string[] = []
  const polygon = (rings: Position[][], where: string) => {
    const out = rings.map((r, k) => cleanRing(r, `${where}ring ${k}`, changes))
    const wrong = out.filter((r, k) => {
      const a = ringArea2(r)
      return a !== 0 && (k === 0 ? a < 0 : a > 0)
    }).length
    if (wrong) changes.push(`${where}rewound ${wrong} ring(s) to RFC 7946 order`)
    return out
  }
  const line = (l: Position[], where: string) => {
    const out = l.filter((p, i) => i === 0 || !same(l[i - 1], p))
    if (out.length < l.length) changes.push(`${where}removed ${l.length - out.length} duplicate vertex(es)`)
    return out
  }
  let geometry: Geometry
  switch (g.type) {
    case 'Polygon':
      geometry = { type: 'Polygon', coordinates: polygon(g.coordinates, '') }
      break
    case 'MultiPolygon':
      geometry = { type: 'MultiPolygon', coordinates: g.coordinates.map((p, i) => polygon(p, `polygon ${i} `)) }
      break
    case 'LineString':
      geometry = { type: 'LineString', coordinates: line(g.coordinates, '') }
      break
    case 'MultiLineString':
      geometry = { type: 'MultiLineString', coordinates: g.coordinates.map((l, i) => line(l, `line ${i} `)) }
      break
    default:
      geometry = g
  }
  if (geometry.type === 'Polygon' || geometry.type === 'MultiPolygon') rewind(geometry, false)
  return { geometry, changes }
}
