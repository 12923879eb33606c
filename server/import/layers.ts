/**
 * What each layer takes and how a checked feature becomes a staged row: ids, names, kinds, weights,
 * parent codes, dates. Attribute problems are reported with the feature's index and id, like geometry ones.
 */
import type { Geometry } from 'geojson'
import { emptyBox, extendBox, problem, ProblemCode, type CheckedFeature, type Family, type Problem, type WeightRule } from '../../geo/validate/index.js'
import type { FieldMapping, ImportLayer } from '../schemas/imports.js'

export interface LayerSpec {
  family: Family
  /** Dimension kept by ST_CollectionExtract after ST_MakeValid. */
  dim: 1 | 2 | 3
  idRequired: boolean
  nameRequired: boolean
  /** Parent level whose code `mapping.parent` names. */
  parent?: { level: 'jurisdiction' | 'community'; required: boolean; defaultField: string }
  kinds?: { values: readonly string[]; default?: string }
  weights: boolean
  date: boolean
  hard: boolean
}

export const LAYERS: Record<ImportLayer, LayerSpec> = {
  district: { family: 'polygon', dim: 3, idRequired: true, nameRequired: true, weights: false, date: false, hard: false },
  jurisdictions: {
    family: 'polygon', dim: 3, idRequired: true, nameRequired: true, weights: false, date: false, hard: false,
    kinds: { values: ['street', 'town', 'township', 'other'], default: 'street' },
  },
  communities: {
    family: 'polygon', dim: 3, idRequired: true, nameRequired: true, weights: false, date: false, hard: false,
    parent: { level: 'jurisdiction', required: true, defaultField: 'jurisdiction' },
    kinds: { values: ['community', 'village', 'other'], default: 'community' },
  },
  units: {
    family: 'polygon', dim: 3, idRequired: true, nameRequired: false, weights: true, date: false, hard: false,
    parent: { level: 'community', required: false, defaultField: 'community' },
  },
  barriers: {
    family: 'line', dim: 2, idRequired: false, nameRequired: false, weights: false, date: false, hard: true,
    kinds: { values: ['main_road', 'road', 'railway', 'river', 'boundary', 'other'], default: 'other' },
  },
  stations: {
    family: 'point', dim: 1, idRequired: false, nameRequired: true, weights: false, date: false, hard: false,
    parent: { level: 'jurisdiction', required: false, defaultField: 'jurisdiction' },
    kinds: { values: ['police', 'service'], default: 'service' },
  },
  events: {
    family: 'point', dim: 1, idRequired: false, nameRequired: false, weights: false, date: true, hard: false,
    kinds: { values: ['incident', 'mediation', 'demand'] },
  },
}

export function weightRules(layer: ImportLayer, m: FieldMapping): WeightRule[] {
  if (!LAYERS[layer].weights) return []
  return [
    { field: m.population ?? 'population', required: true },
    // households are optional unless the mapping names a column for them
    { field: m.households ?? 'households', required: m.households !== undefined },
  ]
}

/** One row of the staging table (see repo/imports.ts). */
export interface StageRow {
  idx: number
  ext_id: string | null
  name: string | null
  kind: string | null
  hard: boolean | null
  occurred_on: string | null
  parent_id: number | null
  population: number | null
  households: number | null
  attrs: Record<string, unknown> | null
  geom: string
  /** Exact bounding box (lng, lat) of geom; the stage's exact overlap prefilter uses it. */
  x0: number
  y0: number
  x1: number
  y1: number
}

