/**
 * Atomic units from an area and its dividing lines: node the lines with the area outline, polygonize,
 * keep the faces inside the area, and sum building weights into them. The faces tile the area exactly
 * (they are cut from one planar graph that includes the outline), so no gap or overlap can appear.
 *
 * Coordinates: lng, lat (EPSG:4326). Areas: m² (geodesic, @turf/area). Used by the demo generator and
 * by import-from-OpenStreetMap, so nothing here knows about roads, communities or Chinese codes.
 */
import { area as turfArea } from '@turf/turf'
import type {
  Feature,
  FeatureCollection,
  LineString,
  MultiLineString,
  MultiPolygon,
  Point,
  Polygon,
  Position,
} from 'geojson'
import { areaPolygons, type AreaFeature } from './area.js'
import { assignPoints, type Rings } from './assign.js'
import { buildFaces } from './faces.js'
import { nodeLines, type NodeOptions, type Polyline } from './noding.js'
import { mergeSlivers } from './slivers.js'
import { pointInPolygonRings, pointOnSurface, ringBounds } from './ring.js'

export { areaPolygons, type AreaFeature } from './area.js'
export { assignPoints, PolygonIndex, type Rings } from './assign.js'
export { nodeLines, type NodedGraph, type NodeOptions, type Polyline } from './noding.js'
export { pointInPolygonRings, pointOnSurface, signedArea } from './ring.js'
export { regionsByLines, type RegionsOptions, type RegionsResult } from './regions.js'

export interface BlocksOptions extends NodeOptions {
  /** Numeric building properties summed into each unit. Default ['households', 'population']. */
  weights?: string[]
  /** Merge blocks smaller than this (m², approximate) into their longest-bordering neighbour. Default 0. */
  minArea?: number
}

export interface UnitProperties {
  /** 0-based unit index, units ordered north→south then west→east by interior point. */
  id: number
  /** Geodesic area, m². */
  area: number
  /** Buildings assigned to the unit. */
  buildings: number
  [weight: string]: number
}

export interface BlocksReport {
  /** Input line features used (after skipping those outside the area's box). */
  lines: number
  segments: number
  nodes: number
  edges: number
  /** Edges removed as dangles (stubs, lines leaving the area) and as bridges. */
  danglesRemoved: number
  bridgesRemoved: number
  /** Slivers merged into a neighbour (see `minArea`). */
  sliversMerged: number
  units: number
  /** Units with at least one hole (an enclosed piece of network inside a block). */
  unitsWithHoles: number
  /** Geodesic areas in m² and relative difference |units − area| / area. */
  area: number
  unitsArea: number
  areaError: number
  buildings: number
  /** Indices of buildings that fell in no unit (outside the area). */
  unassigned: number[]
  /** Sums of each weight over all units (assigned buildings only). */
  totals: Record<string, number>
}

export type LineInput = FeatureCollection<LineString | MultiLineString>
export type BuildingInput = FeatureCollection<Point | Polygon>

/** Line coordinates of the features whose box meets `box`. */
export function linesInBox(lines: LineInput, box: [number, number, number, number]): Polyline[] {
  const out: Polyline[] = []
  for (const f of lines.features) {
    if (!f.geometry) continue
    const parts = f.geometry.type === 'LineString' ? [f.geometry.coordinates] : f.geometry.coordinates
    for (const part of parts) {
      const b = ringBounds(part)
      if (b[0] > box[2] || b[2] < box[0] || b[1] > box[3] || b[3] < box[1]) continue
      out.push(part)
    }
  }
  return out
}

export function polygonsBounds(polys: Rings[]): [number, number, number, number] {
  const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity]
  for (const p of polys) {
    const b = ringBounds(p[0])
    box[0] = Math.min(box[0], b[0])
    box[1] = Math.min(box[1], b[1])
    box[2] = Math.max(box[2], b[2])
    box[3] = Math.max(box[3], b[3])
  }
  return box
}

