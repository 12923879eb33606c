/**
 * Checks of one GeoJSON geometry: structure, numbers, rings, vertices, self-intersections, winding.
 * Coordinates: lng, lat (EPSG:4326) in, unchanged out; nothing here modifies its input.
 */
import type { Geometry, Position } from 'geojson'
import { ProblemCode } from './codes.js'
import { ringIntersections } from './intersect.js'

export interface Finding {
  code: ProblemCode
  message: string
}

export type Family = 'point' | 'line' | 'polygon'

export const FAMILY: Record<string, Family> = {
  Point: 'point',
  MultiPoint: 'point',
  LineString: 'line',
  MultiLineString: 'line',
  Polygon: 'polygon',
  MultiPolygon: 'polygon',
}

/** Nesting depth of `coordinates` for each type (Point 1 … MultiPolygon 4). */
const DEPTH: Record<string, number> = { Point: 1, MultiPoint: 2, LineString: 2, MultiLineString: 3, Polygon: 3, MultiPolygon: 4 }

function fmt(p: Position): string {
  return `[${p[0]}, ${p[1]}]`
}

/**
 * Structure and numbers: a known type, coordinates nested to the type's depth, every position an array
 * of 2–3 finite numbers. Returns the first structural finding (later checks need a sound structure).
 */
export function checkStructure(g: unknown): Finding | null {
  if (g === null || g === undefined) return { code: ProblemCode.missingGeometry, message: 'geometry is null; every feature needs one' }
  if (typeof g !== 'object' || Array.isArray(g)) return { code: ProblemCode.unsupportedGeometry, message: 'geometry is not an object' }
  const type = (g as { type?: unknown }).type
  if (type === 'GeometryCollection')
    return { code: ProblemCode.unsupportedGeometry, message: 'GeometryCollection is not supported; split it into one feature per geometry' }
  if (typeof type !== 'string' || !(type in DEPTH))
    return { code: ProblemCode.unsupportedGeometry, message: `geometry.type ${JSON.stringify(type)} is not a GeoJSON geometry type` }
  const coords = (g as { coordinates?: unknown }).coordinates
  if (!Array.isArray(coords)) return { code: ProblemCode.badCoordinates, message: `geometry.coordinates of a ${type} must be an array` }
  return walk(coords, DEPTH[type], type, 'coordinates')
}

function walk(a: unknown, depth: number, type: string, path: string): Finding | null {
  if (!Array.isArray(a)) return { code: ProblemCode.badCoordinates, message: `${path} must be an array (${type})` }
  if (depth === 1) {
    if (a.length < 2 || a.length > 3)
      return { code: ProblemCode.badCoordinates, message: `${path} is a position with ${a.length} numbers; expected [lng, lat] or [lng, lat, z]` }
    for (let i = 0; i < a.length; i++) {
      const v = a[i]
      if (typeof v !== 'number')
        return { code: ProblemCode.badCoordinates, message: `${path}[${i}] is ${JSON.stringify(v)}, not a number` }
      if (!Number.isFinite(v)) return { code: ProblemCode.nonFiniteCoordinate, message: `${path}[${i}] is ${v}; coordinates must be finite numbers` }
    }
    return null
  }
  for (let i = 0; i < a.length; i++) {
    const f = walk(a[i], depth - 1, type, `${path}[${i}]`)
    if (f) return f
  }
  return null
}

/** True when the geometry has no position at all (e.g. `[]`, `[[]]`). */
export function isEmpty(g: Geometry): boolean {
  if (g.type === 'GeometryCollection') return g.geometries.length === 0
  const c = g.coordinates as unknown
  const any = (a: unknown): boolean => (Array.isArray(a) ? (typeof a[0] === 'number' ? true : a.some(any)) : false)
  return !any(c)
}

/** Twice the signed area of a ring in coordinate units; > 0 counter-clockwise. */
export function ringArea2(r: Position[]): number {
  let s = 0
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) s += (r[j][0] - r[i][0]) * (r[j][1] + r[i][1])
  return s
}

const same = (a: Position, b: Position) => a[0] === b[0] && a[1] === b[1]

/**
 * Findings of one polygon's rings (a Polygon's coordinates): unclosed, short, duplicate consecutive vertices,
 * spikes (a vertex where the ring turns straight back), self-intersections, rings crossing each other,
 * and winding against RFC 7946 (exterior counter-clockwise, holes clockwise).
 */
