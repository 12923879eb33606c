import { mkdirSync } from 'node:fs'
import { PGlite, types } from '@electric-sql/pglite'
import { postgis } from '@electric-sql/pglite-postgis'
import type { Db, Queryable } from './types.js'
import { acquireDirLock } from './dirlock.js'

// Same value shapes as the pg adapter: bigint as number, date as ISO string.
const parsers = {
  [types.INT8]: (v: string) => Number(v),
  [types.DATE]: (v: string) => v,
}

/**
 * `onStatement` runs when a statement is sent and again when it has finished (or failed), so a
 * statement that may write is seen before it can run and after it can no longer change anything.
 */
function wrap(q: { query: PGlite['query']; exec: PGlite['exec'] }, onStatement: () => void = () => {}): Queryable {
  return {
    async query(sql, params) {
      onStatement()
      try {
        const r = await q.query(sql, params as unknown[] | undefined, { parsers })
        return { rows: r.rows as never[] }
      } finally {
        onStatement()
      }
    },
    async exec(sql) {
      onStatement()
      try {
        await q.exec(sql)
      } finally {
        onStatement()
      }
    },
  }
}

/**
 * The read memo of the embedded database. This process is the only one that can open the data folder
 * (dirlock.ts) or the in-memory database, so every write comes through this adapter: `statements`
 * counts every statement sent other than a memo's own loads, before and after it runs (writes and
 * reads alike, so nothing depends on telling them apart), and a memo entry is good only while the count
 * is what it was when its load began. A statement sent during a load makes that load's result stale at
 * once; a transaction counts each of its statements and its end.
 */
class ReadMemo {
  statements = 0
  private entries = new Map<string, { at: number; value: Promise<unknown> }>()
  private static readonly MAX = 4096

  constructor(private readonly reads: Queryable) {}

  readonly bump = () => {
    this.statements++
  }

  get<T>(key: string, load: (q: Queryable) => Promise<T>): Promise<T> {
    const hit = this.entries.get(key)
    if (hit && hit.at === this.statements) return hit.value as Promise<T>
    if (this.entries.size >= ReadMemo.MAX) this.entries.clear()
    const entry = { at: this.statements, value: load(this.reads) as Promise<unknown> }
    this.entries.set(key, entry)
    // A failed load is not remembered: the next caller tries again.
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key)
    })
    return entry.value as Promise<T>
  }
}

/**
 * Embedded PostgreSQL + PostGIS (PGlite). `dataDir` undefined = in memory (tests).
 * PGlite is single-process: a lock file in the data folder stops a second process from opening it.
 */
export interface PgliteDb extends Db {
  /** The whole database as a gzipped tarball, loadable with `openPglite(undefined, { loadDataDir })`. */
  dump(): Promise<Blob>
}

export async function openPglite(dataDir?: string, opts: { loadDataDir?: Blob } = {}): Promise<PgliteDb> {
  let release = () => {}
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true })
    release = acquireDirLock(dataDir)
  }
  let pg: PGlite
  try {
    pg = await PGlite.create({ dataDir, loadDataDir: opts.loadDataDir, extensions: { postgis } })
  } catch (err) {
    release()
    throw err
  }
  const memo = new ReadMemo(wrap(pg))
  const base = wrap(pg, memo.bump)
  return {
    kind: 'pglite',
    ...base,
    // PGlite runs one transaction at a time; others queue behind it.
    async transaction(fn) {
      memo.bump()
      try {
        return await pg.transaction((tx) => fn(wrap(tx, memo.bump)))
      } finally {
        memo.bump()
      }
    },
    memo: (key, load) => memo.get(key, load),
    async dump() {
      return pg.dumpDataDir('gzip')
    },
    async close() {
      try {
        await pg.close()
      } finally {
        release()
      }
    },
  }
}
