/**
 * Feature-by-feature checks of one layer, usable on a stream: call `check` for each feature in order and
 * `finish` at the end. Finds what single-geometry checks cannot: duplicate ids, missing or negative
 * weights, mixed geometry types, coordinates that are not lng, lat.
 */
import type { Geometry } from 'geojson'
import { problem, ProblemCode, type Problem } from './codes.js'
import { checkLonLat, emptyBox, extendBox, type BBox } from './crs.js'
import { checkGeometry, checkStructure, FAMILY, type Family } from './geometry.js'

export interface WeightRule {
  /** Property name in the file. */
  field: string
  /** A feature without it is a problem; otherwise absent means 0. */
  required: boolean
}

export interface FeatureCheckOptions {
  /** Geometry family the layer takes. */
  family: Family
  /** Property holding the feature's id; default: the feature's own `id` member. */
  idField?: string
  /** Properties tried, in order, when `idField` is unset and the feature has no `id` member. */
  idFallbacks?: string[]
  /** An id is required (units, areas) or optional (barriers, events). */
  idRequired?: boolean
  weights?: WeightRule[]
  /** The district's extent (lng, lat) when known: lets swapped or misplaced files be named. */
  expected?: BBox
}

export type FeatureId = string | number | null

export interface CheckedFeature {
  id: FeatureId
  /** Present when the structure is sound (even if other problems were found). */
  geometry?: Geometry
  properties: Record<string, unknown>
  /** Parsed weights by field name (0 when absent and optional). */
  weights: Record<string, number>
  problems: Problem[]
}

/** A whole number ≥ 0 from a number or numeric string; the reason when it is not one. */
export function parseWeight(v: unknown): { value: number } | { code: ProblemCode; reason: string } {
  if (v === undefined || v === null || v === '') return { code: ProblemCode.missingWeight, reason: 'is missing' }
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v.trim()) : NaN
  if (!Number.isFinite(n)) return { code: ProblemCode.badWeight, reason: `is ${JSON.stringify(v)}, not a number` }
  if (n < 0) return { code: ProblemCode.negativeWeight, reason: `is ${n}; weights cannot be negative` }
  if (!Number.isInteger(n)) return { code: ProblemCode.badWeight, reason: `is ${n}; weights are whole counts` }
  if (n > 2_147_483_647) return { code: ProblemCode.badWeight, reason: `is ${n}; larger than any real count` }
  return { value: n }
}

export class FeatureChecker {
  private readonly ids = new Map<string, number>()
  private readonly families = new Map<string, number>()
  /** Bounding box of every sound geometry seen (lng, lat). */
  readonly box: BBox = emptyBox()

  constructor(private readonly opts: FeatureCheckOptions) {}

  check(raw: unknown, index: number): CheckedFeature {
    const problems: Problem[] = []
    const out: CheckedFeature = { id: null, properties: {}, weights: {}, problems }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || (raw as { type?: unknown }).type !== 'Feature') {
      problems.push(problem(index, null, ProblemCode.notFeature, 'is not a GeoJSON Feature object ({"type": "Feature", "geometry": …, "properties": …})'))
      return out
    }
    const f = raw as { id?: unknown; properties?: unknown; geometry?: unknown }
    const props = f.properties
    if (props !== null && props !== undefined && (typeof props !== 'object' || Array.isArray(props))) {
      problems.push(problem(index, null, ProblemCode.badValue, 'properties must be an object or null', 'properties'))
    } else out.properties = (props ?? {}) as Record<string, unknown>

    // id
    let idField = this.opts.idField
    if (!idField && (f.id === undefined || f.id === null))
      idField = this.opts.idFallbacks?.find((k) => out.properties[k] !== undefined && out.properties[k] !== null)
    const rawId = idField ? out.properties[idField] : f.id
    const idName = idField ? `properties.${idField}` : 'id'
    if (rawId === undefined || rawId === null || rawId === '') {
      if (this.opts.idRequired) problems.push(problem(index, null, ProblemCode.missingId, `${idName} is missing; every feature of this layer needs an id`, idName))
    } else if (typeof rawId !== 'string' && typeof rawId !== 'number') {
      problems.push(problem(index, null, ProblemCode.badValue, `${idName} must be a string or number`, idName))
    } else {
      out.id = rawId
      const key = String(rawId).trim()
      if (key.length > 128) problems.push(problem(index, out.id, ProblemCode.badValue, `${idName} is ${key.length} characters; at most 128`, idName))
      const first = this.ids.get(key)
      if (first !== undefined)
        problems.push(problem(index, out.id, ProblemCode.duplicateId, `${idName} ${JSON.stringify(key)} was already used by feature ${first}`, idName))
      else this.ids.set(key, index)
    }

    // weights
    for (const w of this.opts.weights ?? []) {
      const v = out.properties[w.field]
      if ((v === undefined || v === null || v === '') && !w.required) {
        out.weights[w.field] = 0
        continue
      }
      const p = parseWeight(v)
      if ('value' in p) out.weights[w.field] = p.value
      else problems.push(problem(index, out.id, p.code, `properties.${w.field} ${p.reason}`, `properties.${w.field}`))
    }

    // geometry
    const s = checkStructure(f.geometry)
    if (s) {
      problems.push(problem(index, out.id, s.code, s.message, 'geometry'))
      return out
    }
    const g = f.geometry as Geometry
    const fam = FAMILY[g.type]
    this.families.set(fam, (this.families.get(fam) ?? 0) + 1)
    if (fam !== this.opts.family) {
      problems.push(
        problem(index, out.id, ProblemCode.wrongGeometryType, `geometry is a ${g.type}; this layer takes ${TYPES[this.opts.family]}`, 'geometry.type'),
      )
      return out
    }
    out.geometry = g
    for (const x of checkGeometry(g)) problems.push(problem(index, out.id, x.code, x.message, 'geometry'))
    const box = extendBox(emptyBox(), g)
    const crs = checkLonLat(box, { expected: this.opts.expected })
    if (crs) problems.push(problem(index, out.id, crs.code, crs.message, 'geometry.coordinates'))
    else extendBox(this.box, g)
    return out
  }

  /** Problems of the whole collection (index -1): mixed geometry families. */
  finish(): Problem[] {
    if (this.families.size <= 1) return []
    const parts = [...this.families].map(([k, n]) => `${n} ${k}`).join(', ')
    return [problem(-1, null, ProblemCode.mixedGeometryTypes, `the file mixes geometry types (${parts}); one layer takes ${TYPES[this.opts.family]} only`)]
  }
}

const TYPES: Record<Family, string> = {
  point: 'Point (or MultiPoint)',
  line: 'LineString or MultiLineString',
  polygon: 'Polygon or MultiPolygon',
}
