/**
 * Loads a units file for the partition and metrics commands: GeoJSON -> graph (geo/graph) + weights,
 * with every problem that makes the result meaningless (duplicate ids, missing weights, unknown fields)
 * turned into a BadInput that names the flag.
 */
import type { FeatureCollection, LineString, MultiLineString, MultiPolygon, Polygon } from 'geojson'
import { buildGraph, lngLatBBox, type GraphReport } from '../../geo/graph/index.js'
import { checkLonLat } from '../../geo/validate/index.js'
import type { Graph } from '../../geo/types.js'
import { BadInput, readCollection, readWeights, requireField, requirePolygons } from './io.js'

export interface UnitArgs {
  input: string
  id?: string
  weight?: string
  households?: string
  nest?: string
  barriers?: string
}

export interface Units {
  fc: FeatureCollection<Polygon | MultiPolygon>
  graph: Graph
  report: GraphReport
  /** Per unit; 1 each when no --weight is given (grids balanced by unit count). */
  weights: Float64Array
  households?: Float64Array
}

export async function loadUnits(a: UnitArgs): Promise<Units> {
  const fc = await readCollection<Polygon | MultiPolygon>(a.input, 'units file')
  if (fc.features.length === 0) throw new BadInput(`units file ${a.input} has no features`)
  if (a.id !== undefined) requireField(fc, a.id, 'id')
  if (a.weight !== undefined) requireField(fc, a.weight, 'weight')
  if (a.households !== undefined) requireField(fc, a.households, 'households')
  if (a.nest !== undefined) requireField(fc, a.nest, 'nest')
  let barriers: FeatureCollection<LineString | MultiLineString> | undefined
  if (a.barriers !== undefined) {
    barriers = await readCollection<LineString | MultiLineString>(a.barriers, '--barriers file')
    barriers.features.forEach((f, i) => {
      const t = f.geometry?.type
      if (t !== 'LineString' && t !== 'MultiLineString') {
        throw new BadInput(`--barriers ${a.barriers}: feature ${i} has ${t ? `a ${t}` : 'no geometry'}; barriers must be LineString or MultiLineString`)
      }
    })
  }
  const idOf = (i: number) => (a.id ? String(fc.features[i].properties?.[a.id] ?? `#${i}`) : String(i))
  requirePolygons(fc, `units file ${a.input}`, idOf)
  // Lengths and areas assume lng, lat degrees: projected or swapped files would give nonsense metres.
  const crs = checkLonLat(lngLatBBox(fc))
  if (crs) throw new BadInput(`units file ${a.input}: ${crs.message}`)
  const { graph, report } = buildGraph(fc, { id: a.id, nest: a.nest, barriers })
  if (a.id !== undefined && report.missingIds > 0) {
    const i = fc.features.findIndex((f) => f.properties?.[a.id!] === undefined || f.properties?.[a.id!] === null || f.properties?.[a.id!] === '')
    throw new BadInput(`--id ${a.id}: ${report.missingIds} feature(s) have no ${a.id} (first: feature ${i})`)
  }
  if (report.duplicateIds.length > 0) {
    throw new BadInput(`--id ${a.id}: ids must be unique; repeated: ${report.duplicateIds.slice(0, 5).join(', ')}${report.duplicateIds.length > 5 ? ', …' : ''}`)
  }
  if (report.empty.length > 0) {
    throw new BadInput(`units file ${a.input}: ${report.empty.length} unit(s) have no usable polygon (fewer than 3 distinct vertices), first id ${graph.ids[report.empty[0]]}`)
  }
  const weights = a.weight ? readWeights(fc, a.weight, 'weight', graph.ids) : new Float64Array(graph.n).fill(1)
  const households = a.households ? readWeights(fc, a.households, 'households', graph.ids) : undefined
  return { fc, graph, report, weights, households }
}
