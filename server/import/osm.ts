/**
 * OpenStreetMap XML → barrier lines (roads, railways, rivers) with osm2geojson-lite. Everything else in
 * the extract (buildings, points of interest) is counted and left out; closed ways become their outline.
 */
import osm2geojson from 'osm2geojson-lite'
import type { Feature, Geometry, Position } from 'geojson'
import { ProblemCode } from '../../geo/validate/index.js'
import { ImportError } from './errors.js'

const MAIN = new Set(['motorway', 'trunk', 'primary', 'secondary', 'motorway_link', 'trunk_link', 'primary_link'])

export interface OsmReport {
  features: number
  lines: number
  skipped: number
}

function kindOf(p: Record<string, unknown>): string | null {
  if (typeof p.highway === 'string') return MAIN.has(p.highway) ? 'main_road' : 'road'
  if (typeof p.railway === 'string') return 'railway'
  if (typeof p.waterway === 'string') return 'river'
  return null
}

function asLines(g: Geometry): Position[][] {
  switch (g.type) {
    case 'LineString':
      return [g.coordinates]
    case 'MultiLineString':
      return g.coordinates
    case 'Polygon':
      return g.coordinates
    case 'MultiPolygon':
      return g.coordinates.flat()
    default:
      return []
  }
}

/** Road, railway and waterway ways of an .osm XML text as barrier features (kind, name, osm id). */
export function readOsmXml(text: string): { features: unknown[]; report: OsmReport } {
  if (!/^\s*(<\?xml[^>]*>\s*)?<osm[\s>]/.test(text))
    throw new ImportError(400, ProblemCode.malformedFile, 'the file is not OpenStreetMap XML (no <osm> root element)', 'file')
  let fc: { features: Feature[] }
  try {
    fc = osm2geojson(text, { completeFeature: true }) as { features: Feature[] }
  } catch (err) {
    throw new ImportError(400, ProblemCode.malformedFile, `the OSM XML cannot be read: ${(err as Error).message}`, 'file')
  }
  const out: unknown[] = []
  let skipped = 0
  for (const f of fc.features) {
    const p = (f.properties ?? {}) as Record<string, unknown>
    const kind = kindOf(p)
    const lines = f.geometry ? asLines(f.geometry) : []
    if (!kind || !lines.length) {
      skipped++
      continue
    }
    out.push({
      type: 'Feature',
      id: String(f.id ?? p.id),
      properties: { kind, name: typeof p.name === 'string' ? p.name : null, hard: kind === 'main_road' || kind === 'railway' || kind === 'river', osm: f.id ?? p.id },
      geometry: lines.length === 1 ? { type: 'LineString', coordinates: lines[0] } : { type: 'MultiLineString', coordinates: lines },
    })
  }
  return { features: out, report: { features: fc.features.length, lines: out.length, skipped } }
}
