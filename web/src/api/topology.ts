import type { Adjacency } from '../ops/types.js'

/**
 * The units' extents and adjacency from GET /api/plans/:id/topology (binary; layout in the server's
 * schemas/topology.ts and /docs): views over the body, no parsing, so a 10k-unit plan costs
 * a few hundred kB and well under a millisecond of main-thread work.
 */
export interface Topology {
  n: number
  /** Database ids of the first and last unit (NaN when there are none): with n, they tell that the units are those of /units. */
  firstId: number
  lastId: number
  /** west, south, east, north of each unit in lng/lat (EPSG:4326), 4 numbers per unit; NaN when unknown. */
  boxes: Float64Array
  /** Rook adjacency (shared boundary, not a corner) in CSR form. */
  adjacency: Adjacency
}

const HEADER = 32

export class TopologyFormatError extends Error {
  constructor(message: string) {
    super(`topology body: ${message}`)
    this.name = 'TopologyFormatError'
  }
}

export function decodeTopology(buf: ArrayBuffer): Topology {
  if (buf.byteLength < HEADER) throw new TopologyFormatError(`${buf.byteLength} bytes, shorter than its header`)
  const v = new DataView(buf)
  const magic = String.fromCharCode(v.getUint8(0), v.getUint8(1), v.getUint8(2), v.getUint8(3))
  if (magic !== 'GWTP') throw new TopologyFormatError(`magic ${JSON.stringify(magic)}, expected "GWTP"`)
  const version = v.getUint32(4, true)
  if (version !== 1) throw new TopologyFormatError(`format version ${version}; this editor reads version 1`)
  const n = v.getUint32(8, true)
  const m = v.getUint32(12, true)
  const size = HEADER + 16 * n + 4 * (n + 1) + 4 * m
  if (buf.byteLength !== size) throw new TopologyFormatError(`${buf.byteLength} bytes, expected ${size} for ${n} units and ${m} neighbours`)
  const boxes = Float64Array.from(new Float32Array(buf, HEADER, 4 * n))
  const xadj = new Int32Array(buf, HEADER + 16 * n, n + 1)
  const adjncy = new Int32Array(buf, HEADER + 16 * n + 4 * (n + 1), m)
  if (xadj[0] !== 0 || xadj[n] !== m) throw new TopologyFormatError('CSR offsets do not span the neighbour list')
  return { n, firstId: v.getFloat64(16, true), lastId: v.getFloat64(24, true), boxes, adjacency: { xadj, adjncy } }
}

/** Whether the topology describes exactly the units of /units (ascending ids; units are only ever added). */
export function sameUnits(t: Topology, unitIds: ArrayLike<number>): boolean {
  const n = unitIds.length
  return t.n === n && (n === 0 || (t.firstId === unitIds[0] && t.lastId === unitIds[n - 1]))
}