/**
 * Cuts `area` by `lines` into atomic blocks and sums building weights into them.
 * Lines may dangle, cross the outline or extend beyond it; only closed faces inside the area count.
 * A building (point, or polygon by its interior point) lands in exactly one block.
 */
export function buildBlocks(
  area: AreaFeature,
  lines: LineInput,
  buildings?: BuildingInput,
  opts: BlocksOptions = {},
): { units: FeatureCollection<Polygon, UnitProperties>; report: BlocksReport } {
  const weights = opts.weights ?? ['households', 'population']
  const polys = areaPolygons(area)
  const box = polygonsBounds(polys)
  const used = linesInBox(lines, box)
  const all: Polyline[] = []
  for (const p of polys) for (const r of p) all.push(r)
  for (const l of used) all.push(l)

  const g = nodeLines(all, opts)
  let fr = buildFaces(g.x, g.y, g.n, g.edges, g.m)
  let inside: Uint8Array = new Uint8Array(fr.faces.length)
  fr.faces.forEach((f, i) => {
    const [px, py] = pointOnSurface([f.shell, ...f.holes])
    inside[i] = polys.some((p) => pointInPolygonRings(px, py, p)) ? 1 : 0
  })
  let slivers = 0
  if (opts.minArea) ({ fr, inside, merged: slivers } = mergeSlivers(g, fr, inside, opts.minArea))

  // Keep faces inside the area; order them north→south, west→east for stable, readable ids.
  const kept: { rings: Position[][]; px: number; py: number }[] = []
  fr.faces.forEach((f, i) => {
    if (!inside[i]) return
    const rings = [f.shell, ...f.holes]
    const [px, py] = pointOnSurface(rings)
    kept.push({ rings, px, py })
  })
  kept.sort((a, b) => b.py - a.py || a.px - b.px)

  const features: Feature<Polygon, UnitProperties>[] = kept.map((k, i) => {
    const props: UnitProperties = { id: i, area: 0, buildings: 0 }
    for (const w of weights) props[w] = 0
    const geometry: Polygon = { type: 'Polygon', coordinates: k.rings }
    props.area = turfArea(geometry)
    return { type: 'Feature', properties: props, geometry }
  })

  const unassigned: number[] = []
  const totals: Record<string, number> = {}
  for (const w of weights) totals[w] = 0
  let nb = 0
  if (buildings) {
    nb = buildings.features.length
    const xs = new Float64Array(nb)
    const ys = new Float64Array(nb)
    buildings.features.forEach((b, i) => {
      const p = b.geometry.type === 'Point' ? b.geometry.coordinates : pointOnSurface(b.geometry.coordinates)
      xs[i] = p[0]
      ys[i] = p[1]
    })
    const owner = assignPoints(
      kept.map((k) => k.rings),
      xs,
      ys,
    )
    for (let i = 0; i < nb; i++) {
      const u = owner[i]
      if (u < 0) {
        unassigned.push(i)
        continue
      }
      const props = features[u].properties
      props.buildings++
      const bp = buildings.features[i].properties ?? {}
      for (const w of weights) {
        const v = Number(bp[w] ?? 0)
        if (Number.isFinite(v)) {
          props[w] += v
          totals[w] += v
        }
      }
    }
  }

  const areaM2 = polys.reduce((s, p) => s + turfArea({ type: 'Polygon', coordinates: p }), 0)
  const unitsArea = features.reduce((s, f) => s + f.properties.area, 0)
  return {
    units: { type: 'FeatureCollection', features },
    report: {
      lines: used.length,
      segments: g.segments,
      nodes: g.n,
      edges: g.m,
      danglesRemoved: fr.danglesRemoved,
      bridgesRemoved: fr.bridgesRemoved,
      sliversMerged: slivers,
      units: features.length,
      unitsWithHoles: kept.filter((k) => k.rings.length > 1).length,
      area: areaM2,
      unitsArea,
      areaError: areaM2 > 0 ? Math.abs(unitsArea - areaM2) / areaM2 : 0,
      buildings: nb,
      unassigned,
      totals,
    },
  }
}