export interface RowContext {
  layer: ImportLayer
  mapping: FieldMapping
  /** Parent code → ids (several when a code is ambiguous inside the district). */
  parents?: Map<string, number[]>
  counters: Record<string, number>
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const TRUE = new Set(['true', 't', '1', 'yes', 'y', '是'])
const FALSE = new Set(['false', 'f', '0', 'no', 'n', '否'])

/** Turns a checked feature into a stage row, adding attribute problems to `out`. */
export function toStageRow(index: number, c: CheckedFeature, geometry: Geometry | undefined, ctx: RowContext, out: Problem[]): StageRow | null {
  const spec = LAYERS[ctx.layer]
  const m = ctx.mapping
  const p = c.properties
  const used = new Set<string>()
  const field = (name: string) => {
    used.add(name)
    return p[name]
  }
  const text = (v: unknown) => (v === undefined || v === null || String(v).trim() === '' ? null : String(v).trim())
  const bad = (code: (typeof ProblemCode)[keyof typeof ProblemCode], msg: string, f: string) => out.push(problem(index, c.id, code, msg, f))
  if (m.id) used.add(m.id)

  const nameField = m.name ?? 'name'
  const name = text(field(nameField))
  if (spec.nameRequired && !name) bad(ProblemCode.missingField, `properties.${nameField} is missing; this layer needs a name`, `properties.${nameField}`)

  let kind: string | null = null
  if (spec.kinds) {
    const kf = m.kind ?? 'kind'
    const v = text(field(kf))
    if (v === null) {
      if (spec.kinds.default === undefined) bad(ProblemCode.missingField, `properties.${kf} is missing; one of ${spec.kinds.values.join(', ')}`, `properties.${kf}`)
      else {
        kind = spec.kinds.default
        ctx.counters[`kind defaulted to ${kind}`] = (ctx.counters[`kind defaulted to ${kind}`] ?? 0) + 1
      }
    } else if (!spec.kinds.values.includes(v)) bad(ProblemCode.badValue, `properties.${kf} is ${JSON.stringify(v)}; expected one of ${spec.kinds.values.join(', ')}`, `properties.${kf}`)
    else kind = v
  }

  let hard: boolean | null = null
  if (spec.hard) {
    const hf = m.hard ?? 'hard'
    const v = field(hf)
    if (v === undefined || v === null || v === '') hard = true
    else if (typeof v === 'boolean') hard = v
    else if (TRUE.has(String(v).trim().toLowerCase())) hard = true
    else if (FALSE.has(String(v).trim().toLowerCase())) hard = false
    else bad(ProblemCode.badValue, `properties.${hf} is ${JSON.stringify(v)}; expected true or false`, `properties.${hf}`)
  }

  let occurred: string | null = null
  if (spec.date) {
    const df = m.date ?? 'date'
    const v = text(field(df))
    const d = v ? DATE.exec(v) : null
    const ok = d && (() => {
      const t = new Date(Date.UTC(+d[1], +d[2] - 1, +d[3]))
      return t.getUTCFullYear() === +d[1] && t.getUTCMonth() === +d[2] - 1 && t.getUTCDate() === +d[3]
    })()
    if (!v) bad(ProblemCode.missingField, `properties.${df} is missing; events need a date (YYYY-MM-DD)`, `properties.${df}`)
    else if (!ok) bad(ProblemCode.badValue, `properties.${df} is ${JSON.stringify(v)}; expected a real date as YYYY-MM-DD`, `properties.${df}`)
    else occurred = v
  }

  let parentId: number | null = null
  if (spec.parent) {
    const pf = m.parent ?? spec.parent.defaultField
    const v = text(field(pf))
    if (v === null) {
      if (spec.parent.required) bad(ProblemCode.missingField, `properties.${pf} is missing; name the ${spec.parent.level} code`, `properties.${pf}`)
    } else {
      const ids = ctx.parents?.get(v) ?? []
      if (ids.length === 0) bad(ProblemCode.unknownParent, `properties.${pf} is ${JSON.stringify(v)}; no ${spec.parent.level} has that code in this district (import that layer first)`, `properties.${pf}`)
      else if (ids.length > 1) bad(ProblemCode.unknownParent, `properties.${pf} ${JSON.stringify(v)} matches ${ids.length} ${spec.parent.level} areas of this district; codes must be unique`, `properties.${pf}`)
      else parentId = ids[0]
    }
  }

  let population: number | null = null
  let households: number | null = null
  if (spec.weights) {
    const pop = m.population ?? 'population'
    const hh = m.households ?? 'households'
    used.add(pop)
    used.add(hh)
    population = c.weights[pop] ?? null
    households = c.weights[hh] ?? 0
  }

  if (!geometry) return null
  const box = extendBox(emptyBox(), geometry)
  const attrs: Record<string, unknown> = {}
  if (ctx.layer === 'units' || ctx.layer === 'events') for (const [k, v] of Object.entries(p)) if (!used.has(k) && v !== undefined) attrs[k] = v
  return {
    idx: index,
    ext_id: c.id === null ? null : String(c.id).trim(),
    name,
    kind,
    hard,
    occurred_on: occurred,
    parent_id: parentId,
    population,
    households,
    attrs,
    geom: JSON.stringify(geometry),
    x0: box[0],
    y0: box[1],
    x1: box[2],
    y1: box[3],
  }
}
