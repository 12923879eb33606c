/**
 * The bad-input catalogue: malformed and hostile files, each refused with the exact reason code (and the
 * field or feature it concerns), and the database unchanged afterwards (row counts of every table).
 * Files are built here from small builders; limits are lowered per case so hostile sizes stay cheap.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../server/db/index.js'
import { ImportError } from '../server/import/errors.js'
import type { ImportLimits } from '../server/import/limits.js'
import { parseImportOptions } from '../server/import/options.js'
import { importFeatures } from '../server/import/pipeline.js'
import type { ImportFields } from '../server/schemas/imports.js'
import { encodeGbk, fc, polygonFeature as poly, square, writeDbf, writeShp, writeZip } from '../fixtures/cases/import-builders.js'
import { BACKEND, createTestDb } from './helpers/db.js'

// District T1: lng 123.90–124.00, lat 47.30–47.40; jurisdiction J1 covers it; communities C1 (west), C2 (east).
const D = { x0: 123.9, y0: 47.3, x1: 124.0, y1: 47.4 }
const unit = (id: string, props: Record<string, unknown>, rings = [square(123.901, 47.301, 123.902, 47.302)]) =>
  poly({ code: id, population: 10, ...props }, rings)
const units = (...f: unknown[]) => fc(f)
const U = { layer: 'units', format: 'geojson', district: 'T1' }

async function* chunks(body: string | Uint8Array, size = 997): AsyncGenerator<Uint8Array> {
  const b = typeof body === 'string' ? new TextEncoder().encode(body) : body
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size)
}

interface Outcome {
  ok: boolean
  status?: number
  code?: string
  field?: string
  problems?: { index: number; code: string; id: unknown; field?: string }[]
}

let db: Db

async function attempt(fields: ImportFields, body: string | Uint8Array, limits?: Partial<ImportLimits>): Promise<Outcome> {
  try {
    const options = parseImportOptions(fields)
    await importFeatures({ db, options, source: chunks(body), limits })
    return { ok: true }
  } catch (err) {
    if (!(err instanceof ImportError)) throw err
    return { ok: false, status: err.statusCode, code: err.code, field: err.field, problems: err.problems }
  }
}

async function countAll(): Promise<Record<string, number>> {
  const { rows } = await db.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)
  const out: Record<string, number> = {}
  for (const { t } of rows) out[t] = Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${t}"`)).rows[0].n)
  return out
}

const shpUnits = (ids: string[]) => ({
  shp: writeShp(ids.map((_, i) => ({ type: 'polygon' as const, rings: [square(123.91 + i * 0.001, 47.31, 123.9105 + i * 0.001, 47.3105)] }))),
  dbf: writeDbf([{ name: 'code', type: 'C', length: 10 }, { name: 'population', type: 'N', length: 6 }], ids.map((id) => [id, 5])),
})
const S = { layer: 'units', format: 'shapefile', district: 'T1' }
const csvEvents = { layer: 'events', format: 'csv', district: 'T1' }

interface Case {
  name: string
  fields: ImportFields
  body: string | Uint8Array
  limits?: Partial<ImportLimits>
  status: number
  code?: string
  field?: string
  /** a problem with this code (and feature index) must be listed */
  problem?: { code: string; index?: number }
}

