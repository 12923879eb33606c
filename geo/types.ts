/**
 * Shared types of geo/: the typed-array graph every algorithm runs on, and the report shapes the
 * CLI, API and web all read. Coordinates are lng, lat (EPSG:4326); lengths in metres, areas in m².
 */

/**
 * Adjacency of atomic polygons (units, or grids when building police cells) in CSR form.
 * Node i is feature i of the input collection, in input order.
 */
export interface Graph {
  /** Number of nodes. */
  n: number
  /** CSR offsets, length n + 1: the neighbours of i are adjncy[xadj[i] .. xadj[i+1]). */
  xadj: Int32Array
  /** Neighbour node ids; every undirected edge appears once in each direction. */
  adjncy: Int32Array
  /** Shared boundary length in metres, parallel to adjncy. */
  edgeLength: Float64Array
  /**
   * 1 when the edge must not be inside one part: its shared boundary runs along a hard barrier,
   * or it joins two different parents. Parallel to adjncy.
   */
  edgeCut: Uint8Array
  /** Representative point (centroid, or point on surface when the centroid falls outside), lng/lat. */
  x: Float64Array
  y: Float64Array
  /** Area in m² and perimeter in metres of each node's polygon. */
  area: Float64Array
  perimeter: Float64Array
  /** Index into `parents` of each node's parent (community, jurisdiction); 0 when no nesting. */
  parent: Int32Array
  /** Parent keys (values of the nest field), or [''] when no nesting. */
  parents: string[]
  /** Feature ids in node order (the id field's value, or the index as a string). */
  ids: string[]
}

/** Why a part is outside its band or otherwise exceptional. Codes are stable; the UI translates them. */
export type ExceptionCode =
  | 'unit-heavier-than-max' // one atom alone exceeds max
  | 'component-lighter-than-min' // a connected piece of a parent weighs less than min
  | 'island' // a parent is split into several pieces; each piece is partitioned on its own
  | 'band-unreachable' // the component's weight admits no whole number of parts within the band
  | 'locked' // a locked part kept as given although out of band
  | 'time-budget' // search stopped at the time budget before reaching the band
  | 'shape' // no contiguous arrangement reached the band: coarse units, or a pocket joined through heavy units

export interface PartException {
  code: ExceptionCode
  /** Part index (grid or cell) the exception is about, or -1 when it concerns a whole component. */
  part: number
  /** Parent key (community / jurisdiction) concerned. */
  parent: string
  /** Node ids concerned (units of the island, the heavy unit, …). */
  nodes: number[]
  message: string
}
