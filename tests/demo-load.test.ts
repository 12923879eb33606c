import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../server/db/index.js'
import { loadDemo, readDemo } from '../fixtures/demo/load.js'
import { BACKEND, createTestDb } from './helpers/db.js'

describe(`demo loader on ${BACKEND}`, () => {
  let db: Db
  beforeAll(async () => {
    db = await createTestDb()
  })
  afterAll(async () => {
    await db?.close()
  })

  it('loads the whole demo into an empty database, in one go', async () => {
    expect(await loadDemo(db)).toEqual({ loaded: true })
    const demo = readDemo()
    const count = async (table: string): Promise<number> =>
      Number((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n)
    expect(await count('districts')).toBe(1)
    expect(await count('jurisdictions')).toBe(demo.jurisdictions.features.length)
    expect(await count('communities')).toBe(demo.communities.features.length)
    expect(await count('units')).toBe(demo.units.features.length)
    expect(await count('barriers')).toBe(demo.barriers.features.length)
    expect(await count('stations')).toBe(demo.stations.features.length)
    expect(await count('events')).toBe(demo.events.features.length)
    const { rows } = await db.query<{ pop: number; hh: number; orphans: number; srid: number }>(
      `SELECT sum(population)::int AS pop, sum(households)::int AS hh,
              count(*) FILTER (WHERE community_id IS NULL)::int AS orphans, min(ST_SRID(geom)) AS srid FROM units`,
    )
    expect(rows[0]).toEqual({ pop: 300_000, hh: 100_000, orphans: 0, srid: 4326 })
    const police = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM stations WHERE kind = 'police' AND jurisdiction_id IS NOT NULL`,
    )
    expect(police.rows[0].n).toBe(9)
  })

  it('never loads twice', async () => {
    expect(await loadDemo(db)).toEqual({ loaded: false })
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM units')
    expect(rows[0].n).toBe(readDemo().units.features.length)
  })
})
