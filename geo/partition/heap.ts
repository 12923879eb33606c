/**
 * Binary min-heap of node ids keyed by a float, on typed arrays: region growing pushes every node of
 * a component once per candidate cut, so this sits in the hottest loop of the bisection.
 */
export class NodeHeap {
  private ids: Int32Array
  private keys: Float64Array
  size = 0

  constructor(capacity = 64) {
    this.ids = new Int32Array(capacity)
    this.keys = new Float64Array(capacity)
  }

  clear(): void {
    this.size = 0
  }

  push(id: number, key: number): void {
    if (this.size === this.ids.length) this.grow()
    let i = this.size++
    const ids = this.ids
    const keys = this.keys
    while (i > 0) {
      const p = (i - 1) >> 1
      // Ties broken by id so the order never depends on insertion history.
      if (keys[p] < key || (keys[p] === key && ids[p] < id)) break
      ids[i] = ids[p]
      keys[i] = keys[p]
      i = p
    }
    ids[i] = id
    keys[i] = key
  }

  /** Removes and returns the id with the smallest key (callers check size first). */
  pop(): number {
    const ids = this.ids
    const keys = this.keys
    const top = ids[0]
    const n = --this.size
    if (n > 0) {
      const id = ids[n]
      const key = keys[n]
      let i = 0
      for (;;) {
        let c = 2 * i + 1
        if (c >= n) break
        const r = c + 1
        if (r < n && (keys[r] < keys[c] || (keys[r] === keys[c] && ids[r] < ids[c]))) c = r
        if (key < keys[c] || (key === keys[c] && id < ids[c])) break
        ids[i] = ids[c]
        keys[i] = keys[c]
        i = c
      }
      ids[i] = id
      keys[i] = key
    }
    return top
  }

  private grow(): void {
    const ids = new Int32Array(this.ids.length * 2)
    const keys = new Float64Array(this.keys.length * 2)
    ids.set(this.ids)
    keys.set(this.keys)
    this.ids = ids
    this.keys = keys
  }
}
