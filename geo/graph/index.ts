/**
 * geo/graph: unit adjacency with shared-boundary lengths, components, islands and contiguity checks.
 *
 * buildGraph(units, { id, nest, barriers, snapMetres }) -> { graph, report }: rook adjacency (corner
 * touches are not edges), robust to gaps/overlaps/mismatched vertices up to snapMetres (default 0.5 m);
 * lengths in metres in a local equirectangular plane centred on the data (project.ts).
 * test-fixtures.ts draws small unit layers in metres for tests (squareGrid, rect, line).
 */
export { buildGraph, type BuildGraphOptions, type GraphReport } from './build.js'
export { components, islands, isContiguous, partPieces, type Components, type ComponentOptions, type Island } from './components.js'
export { localProjection, toPlane, fromPlane, EARTH_RADIUS_M, type LocalProjection } from './project.js'
export { flattenRings, lngLatBBox, ringSignedArea, ringLength, type RingSet } from './rings.js'
export { featureArea, featurePerimeter, pointInFeature, representativePoint } from './measure.js'
