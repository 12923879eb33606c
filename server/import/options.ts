/**
 * Import options from text (query string, multipart fields, CLI flags) → validated ImportOptions, with a
 * 400 naming the field and the allowed values on any mistake.
 */
import { Value } from 'typebox/value'
import { ProblemCode } from '../../geo/validate/index.js'
import { FieldMapping, ImportOptions, type ImportFields } from '../schemas/imports.js'
import { ImportError } from './errors.js'

const ALLOWED: Record<string, string> = {
  layer: 'district, jurisdictions, communities, units, barriers, stations, events',
  format: 'geojson, shapefile, csv, osm',
  mode: 'reject, repair',
  crs: 'wgs84, gcj02, bd09',
}

export function parseImportOptions(fields: ImportFields): ImportOptions {
  let mapping: unknown
  if (fields.mapping !== undefined && fields.mapping.trim() !== '') {
    try {
      mapping = JSON.parse(fields.mapping)
    } catch {
      throw new ImportError(400, ProblemCode.badValue, `mapping is not JSON; send an object such as {"id":"GEOID","population":"pop"}`, 'mapping')
    }
    if (!Value.Check(FieldMapping, mapping)) {
      const e = [...Value.Errors(FieldMapping, mapping)][0]
      const where = e?.instancePath ? `mapping${e.instancePath.replace(/\//g, '.')}` : 'mapping'
      const extra = (e?.params as { additionalProperties?: string[] } | undefined)?.additionalProperties
      throw new ImportError(
        400,
        ProblemCode.badValue,
        extra ? `mapping has unknown key(s) ${extra.join(', ')}; allowed: ${Object.keys(FieldMapping.properties).join(', ')}` : `${where} ${e?.message ?? 'is invalid'}; values are attribute names (strings)`,
        where,
      )
    }
  }
  const raw: Record<string, unknown> = {}
  for (const k of ['layer', 'format', 'mode', 'crs', 'district'] as const) {
    const v = fields[k]
    if (v !== undefined && v !== '') raw[k] = v.trim()
  }
  if (mapping !== undefined) raw.mapping = mapping
  for (const k of ['layer', 'format'] as const)
    if (raw[k] === undefined) throw new ImportError(400, ProblemCode.missingField, `${k} is required; one of ${ALLOWED[k]}`, k)
  if (!Value.Check(ImportOptions, raw)) {
    for (const k of ['layer', 'format', 'mode', 'crs'] as const) {
      const part = (ImportOptions.properties as Record<string, unknown>)[k]
      if (raw[k] !== undefined && !Value.Check(part as never, raw[k]))
        throw new ImportError(400, ProblemCode.badValue, `${k} is ${JSON.stringify(raw[k])}; expected one of ${ALLOWED[k]}`, k)
    }
    throw new ImportError(400, ProblemCode.badValue, 'the import options are invalid', 'district')
  }
  return raw as ImportOptions
}

/** Format from a file name when none is given. */
export function formatFromName(name: string | undefined): string | undefined {
  if (!name) return undefined
  const n = name.toLowerCase()
  if (n.endsWith('.geojson') || n.endsWith('.json')) return 'geojson'
  if (n.endsWith('.zip')) return 'shapefile'
  if (n.endsWith('.csv')) return 'csv'
  if (n.endsWith('.osm')) return 'osm'
  return undefined
}
