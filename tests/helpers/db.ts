import { randomBytes } from 'node:crypto'
import { pgliteTemplate } from './pglite-template.js'
import pg from 'pg'
import { openPglite } from '../../server/db/pglite.js'
import { openPostgres } from '../../server/db/postgres.js'
import { migrate } from '../../server/db/migrate.js'
import type { Db } from '../../server/db/index.js'

export const BACKEND = process.env.DATABASE_URL ? 'postgres' : 'pglite'

function withDatabase(url: string, name: string): string {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

/**
 * A fresh, empty database for one test file: a new database on the PostgreSQL of DATABASE_URL (dropped
 * on close), or an in-memory embedded one. `migrated: false` leaves it without the schema.
 */
export async function createTestDb(opts: { migrated?: boolean } = {}): Promise<Db & { url?: string }> {
  const url = process.env.DATABASE_URL
  let db: Db & { url?: string }
  if (url) {
    const name = `gw_test_${randomBytes(6).toString('hex')}`
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name}`)
    await admin.end()
    const dbUrl = withDatabase(url, name)
    const inner = await openPostgres(dbUrl)
    db = {
      ...inner,
      url: dbUrl,
      async close() {
        await inner.close()
        const a = new pg.Client({ connectionString: url })
        await a.connect()
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
        await a.end()
      },
    }
  } else if (opts.migrated !== false) {
    // a copy of a database migrated once and cached (see pglite-template.ts)
    db = await openPglite(undefined, { loadDataDir: await pgliteTemplate() })
  } else {
    db = await openPglite()
  }
  if (opts.migrated !== false) await migrate(db)
  return db
}