const CASES: Case[] = [
  // --- GeoJSON: file and structure
  { name: 'empty file', fields: U, body: '', status: 400, code: 'malformed_json', field: 'file' },
  { name: 'not JSON at all', fields: U, body: 'hello, world', status: 400, code: 'malformed_json' },
  { name: 'truncated JSON', fields: U, body: fc([unit('A', {})]).slice(0, 80), status: 400, code: 'malformed_json' },
  { name: 'trailing garbage', fields: U, body: fc([unit('A', {})]) + '}}', status: 400, code: 'malformed_json' },
  { name: 'top-level array', fields: U, body: '[1,2,3]', status: 400, code: 'not_feature_collection' },
  { name: 'a bare Feature', fields: U, body: JSON.stringify(unit('A', {})), status: 400, code: 'not_feature_collection', field: 'type' },
  { name: 'FeatureCollection without features', fields: U, body: '{"type":"FeatureCollection"}', status: 400, code: 'not_feature_collection', field: 'features' },
  { name: 'declared crs EPSG:3857', fields: U, body: fc([unit('A', {})], { crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::3857' } } }), status: 400, code: 'unsupported_crs', field: 'crs' },
  { name: 'nesting 100k deep', fields: U, body: '{"type":"FeatureCollection","features":[' + '['.repeat(100_000), status: 400, code: 'too_deep' },
  { name: 'too many features', fields: U, body: units(...Array.from({ length: 8 }, (_, i) => unit(`F${i}`, {}))), limits: { maxFeatures: 5 }, status: 413, code: 'too_many_features' },
  { name: 'too many coordinates', fields: U, body: units(unit('A', {}, [Array.from({ length: 200 }, (_, i) => [123.95 + 0.001 * Math.cos(i), 47.35 + 0.001 * Math.sin(i)])])), limits: { maxCoordinates: 100 }, status: 413, code: 'too_many_coordinates' },
  { name: 'file over the byte limit', fields: U, body: units(...Array.from({ length: 50 }, (_, i) => unit(`F${i}`, {}))), limits: { maxBytes: 2000 }, status: 413, code: 'too_large', field: 'file' },
  { name: 'one huge feature', fields: U, body: units(unit('A', { blob: 'x'.repeat(5000) })), limits: { maxFeatureBytes: 1000 }, status: 413, code: 'too_large' },
  { name: 'no features', fields: U, body: fc([]), status: 422, code: 'no_features' },
  { name: 'a feature that is a string', fields: U, body: units('hello'), status: 422, problem: { code: 'not_feature', index: 0 } },
  // --- geometry
  { name: 'null geometry', fields: U, body: units({ type: 'Feature', properties: { code: 'A', population: 1 }, geometry: null }), status: 422, problem: { code: 'missing_geometry', index: 0 } },
  { name: 'GeometryCollection', fields: U, body: units({ type: 'Feature', properties: { code: 'A', population: 1 }, geometry: { type: 'GeometryCollection', geometries: [] } }), status: 422, problem: { code: 'unsupported_geometry', index: 0 } },
  { name: 'unknown geometry type', fields: U, body: units({ type: 'Feature', properties: { code: 'A', population: 1 }, geometry: { type: 'Circle', coordinates: [123.95, 47.35] } }), status: 422, problem: { code: 'unsupported_geometry', index: 0 } },
  { name: 'coordinates as text', fields: U, body: units({ type: 'Feature', properties: { code: 'A', population: 1 }, geometry: { type: 'Polygon', coordinates: [[['123.9', '47.3'], [124, 47.3], [124, 47.4], ['123.9', '47.3']]] } }), status: 422, problem: { code: 'bad_coordinates', index: 0 } },
  { name: 'position with one number', fields: U, body: units(unit('A', {}, [[[123.9], [124, 47.3], [124, 47.4], [123.9]]])), status: 422, problem: { code: 'bad_coordinates', index: 0 } },
  { name: 'Infinity (1e999)', fields: U, body: units(unit('A', {}, [square(123.901, 47.301, 123.902, 47.302)])).replace('123.902', '1e999'), status: 422, problem: { code: 'non_finite_coordinate', index: 0 } },
  { name: 'empty polygon', fields: U, body: units(unit('A', {}, [])), status: 422, problem: { code: 'empty_geometry', index: 0 } },
  { name: 'unclosed ring', fields: U, body: units(unit('A', {}, [square(123.901, 47.301, 123.902, 47.302).slice(0, 4)])), status: 422, problem: { code: 'unclosed_ring', index: 0 } },
  { name: 'ring of two points', fields: U, body: units(unit('A', {}, [[[123.901, 47.301], [123.902, 47.301], [123.901, 47.301]]])), status: 422, problem: { code: 'short_ring', index: 0 } },
  { name: 'repeated vertex', fields: U, body: units(unit('A', {}, [[[123.901, 47.301], [123.902, 47.301], [123.902, 47.301], [123.902, 47.302], [123.901, 47.301]]])), status: 422, problem: { code: 'duplicate_vertex', index: 0 } },
  { name: 'spike', fields: U, body: units(unit('A', {}, [[[123.901, 47.301], [123.902, 47.301], [123.903, 47.301], [123.902, 47.301], [123.902, 47.302], [123.901, 47.301]]])), status: 422, problem: { code: 'spike', index: 0 } },
  { name: 'bow-tie self-intersection', fields: U, body: units(unit('A', {}, [[[123.901, 47.301], [123.902, 47.302], [123.902, 47.301], [123.901, 47.302], [123.901, 47.301]]])), status: 422, problem: { code: 'self_intersection', index: 0 } },
  { name: 'hole crossing the shell', fields: U, body: units(unit('A', {}, [square(123.901, 47.301, 123.903, 47.303), [[123.902, 47.302], [123.902, 47.304], [123.9025, 47.304], [123.9025, 47.302], [123.902, 47.302]]])), status: 422, problem: { code: 'ring_crossing', index: 0 } },
  { name: 'hole outside the shell', fields: U, body: units(unit('A', {}, [square(123.901, 47.301, 123.902, 47.302), square(123.905, 47.305, 123.906, 47.306).reverse()])), status: 422, problem: { code: 'hole_outside_shell', index: 0 } },
  { name: 'multipolygon parts overlapping (PostGIS only)', fields: U, body: units({ type: 'Feature', properties: { code: 'A', population: 1 }, geometry: { type: 'MultiPolygon', coordinates: [[square(123.901, 47.301, 123.903, 47.303)], [square(123.902, 47.302, 123.904, 47.304)]] } }), status: 422, problem: { code: 'invalid_geometry', index: 0 } },
  { name: 'line in the units layer', fields: U, body: units({ type: 'Feature', properties: { code: 'A', population: 1 }, geometry: { type: 'LineString', coordinates: [[123.91, 47.31], [123.92, 47.32]] } }), status: 422, problem: { code: 'wrong_geometry_type', index: 0 } },
  { name: 'mixed polygons and points', fields: U, body: units(unit('A', {}), { type: 'Feature', properties: { code: 'B', population: 1 }, geometry: { type: 'Point', coordinates: [123.91, 47.31] } }), status: 422, problem: { code: 'mixed_geometry_types', index: -1 } },
  // --- coordinates
  { name: 'Web Mercator metres', fields: U, body: units(unit('A', {}, [square(13792000, 5990000, 13793000, 5991000)])), status: 422, problem: { code: 'projected_coordinates', index: 0 } },
  { name: 'CGCS2000 Gauss–Krüger with zone prefix', fields: U, body: units(unit('A', {}, [square(41500000, 5240000, 41500100, 5240100)])), status: 422, problem: { code: 'projected_coordinates', index: 0 } },
  { name: 'lat, lng swapped (lat beyond 90)', fields: U, body: units(unit('A', {}, [square(47.301, 123.901, 47.302, 123.902)])), status: 422, problem: { code: 'swapped_lat_lon', index: 0 } },
  { name: 'somewhere else entirely', fields: U, body: units(unit('A', {}, [square(2.35, 48.85, 2.36, 48.86)])), status: 422, problem: { code: 'outside_district', index: 0 } },
  // --- attributes
  { name: 'duplicate ids', fields: U, body: units(unit('A', {}), unit('A', {}, [square(123.903, 47.301, 123.904, 47.302)])), status: 422, problem: { code: 'duplicate_id', index: 1 } },
  { name: 'missing id', fields: U, body: units(poly({ population: 1 }, [square(123.901, 47.301, 123.902, 47.302)])), status: 422, problem: { code: 'missing_id', index: 0 } },
  { name: 'id already in the database', fields: U, body: units(unit('U1', {}, [square(123.93, 47.33, 123.931, 47.331)])), status: 422, problem: { code: 'existing_id', index: 0 } },
  { name: 'missing population', fields: U, body: units(poly({ code: 'A' }, [square(123.901, 47.301, 123.902, 47.302)])), status: 422, problem: { code: 'missing_weight', index: 0 } },
  { name: 'negative population', fields: U, body: units(unit('A', { population: -3 })), status: 422, problem: { code: 'negative_weight', index: 0 } },
  { name: 'population is text', fields: U, body: units(unit('A', { population: 'many' })), status: 422, problem: { code: 'bad_weight', index: 0 } },
  { name: 'fractional population', fields: U, body: units(unit('A', { population: 1.5 })), status: 422, problem: { code: 'bad_weight', index: 0 } },
  { name: 'mapped households column missing', fields: { ...U, mapping: '{"households":"hh"}' }, body: units(unit('A', {})), status: 422, problem: { code: 'missing_weight', index: 0 } },
  { name: 'unknown parent community', fields: U, body: units(unit('A', { community: 'NOPE' })), status: 422, problem: { code: 'unknown_parent', index: 0 } },
  { name: 'units overlapping each other', fields: U, body: units(unit('A', {}, [square(123.91, 47.31, 123.912, 47.312)]), unit('B', {}, [square(123.911, 47.311, 123.913, 47.313)])), status: 422, problem: { code: 'overlap', index: 1 } },
  { name: 'unit outside its community', fields: U, body: units(unit('A', { community: 'C1' }, [square(123.96, 47.31, 123.961, 47.311)])), status: 422, problem: { code: 'outside_parent', index: 0 } },
  { name: 'community without a jurisdiction', fields: { layer: 'communities', format: 'geojson', district: 'T1' }, body: fc([poly({ code: 'C9', name: '新社区' }, [square(123.9, 47.3, 123.91, 47.31)])]), status: 422, problem: { code: 'missing_field', index: 0 } },
  { name: 'event with 30 February', fields: { layer: 'events', format: 'geojson', district: 'T1' }, body: fc([{ type: 'Feature', properties: { kind: 'incident', date: '2023-02-30' }, geometry: { type: 'Point', coordinates: [123.95, 47.35] } }]), status: 422, problem: { code: 'bad_value', index: 0 } },
  { name: 'event of unknown kind', fields: { layer: 'events', format: 'geojson', district: 'T1' }, body: fc([{ type: 'Feature', properties: { kind: 'party', date: '2023-02-03' }, geometry: { type: 'Point', coordinates: [123.95, 47.35] } }]), status: 422, problem: { code: 'bad_value', index: 0 } },
  { name: 'station without a name', fields: { layer: 'stations', format: 'geojson', district: 'T1' }, body: fc([{ type: 'Feature', properties: { kind: 'police' }, geometry: { type: 'Point', coordinates: [123.95, 47.35] } }]), status: 422, problem: { code: 'missing_field', index: 0 } },
  { name: 'station outside the district', fields: { layer: 'stations', format: 'geojson', district: 'T1' }, body: fc([{ type: 'Feature', properties: { name: '站', kind: 'service' }, geometry: { type: 'Point', coordinates: [124.002, 47.35] } }]), status: 422, problem: { code: 'outside_parent', index: 0 } },
  { name: 'barrier with hard = maybe', fields: { layer: 'barriers', format: 'geojson', district: 'T1' }, body: fc([{ type: 'Feature', properties: { kind: 'road', hard: 'maybe' }, geometry: { type: 'LineString', coordinates: [[123.91, 47.31], [123.92, 47.32]] } }]), status: 422, problem: { code: 'bad_value', index: 0 } },
  // --- options
  { name: 'unknown layer', fields: { layer: 'buildings', format: 'geojson', district: 'T1' }, body: fc([]), status: 400, code: 'bad_value', field: 'layer' },
  { name: 'unknown mode', fields: { ...U, mode: 'fix-it' }, body: fc([]), status: 400, code: 'bad_value', field: 'mode' },
  { name: 'no district for units', fields: { layer: 'units', format: 'geojson' }, body: fc([]), status: 400, code: 'missing_field', field: 'district' },
  { name: 'district that does not exist', fields: { ...U, district: 'NOPE' }, body: fc([]), status: 400, code: 'unknown_parent', field: 'district' },
  { name: 'csv for a polygon layer', fields: { ...U, format: 'csv' }, body: 'lon,lat\n1,2\n', status: 400, code: 'unsupported_format', field: 'format' },
  { name: 'mapping that is not JSON', fields: { ...U, mapping: '{id:GEOID}' }, body: fc([]), status: 400, code: 'bad_value', field: 'mapping' },
  { name: 'mapping with an unknown key', fields: { ...U, mapping: '{"weight":"pop"}' }, body: fc([]), status: 400, code: 'bad_value', field: 'mapping.weight' },
  // --- CSV
  { name: 'CSV without a longitude column', fields: csvEvents, body: 'kind,date,lat\nincident,2024-01-02,47.35\n', status: 400, code: 'missing_field', field: 'mapping.lon' },
  { name: 'CSV longitude "east"', fields: csvEvents, body: 'kind,date,lon,lat\nincident,2024-01-02,east,47.35\n', status: 422, problem: { code: 'bad_coordinates', index: 0 } },
  { name: 'CSV with a ragged row', fields: csvEvents, body: 'kind,date,lon,lat\nincident,2024-01-02,123.95\n', status: 400, code: 'malformed_file' },
  { name: 'CSV that is empty', fields: csvEvents, body: '\n\n', status: 400, code: 'malformed_file' },
  { name: 'CSV with lat/lon columns swapped', fields: csvEvents, body: 'kind,date,lon,lat\nincident,2024-01-02,47.35,123.95\n', status: 422, problem: { code: 'swapped_lat_lon', index: 0 } },
  { name: 'CSV with an empty latitude', fields: csvEvents, body: 'kind,date,lon,lat\ndemand,2024-01-02,123.95,\n', status: 422, problem: { code: 'bad_coordinates', index: 0 } },
  // --- Shapefile
  { name: 'zip that is not a zip', fields: S, body: 'PK this is not a zip', status: 400, code: 'malformed_file' },
  { name: 'zip without a .shp', fields: S, body: writeZip({ 'readme.txt': 'hi', 'a.dbf': shpUnits(['A']).dbf }), status: 400, code: 'missing_part' },
  { name: 'zip without the .dbf', fields: S, body: writeZip({ 'a.shp': shpUnits(['A']).shp }), status: 400, code: 'missing_part' },
  { name: 'zip with two layers', fields: S, body: writeZip({ 'a.shp': shpUnits(['A']).shp, 'a.dbf': shpUnits(['A']).dbf, 'b.shp': shpUnits(['B']).shp, 'b.dbf': shpUnits(['B']).dbf }), status: 400, code: 'missing_part' },
  { name: 'truncated .shp', fields: S, body: writeZip({ 'a.shp': shpUnits(['A', 'B']).shp.subarray(0, 150), 'a.dbf': shpUnits(['A', 'B']).dbf }), status: 400, code: 'malformed_file' },
  { name: '.shp and .dbf of different lengths', fields: S, body: writeZip({ 'a.shp': shpUnits(['A', 'B']).shp, 'a.dbf': shpUnits(['A']).dbf }), status: 400, code: 'malformed_file' },
  { name: 'projected .prj', fields: S, body: writeZip({ ...Object.fromEntries(Object.entries(shpUnits(['A'])).map(([k, v]) => [`a.${k}`, v])), 'a.prj': 'PROJCS["CGCS2000_3_Degree_GK_CM_123E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000"]]' }), status: 400, code: 'projected_coordinates', field: 'prj' },
  { name: 'unknown .cpg encoding', fields: S, body: writeZip({ ...Object.fromEntries(Object.entries(shpUnits(['A'])).map(([k, v]) => [`a.${k}`, v])), 'a.cpg': 'KLINGON-8' }), status: 400, code: 'unsupported_encoding', field: 'cpg' },
  { name: 'zip bomb', fields: S, body: writeZip({ 'a.shp': new Uint8Array(4 * 1024 * 1024), 'a.dbf': shpUnits(['A']).dbf }, { deflate: true }), limits: { maxUnzippedBytes: 1024 * 1024 }, status: 413, code: 'too_large' },
  { name: 'Shapefile with a null shape', fields: S, body: writeZip({ 'a.shp': writeShp([null]), 'a.dbf': writeDbf([{ name: 'code', type: 'C', length: 4 }, { name: 'population', type: 'N', length: 4 }], [['A', 1]], encodeGbk) }), status: 422, problem: { code: 'missing_geometry', index: 0 } },
  // --- OSM
  { name: 'OSM file that is not XML', fields: { layer: 'barriers', format: 'osm', district: 'T1' }, body: '{"type":"FeatureCollection"}', status: 400, code: 'malformed_file' },
  { name: 'OSM into the units layer', fields: { ...U, format: 'osm' }, body: '<osm version="0.6"></osm>', status: 400, code: 'unsupported_format', field: 'format' },
]

describe(`import catalogue on ${BACKEND}`, () => {
  let baseline: Record<string, number>
  beforeAll(async () => {
    db = await createTestDb()
    const ok = async (fields: ImportFields, body: string) => {
      const r = await attempt(fields, body)
      if (!r.ok) throw new Error(`setup import failed: ${JSON.stringify(r)}`)
    }
    await ok({ layer: 'district', format: 'geojson' }, fc([poly({ code: 'T1', name: '铁锋区' }, [square(D.x0, D.y0, D.x1, D.y1)])]))
    await ok({ layer: 'jurisdictions', format: 'geojson', district: 'T1' }, fc([poly({ code: 'J1', name: '龙华街道' }, [square(D.x0, D.y0, D.x1, D.y1)])]))
    await ok(
      { layer: 'communities', format: 'geojson', district: 'T1' },
      fc([
        poly({ code: 'C1', name: '和平社区', jurisdiction: 'J1' }, [square(123.9, 47.3, 123.95, 47.4)]),
        poly({ code: 'C2', name: '自建二社区', jurisdiction: 'J1' }, [square(123.95, 47.3, 124.0, 47.4)]),
      ]),
    )
    await ok(U, units(unit('U1', { community: 'C1' }, [square(123.92, 47.32, 123.921, 47.321)])))
    baseline = await countAll()
  })
  afterAll(async () => {
    await db?.close()
  })

  it('has at least 40 cases with distinct names', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40)
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length)
  })

  it.each(CASES)('$name → $status', async (c) => {
    const r = await attempt(c.fields, c.body, c.limits)
    expect(r.ok, JSON.stringify(r)).toBe(false)
    expect(r.status, JSON.stringify(r)).toBe(c.status)
    if (c.code) expect(r.code).toBe(c.code)
    if (c.field) expect(r.field).toBe(c.field)
    if (c.problem) {
      const want = c.problem
      expect(r.problems, JSON.stringify(r.problems)).toEqual(
        expect.arrayContaining([expect.objectContaining({ code: want.code, ...(want.index === undefined ? {} : { index: want.index }) })]),
      )
    }
    expect(await countAll()).toEqual(baseline)
  })
})
