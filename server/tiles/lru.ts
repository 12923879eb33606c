/** A map that forgets its least recently used entries past `maxEntries` or `maxBytes` (sized by `size`). */
export class Lru<V> {
  private map = new Map<string, V>()
  private bytes = 0
  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes = Infinity,
    private readonly size: (v: V) => number = () => 0,
  ) {}

  get(key: string): V | undefined {
    const v = this.map.get(key)
    if (v !== undefined) {
      this.map.delete(key)
      this.map.set(key, v)
    }
    return v
  }

  /** Whether `key` is held, without counting as a use. */
  has(key: string): boolean {
    return this.map.has(key)
  }

  set(key: string, v: V): void {
    this.delete(key)
    this.map.set(key, v)
    this.bytes += this.size(v)
    for (const [k] of this.map) {
      if (this.map.size <= this.maxEntries && this.bytes <= this.maxBytes) break
      this.delete(k)
    }
  }

  delete(key: string): void {
    const old = this.map.get(key)
    if (old === undefined) return
    this.bytes -= this.size(old)
    this.map.delete(key)
  }

  /** Deletes every key starting with `prefix` except `keep`. */
  deletePrefix(prefix: string, keep?: string): void {
    for (const k of [...this.map.keys()]) if (k.startsWith(prefix) && k !== keep) this.delete(k)
  }

  get length(): number {
    return this.map.size
  }
}
