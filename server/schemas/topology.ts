import { Type } from 'typebox'

/** Media type of the binary topology body (GET /api/plans/:id/topology). */
export const TOPOLOGY_TYPE = 'application/vnd.gridweave.topology'

export const TopologyBody = Type.String({
  format: 'binary',
  description: [
    `${TOPOLOGY_TYPE}, little-endian, every section aligned for a typed-array view (n units, m adjacency entries):`,
    'bytes 0–3 magic "GWTP"; 4 uint32 format version (1); 8 uint32 n; 12 uint32 m (twice the number of neighbouring pairs);',
    '16 float64 id of the first unit; 24 float64 id of the last unit (NaN when n = 0);',
    '32 float32[4n] box of each unit: west, south, east, north in lng/lat (EPSG:4326), rounded outward;',
    '32 + 16n int32[n + 1] xadj, CSR offsets; then int32[m] adjncy: the neighbours of unit i are adjncy[xadj[i] … xadj[i+1]).',
    'Units are those of GET /api/plans/:id/units in the same order (ascending database id): the first/last ids and n tell whether both describe the same units.',
    'Adjacency is rook (a shared boundary, not a corner touch), the unit graph the partition engine and the plan checks use.',
  ].join(' '),
})

export const TopologyNotModified = Type.Null({ description: 'Not modified: the If-None-Match tag is current' })
