/**
 * The binary body of GET /api/plans/:id/topology (layout in schemas/topology.ts; the editor's decoder is
 * web/src/api/topology.ts): unit boxes as float32 rounded outward, so every box still holds its unit,
 * and the unit adjacency as CSR int32 arrays. Typed arrays, not JSON: a 10k-unit district is ~0.4 MB
 * that the browser views in place instead of parsing.
 */
export const MAGIC = 'GWTP'
export const FORMAT_VERSION = 1
export const HEADER_BYTES = 32

const f32 = new Float32Array(1)
const bits = new Int32Array(f32.buffer)

/** The float32 nearest to x on the side of `dir` (-1 down, +1 up), so a box rounded outward holds x. */
export function roundOutward(x: number, dir: -1 | 1): number {
  const f = Math.fround(x)
  if (!Number.isFinite(x) || f === x || (dir < 0 ? f < x : f > x)) return f
  if (f === 0) return dir * 1.401298464324817e-45
  f32[0] = f
  // one step in the float32 bit pattern moves one ulp away from zero (+1) or toward it (-1)
  bits[0] += Math.sign(f) === dir ? 1 : -1
  return f32[0]
}

export interface TopologyInput {
  /** Unit ids in order (ascending). */
  ids: ArrayLike<number>
  /** west, south, east, north of each unit, 4 numbers per unit (NaN when unknown). */
  boxes: ArrayLike<number>
  xadj: Int32Array
  adjncy: Int32Array
}

export function encodeTopology(t: TopologyInput): Buffer {
  const n = t.ids.length
  const m = t.adjncy.length
  if (t.xadj.length !== n + 1 || t.boxes.length !== 4 * n || t.xadj[n] !== m) throw new Error('encodeTopology: ids, boxes and CSR arrays disagree in length')
  const buf = Buffer.alloc(HEADER_BYTES + 16 * n + 4 * (n + 1) + 4 * m)
  buf.write(MAGIC, 0, 'latin1')
  buf.writeUInt32LE(FORMAT_VERSION, 4)
  buf.writeUInt32LE(n, 8)
  buf.writeUInt32LE(m, 12)
  buf.writeDoubleLE(n ? t.ids[0] : NaN, 16)
  buf.writeDoubleLE(n ? t.ids[n - 1] : NaN, 24)
  let o = HEADER_BYTES
  for (let i = 0; i < 4 * n; i++, o += 4) buf.writeFloatLE(roundOutward(t.boxes[i], i % 4 < 2 ? -1 : 1), o)
  for (let i = 0; i <= n; i++, o += 4) buf.writeInt32LE(t.xadj[i], o)
  for (let i = 0; i < m; i++, o += 4) buf.writeInt32LE(t.adjncy[i], o)
  return buf
}
