import { createHash } from 'node:crypto'
import pg from 'pg'
import type { Db, Queryable } from './types.js'

// int8 (bigint ids, counts) would arrive as strings; our ids and counts fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v))
// Dates stay ISO strings so both backends return the same shape.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v)

/** Prepared statements are named by their text, so one name can never stand for two texts. */
const statementNames = new Map<string, string>()
function statementName(sql: string): string {
  let name = statementNames.get(sql)
  if (!name) statementNames.set(sql, (name = `gw_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`))
  return name
}

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query(sql, params, opts) {
      const values = params as unknown[] | undefined
      const r = await client.query(opts?.prepare ? { name: statementName(sql), text: sql, values } : { text: sql, values })
      return { rows: r.rows }
    },
    async exec(sql) {
      await client.query(sql)
    },
  }
}

/** PostgreSQL + PostGIS through a connection pool (DATABASE_URL). */
export async function openPostgres(url: string, opts: { max?: number } = {}): Promise<Db> {
  const max = opts.max ?? 10
  // Connections are kept once opened (min = max): a new one costs a connect and a cold catalog cache
  // (~20 ms on its first PostGIS statement), and the statements prepared on it would be lost.
  const pool = new pg.Pool({ connectionString: url, max, min: max })
  // Prepared statements (QueryOptions.prepare) get a generic plan from their first run: by default each
  // connection plans the first five runs of each one for their parameters, and a tile burst on fresh
  // connections paid that (cold tile p95 at best 58–60 -> 40–52 ms, bench/tiles.ts). Unnamed statements are
  // still planned for their parameters.
  pool.on('connect', (client) => {
    client.query('SET plan_cache_mode = force_generic_plan').catch(() => {})
  })
  // A dropped idle connection (server restart) must not crash the process: the pool replaces it.
  pool.on('error', () => {})
  const base = wrap(pool)
  return {
    kind: 'postgres',
    ...base,
    async transaction(fn) {
      const client = await pool.connect()
      // A checked-out client whose connection dies between two statements (database restart) emits
      // 'error' on itself, not on the pool: unhandled, that would crash the process. The next statement
      // fails anyway; the client is then destroyed instead of going back to the pool.
      let broken: Error | undefined
      const onError = (err: Error) => (broken ??= err)
      client.on('error', onError)
      try {
        await client.query('BEGIN')
        const out = await fn(wrap(client))
        await client.query('COMMIT')
        return out
      } catch (err) {
        await client.query('ROLLBACK').catch((e: Error) => (broken ??= e))
        throw err
      } finally {
        client.off('error', onError)
        client.release(broken)
      }
    },
    async close() {
      await pool.end()
    },
  }
}
