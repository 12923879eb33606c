/** Small typed-array helpers of the noder: a growable Float64 buffer and the node snapper. */

/** Growable Float64 buffer: split records are appended in the hot loop without object allocation. */
export class F64List {
  a = new Float64Array(1024)
  length = 0
  push(v: number): void {
    if (this.length === this.a.length) {
      const b = new Float64Array(this.a.length * 2)
      b.set(this.a)
      this.a = b
    }
    this.a[this.length++] = v
  }
}

/**
 * Maps coordinates to node ids. With a precision grid the key is the exact grid point; without one,
 * points within the tolerance share a node (looked up in the 3×3 neighbouring hash cells).
 */
export class NodeSnapper {
  xs = new F64List()
  ys = new F64List()
  count = 0
  private map = new Map<string, number[]>()
  constructor(
    private tol: number,
    private scale: number,
  ) {}
  id(x: number, y: number): number {
    if (this.scale) {
      // Grid points one step apart are one node: two roundings of "the same" point (a crossing met
      // from two segments) may land on neighbouring grid points and would otherwise leave a sliver.
      const ix = Math.round(x * this.scale)
      const iy = Math.round(y * this.scale)
      const own = this.map.get(`${ix},${iy}`)
      if (own) return own[0]
      for (let dx = -1; dx <= 1; dx++) {
        for (let dy = -1; dy <= 1; dy++) {
          const hit = this.map.get(`${ix + dx},${iy + dy}`)
          if (hit) return hit[0]
        }
      }
      this.map.set(`${ix},${iy}`, [this.count])
      return this.add(x, y)
    }
    const cx = Math.floor(x / this.tol)
    const cy = Math.floor(y / this.tol)
    const tol2 = this.tol * this.tol
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        const bucket = this.map.get(`${cx + dx},${cy + dy}`)
        if (!bucket) continue
        for (const id of bucket) {
          const ex = this.xs.a[id] - x
          const ey = this.ys.a[id] - y
          if (ex * ex + ey * ey <= tol2) return id
        }
      }
    }
    const key = `${cx},${cy}`
    const bucket = this.map.get(key)
    if (bucket) bucket.push(this.count)
    else this.map.set(key, [this.count])
    return this.add(x, y)
  }
  private add(x: number, y: number): number {
    this.xs.push(x)
    this.ys.push(y)
    return this.count++
  }
}
