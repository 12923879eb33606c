/**
 * Colours grids so that neighbours differ: greedy colouring in order of decreasing degree (Welsh–Powell),
 * each grid taking the smallest colour none of its neighbours has. Planar maps usually need ≤ 5–6 colours.
 * `neighbours` may over-approximate (e.g. bounding boxes that overlap): the colouring stays proper.
 */
export function greedyColoring(n: number, edges: Iterable<readonly [number, number]>): Int32Array {
  const adj: Set<number>[] = Array.from({ length: n }, () => new Set<number>())
  for (const [a, b] of edges) {
    if (a === b || a < 0 || b < 0 || a >= n || b >= n) continue
    adj[a]!.add(b)
    adj[b]!.add(a)
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => adj[b]!.size - adj[a]!.size || a - b)
  const colour = new Int32Array(n).fill(-1)
  const used: number[] = []
  for (const v of order) {
    used.length = 0
    for (const w of adj[v]!) if (colour[w]! >= 0) used[colour[w]!] = 1
    let c = 0
    while (used[c]) c++
    colour[v] = c
  }
  return colour
}

/** Grid adjacency pairs derived from unit adjacency (CSR) and the unit → grid assignment. */
export function gridEdgesFromUnits(xadj: Int32Array, adjncy: Int32Array, unitGrid: Int32Array): Array<[number, number]> {
  const seen = new Set<string>()
  const out: Array<[number, number]> = []
  for (let u = 0; u < unitGrid.length; u++) {
    const a = unitGrid[u]!
    if (a < 0) continue
    for (let k = xadj[u]!; k < xadj[u + 1]!; k++) {
      const b = unitGrid[adjncy[k]!]!
      if (b < 0 || b === a) continue
      const key = a < b ? `${a},${b}` : `${b},${a}`
      if (seen.has(key)) continue
      seen.add(key)
      out.push(a < b ? [a, b] : [b, a])
    }
  }
  return out
}

/** Pairs of boxes [minX, minY, maxX, maxY] that overlap or touch (within `eps`), by a sweep on minX. */
export function overlappingBoxes(boxes: ArrayLike<readonly [number, number, number, number] | undefined>, eps = 1e-9): Array<[number, number]> {
  const idx: number[] = []
  for (let i = 0; i < boxes.length; i++) if (boxes[i]) idx.push(i)
  idx.sort((a, b) => boxes[a]![0] - boxes[b]![0])
  const out: Array<[number, number]> = []
  for (let i = 0; i < idx.length; i++) {
    const a = boxes[idx[i]!]!
    for (let j = i + 1; j < idx.length; j++) {
      const b = boxes[idx[j]!]!
      if (b[0] > a[2] + eps) break
      if (b[1] <= a[3] + eps && b[3] >= a[1] - eps) out.push([idx[i]!, idx[j]!])
    }
  }
  return out
}

/**
 * Palette for grid fills: distinct in hue AND in lightness, so neighbours still differ in greyscale.
 * Entries alternate light/dark. Colours beyond the palette wrap around.
 */
export const GRID_PALETTE = ['#8dd3c7', '#4e79a7', '#fdd49e', '#b5562b', '#d9d9f3', '#59a14f', '#f7b6d2', '#7b4f9e'] as const
