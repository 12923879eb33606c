import { join } from 'node:path'
import type { Db } from './types.js'
export type { Db, Queryable, BackendKind } from './types.js'

/** PostgreSQL when DATABASE_URL is set, otherwise the embedded database in DATA_DIR/pglite. */
export async function openDb(opts: { databaseUrl?: string; dataDir?: string; inMemory?: boolean }): Promise<Db> {
  if (opts.databaseUrl) {
    const { openPostgres } = await import('./postgres.js')
    return openPostgres(opts.databaseUrl)
  }
  const { openPglite } = await import('./pglite.js')
  return openPglite(opts.inMemory ? undefined : join(opts.dataDir ?? '.data', 'pglite'))
}
