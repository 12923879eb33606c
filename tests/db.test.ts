import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate, readMigrations, MIGRATIONS_DIR } from '../server/db/migrate.js'
import { describeSchema } from '../server/db/describe.js'
import { openPostgres } from '../server/db/postgres.js'
import type { Db } from '../server/db/index.js'
import { BACKEND, createTestDb } from './helpers/db.js'

describe(`migrations on ${BACKEND}`, () => {
  let db: Db & { url?: string }
  beforeAll(async () => {
    db = await createTestDb({ migrated: false })
  })
  afterAll(async () => {
    await db?.close()
  })

  it('apply from empty, in order, each recorded once', async () => {
    const applied = await migrate(db)
    expect(applied).toEqual(readMigrations().map((m) => m.name))
    const { rows } = await db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name')
    expect(rows.map((r) => r.name)).toEqual(applied)
  })

  it('re-running is a no-op', async () => {
    const before = await describeSchema(db)
    expect(await migrate(db)).toEqual([])
    expect(await describeSchema(db)).toBe(before)
  })

  it('match the committed schema description (npm run schema:dump after a DDL change)', async () => {
    const committed = readFileSync(join(MIGRATIONS_DIR, 'schema.txt'), 'utf8')
    expect(await describeSchema(db)).toBe(committed)
  })

  it('roll back a failing migration completely and record nothing', async () => {
    const bad = [
      ...readMigrations(),
      { name: '9998_partial.sql', sql: 'CREATE TABLE half_done (x int); SELECT no_such_function();' },
    ]
    await expect(migrate(db, bad)).rejects.toThrow(/no_such_function/)
    const t = await db.query(`SELECT 1 FROM pg_class WHERE relname = 'half_done'`)
    expect(t.rows).toHaveLength(0)
    const m = await db.query(`SELECT 1 FROM schema_migrations WHERE name = '9998_partial.sql'`)
    expect(m.rows).toHaveLength(0)
  })

  it('enforce the domain constraints (same-plan assignment, non-negative weights, SRID)', async () => {
    const square = JSON.stringify({ type: 'MultiPolygon', coordinates: [[[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]] })
    await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO districts (code, name, geom) VALUES ('999999', 't', ST_SetSRID(ST_GeomFromGeoJSON($1), 4326))`, [square])
    })
    await expect(
      db.query(`INSERT INTO units (district_id, ext_id, population, geom)
                SELECT id, 'u1', -1, ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) FROM districts WHERE code = '999999'`, [square]),
    ).rejects.toThrow(/units_population_check/)
    await expect(
      db.query(`INSERT INTO units (district_id, ext_id, geom)
                SELECT id, 'u1', ST_SetSRID(ST_GeomFromGeoJSON($1), 3857) FROM districts WHERE code = '999999'`, [square]),
    ).rejects.toThrow(/SRID/i)
    // A unit may only be assigned to a grid of the same plan.
    const ids = await db.transaction(async (tx) => {
      const d = (await tx.query<{ id: number }>(`SELECT id FROM districts WHERE code = '999999'`)).rows[0].id
      const u = (await tx.query<{ id: number }>(
        `INSERT INTO units (district_id, ext_id, geom) VALUES ($1, 'u2', ST_SetSRID(ST_GeomFromGeoJSON($2), 4326)) RETURNING id`, [d, square])).rows[0].id
      const p1 = (await tx.query<{ id: number }>(`INSERT INTO plans (district_id, name) VALUES ($1, 'a') RETURNING id`, [d])).rows[0].id
      const p2 = (await tx.query<{ id: number }>(`INSERT INTO plans (district_id, name) VALUES ($1, 'b') RETURNING id`, [d])).rows[0].id
      const g2 = (await tx.query<{ id: number }>(`INSERT INTO grids (plan_id, code) VALUES ($1, 'G1') RETURNING id`, [p2])).rows[0].id
      return { u, p1, g2 }
    })
    await expect(
      db.query('INSERT INTO unit_grids (plan_id, unit_id, grid_id) VALUES ($1, $2, $3)', [ids.p1, ids.u, ids.g2]),
    ).rejects.toThrow(/foreign key/i)
  })
})

describe(`concurrent migration runners on ${BACKEND}`, () => {
  it('two runners at once apply every migration exactly once', async () => {
    const db = await createTestDb({ migrated: false })
    let other: Db | undefined
    try {
      // On PostgreSQL the second runner has its own pool (as a second server process would).
      other = db.url ? await openPostgres(db.url) : db
      const [a, b] = await Promise.all([migrate(db), migrate(other)])
      const all = readMigrations().map((m) => m.name)
      expect([...a, ...b].sort()).toEqual(all)
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations')
      expect(rows[0].n).toBe(all.length)
      const committed = readFileSync(join(MIGRATIONS_DIR, 'schema.txt'), 'utf8')
      expect(await describeSchema(db)).toBe(committed)
    } finally {
      if (other && other !== db) await other.close()
      await db.close()
    }
  })
})

describe(`prepared statements on ${BACKEND}`, () => {
  it('a statement sent with `prepare` gives the same rows every time, on every connection and inside transactions', async () => {
    const db = await createTestDb({ migrated: false })
    try {
      const twice = 'SELECT $1::int * 2 AS v'
      const plus = 'SELECT $1::int + 1 AS v'
      // More calls at once than the pool has connections: each connection prepares the text once.
      const got = await Promise.all(Array.from({ length: 25 }, (_, i) => db.query<{ v: number }>(i % 2 ? twice : plus, [i], { prepare: true })))
      expect(got.map((r) => r.rows[0].v)).toEqual(Array.from({ length: 25 }, (_, i) => (i % 2 ? i * 2 : i + 1)))
      expect(await db.transaction(async (tx) => (await tx.query<{ v: number }>(twice, [21], { prepare: true })).rows[0].v)).toBe(42)
      // A table the prepared plan reads is changed: PostgreSQL plans it again, nothing stale comes back.
      await db.exec('CREATE TABLE prep_t (a int)')
      const read = 'SELECT count(*)::int AS n FROM prep_t WHERE a > $1'
      expect((await db.query<{ n: number }>(read, [0], { prepare: true })).rows[0].n).toBe(0)
      await db.exec('INSERT INTO prep_t VALUES (1), (2); CREATE INDEX ON prep_t (a)')
      expect((await db.query<{ n: number }>(read, [0], { prepare: true })).rows[0].n).toBe(2)
      await expect(db.query('SELECT nonsense', [], { prepare: true })).rejects.toThrow()
      expect((await db.query<{ v: number }>(twice, [5], { prepare: true })).rows[0].v).toBe(10)
    } finally {
      await db.close()
    }
  })
})
