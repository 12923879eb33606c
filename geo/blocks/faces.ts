/**
 * Faces of a noded planar graph (the polygonize step), on typed arrays.
 *
 * Each undirected edge k becomes two half-edges 2k (u→v) and 2k+1 (v→u). Around every node the outgoing
 * half-edges are sorted by angle; the face to the left of h = (a→b) continues with the half-edge leaving b
 * just clockwise of b→a. Walking these `next` links traces every face once: bounded faces come out
 * counter-clockwise (positive area), the outer boundary of each connected piece clockwise.
 *
 * Dangles (degree-1 chains: road stubs, cul-de-sacs, lines poking out of the area) and bridges (an edge
 * with the same face on both sides, e.g. a lane joining an isolated loop to the network) bound no block,
 * so they are removed before the final walk; a piece left floating inside a face becomes that face's hole.
 */
import Flatbush from 'flatbush'
import { pointInRing, signedArea } from './ring.js'

export interface Face {
  /** Outer ring as closed lng/lat ring, counter-clockwise. */
  shell: number[][]
  /** Holes, clockwise. */
  holes: number[][][]
  /** Planar signed area of the shell in degrees² (positive). */
  planarArea: number
  /** Half-edges of the shell, for callers that need adjacency. */
  halfEdges: number[]
}

export interface FaceResult {
  faces: Face[]
  danglesRemoved: number
  bridgesRemoved: number
  /** Face index (into `faces`) to the left of each half-edge; -1 outside every face or removed. */
  faceOf: Int32Array
  /** 1 for removed edges (dangles, bridges, or removed by the caller). */
  removed: Uint8Array
}

/**
 * @param removedIn optional edge mask (1 = ignore the edge), e.g. edges dissolved away by a caller.
 */
export function buildFaces(
  x: Float64Array,
  y: Float64Array,
  n: number,
  edges: Int32Array,
  m: number,
  removedIn?: Uint8Array,
): FaceResult {
  const removed = removedIn ? removedIn.slice() : new Uint8Array(m)
  const angle = new Float64Array(2 * m)
  for (let k = 0; k < m; k++) {
    const u = edges[2 * k]
    const v = edges[2 * k + 1]
    angle[2 * k] = Math.atan2(y[v] - y[u], x[v] - x[u])
    angle[2 * k + 1] = Math.atan2(y[u] - y[v], x[u] - x[v])
  }
  const origin = (h: number): number => edges[h]
  const dest = (h: number): number => edges[h ^ 1]

  const danglesRemoved = pruneDangles(n, edges, m, removed)
  let bridgesRemoved = 0
  let walk = walkFaces(n, edges, m, removed, angle, origin, dest)
  // Bridges: same ring on both sides. Remove, re-prune (the stub may now dangle) and walk again.
  for (;;) {
    let found = 0
    for (let k = 0; k < m; k++) {
      if (!removed[k] && walk.ringOf[2 * k] === walk.ringOf[2 * k + 1]) {
        removed[k] = 1
        found++
      }
    }
    if (!found) break
    bridgesRemoved += found
    bridgesRemoved += pruneDangles(n, edges, m, removed)
    walk = walkFaces(n, edges, m, removed, angle, origin, dest)
  }

  // Classify rings: positive → face shells, negative → outer boundaries of pieces (candidate holes).
  // A ring that passes a node twice (a face touching itself, e.g. a bay closed at one point) is split
  // there into simple loops, so the output stays OGC-valid: its clockwise loops become holes.
  const faces: Face[] = []
  const ringFace = new Int32Array(walk.rings.length).fill(-1)
  const holeLoops: number[][] = []
  const coords = (loop: number[]): number[][] => {
    const ring = loop.map((v) => [x[v], y[v]])
    ring.push(ring[0])
    return ring
  }
  for (let r = 0; r < walk.rings.length; r++) {
    const hs = walk.rings[r]
    const loops = splitPinches(hs.map(origin))
    const areas = loops.map((l) => signedArea(coords(l)))
    let shell = -1
    for (let i = 0; i < loops.length; i++) if (areas[i] > 0 && (shell < 0 || areas[i] > areas[shell])) shell = i
    if (shell >= 0) {
      ringFace[r] = faces.length
      const face: Face = { shell: coords(loops[shell]), holes: [], planarArea: areas[shell], halfEdges: hs }
      for (let i = 0; i < loops.length; i++) if (areas[i] < 0) face.holes.push(coords(loops[i]))
      faces.push(face)
    } else {
      for (let i = 0; i < loops.length; i++) if (areas[i] < 0) holeLoops.push(loops[i])
    }
  }

  // Holes: the smallest face containing a vertex of the piece's outer boundary. Pieces of the outermost
  // level find none — their negative ring is the unbounded face.
  if (holeLoops.length && faces.length) {
    const index = new Flatbush(faces.length)
    for (const f of faces) {
      let minX = Infinity
      let minY = Infinity
      let maxX = -Infinity
      let maxY = -Infinity
      for (const p of f.shell) {
        if (p[0] < minX) minX = p[0]
        if (p[1] < minY) minY = p[1]
        if (p[0] > maxX) maxX = p[0]
        if (p[1] > maxY) maxY = p[1]
      }
      index.add(minX, minY, maxX, maxY)
    }
    index.finish()
    for (const loop of holeLoops) {
      const ring = coords(loop)
      const px = ring[0][0]
      const py = ring[0][1]
      const holeArea = -signedArea(ring)
      let best = -1
      for (const fi of index.search(px, py, px, py)) {
        const f = faces[fi]
        if (f.planarArea <= holeArea) continue
        if (!pointInRing(px, py, f.shell)) continue
        if (best < 0 || f.planarArea < faces[best].planarArea) best = fi
      }
      if (best >= 0) faces[best].holes.push(ring)
    }
  }

  const faceOf = new Int32Array(2 * m).fill(-1)
  for (let h = 0; h < 2 * m; h++) {
    const r = walk.ringOf[h]
    if (r >= 0) faceOf[h] = ringFace[r]
  }
  return { faces, danglesRemoved, bridgesRemoved, faceOf, removed }
}

