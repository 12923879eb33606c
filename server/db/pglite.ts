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

function wrap(q: { query: PGlite['query']; exec: PGlite['exec'] }): Queryable {
  return {
    async query(sql, params) {
      const r = await q.query(sql, params as unknown[] | undefined, { parsers })
      return { rows: r.rows as never[] }
    },
    async exec(sql) {
      await q.exec(sql)
    },
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
  const base = wrap(pg)
  return {
    kind: 'pglite',
    ...base,
    // PGlite runs one transaction at a time; others queue behind it.
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
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