export function checkRings(rings: Position[][], where = ''): Finding[] {
  const out: Finding[] = []
  const at = (k: number) => `${where}ring ${k}${k === 0 ? ' (exterior)' : ' (hole)'}`
  if (rings.length === 0) return [{ code: ProblemCode.emptyGeometry, message: `${where}polygon has no rings` }]
  const clean: Position[][] = []
  let wrongWinding = 0
  rings.forEach((ring, k) => {
    if (ring.length === 0) {
      out.push({ code: ProblemCode.emptyGeometry, message: `${at(k)} is empty` })
      return
    }
    const closed = same(ring[0], ring[ring.length - 1])
    if (!closed)
      out.push({ code: ProblemCode.unclosedRing, message: `${at(k)} is not closed: first ${fmt(ring[0])} ≠ last ${fmt(ring[ring.length - 1])}` })
    const open = closed ? ring.slice(0, -1) : ring.slice()
    let dups = 0
    const dedup: Position[] = []
    for (const p of open) {
      if (dedup.length && same(dedup[dedup.length - 1], p)) dups++
      else dedup.push(p)
    }
    while (dedup.length > 1 && same(dedup[0], dedup[dedup.length - 1])) {
      dedup.pop()
      dups++
    }
    if (dups) out.push({ code: ProblemCode.duplicateVertex, message: `${at(k)} repeats a vertex ${dups} time(s) in a row` })
    if (dedup.length < 3) {
      out.push({ code: ProblemCode.shortRing, message: `${at(k)} has ${dedup.length} distinct vertices; a ring needs at least 3 (4 positions, closed)` })
      return
    }
    const spikes = spikeVertices(dedup)
    if (spikes.length)
      out.push({ code: ProblemCode.spike, message: `${at(k)} has ${spikes.length} spike(s) (the boundary turns straight back), first at ${fmt(dedup[spikes[0]])}` })
    const a2 = ringArea2(dedup)
    if (a2 !== 0 && (k === 0 ? a2 < 0 : a2 > 0)) wrongWinding++
    clean.push(dedup)
  })
  if (rings.length > 1 && clean.length === rings.length) {
    for (let k = 1; k < clean.length; k++) {
      const inside = ringContains(clean[0], clean[k])
      if (inside === false)
        out.push({ code: ProblemCode.holeOutsideShell, message: `${at(k)} lies outside the exterior ring (near ${fmt(clean[k][0])}); is it a separate part?` })
    }
  }
  const hits = ringIntersections(clean)
  for (const h of hits.slice(0, 1)) {
    out.push(
      h.same
        ? { code: ProblemCode.selfIntersection, message: `${at(h.ringA)} intersects itself at ${fmt(h.at)}${hits.length > 1 ? ` (and ${hits.length - 1} more)` : ''}` }
        : { code: ProblemCode.ringCrossing, message: `${where}rings ${h.ringA} and ${h.ringB} cross at ${fmt(h.at)}` },
    )
  }
  if (wrongWinding)
    out.push({ code: ProblemCode.wrongWinding, message: `${where}${wrongWinding} ring(s) wound against RFC 7946 (exterior counter-clockwise, holes clockwise); rewound` })
  return out
}

/** Even-odd test of a point against an open ring; null when the point lies on the ring's boundary. */
export function pointInRing(x: number, y: number, r: Position[]): boolean | null {
  let inside = false
  for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
    const [xi, yi] = r[i]
    const [xj, yj] = r[j]
    const cross = (xj - xi) * (y - yi) - (yj - yi) * (x - xi)
    if (cross === 0 && Math.min(xi, xj) <= x && x <= Math.max(xi, xj) && Math.min(yi, yj) <= y && y <= Math.max(yi, yj)) return null
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

/** Whether `hole` lies inside `shell`, judged by its first vertex not on the shell; null if undecided. */
function ringContains(shell: Position[], hole: Position[]): boolean | null {
  for (const p of hole) {
    const v = pointInRing(p[0], p[1], shell)
    if (v !== null) return v
  }
  return null
}

/** Indices of vertices of an open, deduplicated ring where the boundary goes back along itself. */
export function spikeVertices(open: Position[]): number[] {
  const n = open.length
  const out: number[] = []
  for (let i = 0; i < n; i++) {
    const a = open[(i + n - 1) % n]
    const b = open[i]
    const c = open[(i + 1) % n]
    const cross = (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0])
    const dot = (b[0] - a[0]) * (c[0] - b[0]) + (b[1] - a[1]) * (c[1] - b[1])
    const scale = Math.hypot(b[0] - a[0], b[1] - a[1]) * Math.hypot(c[0] - b[0], c[1] - b[1])
    if (dot < 0 && Math.abs(cross) <= 1e-12 * scale) out.push(i)
  }
  return out
}

/** Findings of a line part: at least 2 distinct positions, no consecutive duplicates. */
export function checkLine(line: Position[], where = ''): Finding[] {
  const out: Finding[] = []
  if (line.length === 0) return [{ code: ProblemCode.emptyGeometry, message: `${where}line has no positions` }]
  let dups = 0
  for (let i = 1; i < line.length; i++) if (same(line[i - 1], line[i])) dups++
  if (line.length - dups < 2)
    out.push({ code: ProblemCode.shortRing, message: `${where}line has ${line.length - dups} distinct position(s); a line needs at least 2` })
  else if (dups) out.push({ code: ProblemCode.duplicateVertex, message: `${where}line repeats a vertex ${dups} time(s) in a row` })
  return out
}

/** Every finding of a structurally sound geometry (call `checkStructure` first). */
export function checkGeometry(g: Geometry): Finding[] {
  if (isEmpty(g)) return [{ code: ProblemCode.emptyGeometry, message: `${g.type} has no coordinates` }]
  const z = hasZ(g) ? [{ code: ProblemCode.zDropped, message: `${g.type} carries heights (z); they are dropped, as gridweave stores lng, lat only` }] : []
  return [...z, ...checkShape(g)]
}

/** True when any position has a third number (a height). */
function hasZ(g: Geometry): boolean {
  const any = (a: unknown): boolean => (Array.isArray(a) ? (typeof a[0] === 'number' ? a.length > 2 : a.some(any)) : false)
  return g.type !== 'GeometryCollection' && any(g.coordinates)
}

function checkShape(g: Geometry): Finding[] {
  switch (g.type) {
    case 'Polygon':
      return checkRings(g.coordinates)
    case 'MultiPolygon':
      return g.coordinates.flatMap((p, i) => checkRings(p, `polygon ${i} `))
    case 'LineString':
      return checkLine(g.coordinates)
    case 'MultiLineString':
      return g.coordinates.flatMap((l, i) => checkLine(l, `line ${i} `))
    case 'MultiPoint':
      return g.coordinates.length ? [] : [{ code: ProblemCode.emptyGeometry, message: 'MultiPoint has no points' }]
    default:
      return []
  }
}
