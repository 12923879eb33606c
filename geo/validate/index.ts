/**
 * geo/validate: GeoJSON and geometry checks, coordinate reference checks, GCJ-02/BD-09 → WGS84 and the
 * repairs that need no topology engine. Pure: no fs, no db, no http. Coordinates lng, lat (EPSG:4326).
 * Every finding carries an exported reason code (ProblemCode) for clients to translate.
 */
export { ProblemCode, problem, severityOf, type Problem, type Severity } from './codes.js'
export { checkGeometry, checkLine, checkRings, checkStructure, FAMILY, isEmpty, ringArea2, spikeVertices, type Family, type Finding } from './geometry.js'
export { ringIntersections, segmentsMeet, type RingHit } from './intersect.js'
export { checkLonLat, emptyBox, extendBox, toWgs84, type BBox, type Datum } from './crs.js'
export { cleanGeometry } from './repair.js'
export { FeatureChecker, parseWeight, type CheckedFeature, type FeatureCheckOptions, type FeatureId, type WeightRule } from './features.js'
