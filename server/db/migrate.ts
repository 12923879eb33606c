import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Db } from './types.js'

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url))
const FILE = /^(\d{4})_[a-z0-9_]+\.sql$/
// Any constant works; every runner on every backend must use the same one.
const LOCK_KEY = 727_001

export interface Migration {
  name: string
  sql: string
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const names = readdirSync(dir).filter((f) => FILE.test(f)).sort()
  names.forEach((name, i) => {
    const n = Number(FILE.exec(name)![1])
    if (n !== i + 1) throw new Error(`Migration ${name} is out of sequence: expected number ${String(i + 1).padStart(4, '0')}.`)
  })
  return names.map((name) => ({ name, sql: readFileSync(join(dir, name), 'utf8') }))
}

/**
 * Forward-only: applies every migration not yet recorded in schema_migrations, each in its own
 * transaction. A transaction-scoped advisory lock serialises concurrent runners (two servers starting
 * at once); each re-checks what is applied after taking the lock, so none runs a file twice.
 * Returns the names it applied.
 */
export async function migrate(db: Db, migrations = readMigrations()): Promise<string[]> {
  const applied: string[] = []
  for (const m of migrations) {
    const did = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY])
      await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        name text PRIMARY KEY,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`)
      const seen = await tx.query('SELECT 1 FROM schema_migrations WHERE name = $1', [m.name])
      if (seen.rows.length) return false
      await tx.exec(m.sql)
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [m.name])
      return true
    })
    if (did) applied.push(m.name)
  }
  return applied
}
