import type { Queryable } from '../../server/db/index.js'

/** Size of one unit square in degrees (~150 m × 220 m at 47° N). */
export const UNIT_SIZE = 0.002
/** South-west corner of the fixture (lng, lat), in 铁锋区, Qiqihar. */
export const ORIGIN: [number, number] = [123.95, 47.34]
export const COLUMNS = 3
export const ROWS = 4

export interface FixtureUnit {
  id: number
  extId: string
  name: string
  /** lng/lat box [w, s, e, n] */
  box: [number, number, number, number]
  gridCode: string
}

export interface PlanFixture {
  districtId: number
  jurisdictionId: number
  communityId: number
  planId: number
  units: FixtureUnit[]
  grids: Record<string, number>
  cells: Record<string, number>
}

const square = (w: number, s: number, e: number, n: number) =>
  JSON.stringify({ type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] })
const GEOM = 'ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($G), 4326))'
const geom = (n: number) => GEOM.replace('$G', `$${n}`)

/**
 * A small plan in SQL: 12 square units (3 columns × 4 rows, ids with leading zeros, Chinese names) in
 * one community, 3 grids of one column each (G001 with a stored outline, G002 and G003 without, so
 * exports and tiles must dissolve them), 2 police cells (J01 = G001+G002, J02 = G003), plus a barrier
 * and a station for the base-map tiles. Households 100 + 10·i, population twice that.
 */
export async function createPlanFixture(db: Queryable, opts: { name?: string } = {}): Promise<PlanFixture> {
  const [x0, y0] = ORIGIN
  const W = x0 - 0.01, S = y0 - 0.01, E = x0 + COLUMNS * UNIT_SIZE + 0.01, N = y0 + ROWS * UNIT_SIZE + 0.01
  const one = async <T>(sql: string, params: unknown[]) => (await db.query<T>(sql, params)).rows[0]
  const code = `230204${Math.floor(Math.random() * 1e6).toString().padStart(6, '0')}`
  const d = await one<{ id: number }>(`INSERT INTO districts (code, name, geom) VALUES ($1, '铁锋区', ${geom(2)}) RETURNING id`, [code, square(W, S, E, N)])
  const j = await one<{ id: number }>(
    `INSERT INTO jurisdictions (district_id, code, name, geom) VALUES ($1, '230204005', '龙华街道', ${geom(2)}) RETURNING id`,
    [d.id, square(W, S, E, N)],
  )
  const c = await one<{ id: number }>(
    `INSERT INTO communities (jurisdiction_id, code, name, geom) VALUES ($1, '230204005001', '和平社区', ${geom(2)}) RETURNING id`,
    [j.id, square(x0, y0, x0 + COLUMNS * UNIT_SIZE, y0 + ROWS * UNIT_SIZE)],
  )
  await db.query(
    `INSERT INTO barriers (district_id, kind, name, geom) VALUES ($1, 'main_road', '龙华路', ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($2), 4326)))`,
    [d.id, JSON.stringify({ type: 'LineString', coordinates: [[W, y0 - 0.001], [E, y0 - 0.001]] })],
  )
  await db.query(
    `INSERT INTO stations (district_id, jurisdiction_id, kind, code, name, geom) VALUES ($1, $2, 'police', 'P05', '龙华派出所', ST_SetSRID(ST_MakePoint($3, $4), 4326))`,
    [d.id, j.id, x0 + 0.003, y0 - 0.0005],
  )
  const plan = await one<{ id: number }>(
    `INSERT INTO plans (district_id, name, params) VALUES ($1, $2, '{"weight":"population"}') RETURNING id`,
    [d.id, opts.name ?? '和平社区试点方案'],
  )
  const grids: Record<string, number> = {}
  for (let col = 0; col < COLUMNS; col++) {
    const gc = `G00${col + 1}`
    // Only the first grid has a stored outline; the others must be dissolved from their units.
    const outline = col === 0 ? square(x0, y0, x0 + UNIT_SIZE, y0 + ROWS * UNIT_SIZE) : null
    const g = await one<{ id: number }>(
      `INSERT INTO grids (plan_id, community_id, code, name, locked, geom)
       VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::text IS NULL THEN NULL ELSE ${geom(6)} END) RETURNING id`,
      [plan.id, c.id, gc, `和平第${'一二三'[col]}网格`, col === 2, outline],
    )
    grids[gc] = g.id
  }
  const cells: Record<string, number> = {}
  for (const [cc, name, members] of [['J01', '龙华第一警格', ['G001', 'G002']], ['J02', '龙华第二警格', ['G003']]] as const) {
    const cell = await one<{ id: number }>(
      `INSERT INTO cells (plan_id, jurisdiction_id, code, name) VALUES ($1, $2, $3, $4) RETURNING id`,
      [plan.id, j.id, cc, name],
    )
    cells[cc] = cell.id
    for (const gc of members) await db.query('INSERT INTO grid_cells (plan_id, grid_id, cell_id) VALUES ($1, $2, $3)', [plan.id, grids[gc], cell.id])
  }
  const units: FixtureUnit[] = []
  for (let row = 0; row < ROWS; row++) {
    for (let col = 0; col < COLUMNS; col++) {
      const i = units.length
      const box: FixtureUnit['box'] = [x0 + col * UNIT_SIZE, y0 + row * UNIT_SIZE, x0 + (col + 1) * UNIT_SIZE, y0 + (row + 1) * UNIT_SIZE]
      const extId = `00${row + 1}0${col + 1}`
      const name = `和平小区${row + 1}排${col + 1}号楼`
      const u = await one<{ id: number }>(
        `INSERT INTO units (district_id, community_id, ext_id, name, population, households, geom)
         VALUES ($1, $2, $3, $4, $5, $6, ${geom(7)}) RETURNING id`,
        [d.id, c.id, extId, name, 2 * (100 + 10 * i), 100 + 10 * i, square(...box)],
      )
      const gridCode = `G00${col + 1}`
      await db.query('INSERT INTO unit_grids (plan_id, unit_id, grid_id) VALUES ($1, $2, $3)', [plan.id, u.id, grids[gridCode]])
      units.push({ id: u.id, extId, name, box, gridCode })
    }
  }
  return { districtId: d.id, jurisdictionId: j.id, communityId: c.id, planId: plan.id, units, grids, cells }
}

/**
 * A new version of the plan the way an edit makes one: moves `unit` to grid `toGrid` and bumps
 * plans.version in one transaction. Returns the new version.
 */
export async function moveUnit(
  db: { transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> },
  planId: number,
  unitId: number,
  toGridId: number,
): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.query('UPDATE unit_grids SET grid_id = $3 WHERE plan_id = $1 AND unit_id = $2', [planId, unitId, toGridId])
    const { rows } = await tx.query<{ version: number }>(
      'UPDATE plans SET version = version + 1, updated_at = now() WHERE id = $1 RETURNING version',
      [planId],
    )
    return rows[0].version
  })
}
