/**
 * Reason codes of every import problem. They are stable strings: the API, the CLI and the map editor's
 * translations key on them, so rename none and add new ones at the end.
 */
export const ProblemCode = {
  // file and structure
  malformedJson: 'malformed_json',
  notFeatureCollection: 'not_feature_collection',
  notFeature: 'not_feature',
  unsupportedCrs: 'unsupported_crs',
  tooDeep: 'too_deep',
  tooManyFeatures: 'too_many_features',
  tooManyCoordinates: 'too_many_coordinates',
  tooLarge: 'too_large',
  noFeatures: 'no_features',
  // geometry
  missingGeometry: 'missing_geometry',
  unsupportedGeometry: 'unsupported_geometry',
  wrongGeometryType: 'wrong_geometry_type',
  mixedGeometryTypes: 'mixed_geometry_types',
  badCoordinates: 'bad_coordinates',
  nonFiniteCoordinate: 'non_finite_coordinate',
  emptyGeometry: 'empty_geometry',
  unclosedRing: 'unclosed_ring',
  shortRing: 'short_ring',
  duplicateVertex: 'duplicate_vertex',
  spike: 'spike',
  selfIntersection: 'self_intersection',
  ringCrossing: 'ring_crossing',
  wrongWinding: 'wrong_winding',
  invalidGeometry: 'invalid_geometry',
  // coordinates reference system
  projectedCoordinates: 'projected_coordinates',
  swappedLatLon: 'swapped_lat_lon',
  outsideDistrict: 'outside_district',
  // attributes
  missingId: 'missing_id',
  duplicateId: 'duplicate_id',
  existingId: 'existing_id',
  missingWeight: 'missing_weight',
  negativeWeight: 'negative_weight',
  badWeight: 'bad_weight',
  missingField: 'missing_field',
  badValue: 'bad_value',
  unknownParent: 'unknown_parent',
  // relations between features (checked in PostGIS)
  overlap: 'overlap',
  outsideParent: 'outside_parent',
  holeOutsideShell: 'hole_outside_shell',
  tooManyProblems: 'too_many_problems',
  malformedFile: 'malformed_file',
  missingPart: 'missing_part',
  unsupportedEncoding: 'unsupported_encoding',
  unsupportedFormat: 'unsupported_format',
  zDropped: 'z_dropped',
} as const
export type ProblemCode = (typeof ProblemCode)[keyof typeof ProblemCode]

/**
 * error: the feature cannot be imported in any mode. repairable: `reject` fails on it, `repair` fixes it
 * and reports what changed. notice: always fixed and reported, never fails (winding: RFC 7946 order).
 */
export type Severity = 'error' | 'repairable' | 'notice'

const REPAIRABLE = new Set<ProblemCode>([
  ProblemCode.unclosedRing,
  ProblemCode.duplicateVertex,
  ProblemCode.spike,
  ProblemCode.selfIntersection,
  ProblemCode.ringCrossing,
  ProblemCode.invalidGeometry,
  ProblemCode.holeOutsideShell,
  ProblemCode.overlap,
])
// Notices are changes made on import and reported: winding to RFC 7946 order; heights (z) dropped, as
// every geometry column is 2D.
const NOTICE = new Set<ProblemCode>([ProblemCode.wrongWinding, ProblemCode.zDropped])

export function severityOf(code: ProblemCode): Severity {
  return NOTICE.has(code) ? 'notice' : REPAIRABLE.has(code) ? 'repairable' : 'error'
}

/**
 * One finding. `index` is the 0-based feature (or CSV data row) index, -1 for the whole file;
 * `id` is the feature's id when it has one; `field` names the attribute or member concerned.
 */
export interface Problem {
  index: number
  id: string | number | null
  code: ProblemCode
  severity: Severity
  message: string
  field?: string
}

export function problem(
  index: number,
  id: string | number | null,
  code: ProblemCode,
  message: string,
  field?: string,
): Problem {
  return field === undefined
    ? { index, id, code, severity: severityOf(code), message }
    : { index, id, code, severity: severityOf(code), message, field }
}
