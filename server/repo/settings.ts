import type { Queryable } from '../db/index.js'

/**
 * Returns the stored value of `key`, storing `make()` first when there is none. Race-safe: when two
 * replicas start at once, both end up with the value of whichever insert won.
 */
export async function getOrCreateSetting(db: Queryable, key: string, make: () => string): Promise<string> {
  await db.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, make()])
  const { rows } = await db.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key])
  return rows[0].value
}