/** Splits a closed node cycle at repeated nodes into simple cycles. */
function splitPinches(nodes: number[]): number[][] {
  const seen = new Map<number, number>()
  const stack: number[] = []
  const loops: number[][] = []
  for (const v of nodes) {
    const at = seen.get(v)
    if (at !== undefined) {
      const loop = stack.splice(at + 1)
      for (const u of loop) seen.delete(u)
      if (loop.length >= 2) loops.push([v, ...loop])
    } else {
      seen.set(v, stack.length)
      stack.push(v)
    }
  }
  if (stack.length >= 3) loops.push(stack)
  return loops
}

/** Iteratively removes edges at degree-1 nodes; returns how many. */
function pruneDangles(n: number, edges: Int32Array, m: number, removed: Uint8Array): number {
  const deg = new Int32Array(n)
  for (let k = 0; k < m; k++) {
    if (removed[k]) continue
    deg[edges[2 * k]]++
    deg[edges[2 * k + 1]]++
  }
  // Incidence lists in CSR form.
  const start = new Int32Array(n + 1)
  for (let k = 0; k < m; k++) {
    start[edges[2 * k] + 1]++
    start[edges[2 * k + 1] + 1]++
  }
  for (let i = 0; i < n; i++) start[i + 1] += start[i]
  const fill = start.slice(0, n)
  const inc = new Int32Array(2 * m)
  for (let k = 0; k < m; k++) {
    inc[fill[edges[2 * k]]++] = k
    inc[fill[edges[2 * k + 1]]++] = k
  }
  const stack: number[] = []
  for (let i = 0; i < n; i++) if (deg[i] === 1) stack.push(i)
  let count = 0
  while (stack.length) {
    const v = stack.pop()!
    if (deg[v] !== 1) continue
    for (let p = start[v]; p < start[v + 1]; p++) {
      const k = inc[p]
      if (removed[k]) continue
      removed[k] = 1
      count++
      const u = edges[2 * k] === v ? edges[2 * k + 1] : edges[2 * k]
      deg[v]--
      deg[u]--
      if (deg[u] === 1) stack.push(u)
      break
    }
  }
  return count
}

interface Walk {
  /** Half-edge cycles. */
  rings: number[][]
  /** Ring index of each half-edge, -1 when removed. */
  ringOf: Int32Array
}

function walkFaces(
  n: number,
  edges: Int32Array,
  m: number,
  removed: Uint8Array,
  angle: Float64Array,
  origin: (h: number) => number,
  dest: (h: number) => number,
): Walk {
  // Outgoing half-edges per node, sorted counter-clockwise by angle.
  const start = new Int32Array(n + 1)
  for (let h = 0; h < 2 * m; h++) if (!removed[h >> 1]) start[origin(h) + 1]++
  for (let i = 0; i < n; i++) start[i + 1] += start[i]
  const fill = start.slice(0, n)
  const out = new Int32Array(start[n])
  for (let h = 0; h < 2 * m; h++) if (!removed[h >> 1]) out[fill[origin(h)]++] = h
  const pos = new Int32Array(2 * m) // position of each half-edge in its node's list
  for (let v = 0; v < n; v++) {
    const a = start[v]
    const b = start[v + 1]
    if (b - a > 1) {
      const sub = Array.from(out.subarray(a, b)).sort((p, q) => angle[p] - angle[q] || p - q)
      out.set(sub, a)
    }
    for (let p = a; p < b; p++) pos[out[p]] = p
  }
  const next = (h: number): number => {
    const v = dest(h)
    const t = h ^ 1
    const a = start[v]
    const b = start[v + 1]
    const p = pos[t] === a ? b - 1 : pos[t] - 1
    return out[p]
  }
  const ringOf = new Int32Array(2 * m).fill(-1)
  const rings: number[][] = []
  for (let h0 = 0; h0 < 2 * m; h0++) {
    if (removed[h0 >> 1] || ringOf[h0] >= 0) continue
    const ring: number[] = []
    let h = h0
    do {
      ringOf[h] = rings.length
      ring.push(h)
      h = next(h)
    } while (h !== h0)
    rings.push(ring)
  }
  return { rings, ringOf }
}
