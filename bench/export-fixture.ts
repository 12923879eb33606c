// Synthetic plans for bench/export.ts and bench/tiles.ts, made in SQL: `side × side` square units in one
// community, grids of 5 × 5 units, police cells of 6 grids. Not a test fixture: no invariants checked.
import type { Queryable } from '../server/db/index.js'

export interface SyntheticPlan {
  planId: number
  units: number
  grids: number
  cells: number
  /** lng/lat box [w, s, e, n] */
  box: [number, number, number, number]
}

/**
 * `units` ≈ side² square units of `size` degrees from (123.90, 47.30) (Qiqihar), unit ids with leading
 * zeros and Chinese names. `storedOutlines`: fill grids.geom and cells.geom (as an edit would) instead
 * of leaving them to be dissolved on the fly.
 */
export async function syntheticPlan(db: Queryable, opts: { units: number; size: number; storedOutlines?: boolean }): Promise<SyntheticPlan> {
  const side = Math.ceil(Math.sqrt(opts.units))
  const n = side * side
  const s = opts.size
  const [x0, y0] = [123.9, 47.3]
  const box: SyntheticPlan['box'] = [x0, y0, x0 + side * s, y0 + side * s]
  const env = `ST_Multi(ST_MakeEnvelope($1::float8, $2::float8, $3::float8, $4::float8, 4326))`
  const one = async (sql: string, params: unknown[]) => (await db.query<{ id: number }>(sql, params)).rows[0].id
  const district = await one(`INSERT INTO districts (code, name, geom) VALUES ('bench-${Date.now()}', '基准区', ${env}) RETURNING id`, box)
  const jur = await one(`INSERT INTO jurisdictions (district_id, code, name, geom) VALUES ($5, 'J1', '基准街道', ${env}) RETURNING id`, [...box, district])
  const com = await one(`INSERT INTO communities (jurisdiction_id, code, name, geom) VALUES ($5, 'C1', '基准社区', ${env}) RETURNING id`, [...box, jur])
  const plan = await one(`INSERT INTO plans (district_id, name) VALUES ($1, '基准方案') RETURNING id`, [district])
  await db.query(
    `INSERT INTO units (district_id, community_id, ext_id, name, population, households, geom)
     SELECT $1, $2, lpad(i::text, 7, '0'), '基准小区' || i || '号楼', 40 + i % 50, 20 + i % 25,
            ST_Multi(ST_MakeEnvelope($4::float8 + (i % $3::int) * $6::float8, $5::float8 + (i / $3::int) * $6::float8,
                                     $4::float8 + (i % $3::int + 1) * $6::float8, $5::float8 + (i / $3::int + 1) * $6::float8, 4326))
       FROM generate_series(0, $3::int * $3::int - 1) AS i`,
    [district, com, side, x0, y0, s],
  )
  const gside = Math.ceil(side / 5)
  await db.query(
    `INSERT INTO grids (plan_id, community_id, code, name)
     SELECT $1, $2, 'G' || lpad(g::text, 5, '0'), '基准网格' || g FROM generate_series(0, $3::int - 1) AS g`,
    [plan, com, gside * gside],
  )
  await db.query(
    `INSERT INTO unit_grids (plan_id, unit_id, grid_id)
     SELECT $1, u.id, g.id
       FROM units u
       JOIN grids g ON g.plan_id = $1
        AND g.code = 'G' || lpad(((u.ext_id::int / $2::int / 5) * $3::int + (u.ext_id::int % $2::int) / 5)::text, 5, '0')
      WHERE u.district_id = $4`,
    [plan, side, gside, district],
  )
  const ncells = Math.ceil((gside * gside) / 6)
  await db.query(
    `INSERT INTO cells (plan_id, jurisdiction_id, code, name)
     SELECT $1, $2, 'J' || lpad(c::text, 4, '0'), '基准警格' || c FROM generate_series(0, $3::int - 1) AS c`,
    [plan, jur, ncells],
  )
  await db.query(
    `INSERT INTO grid_cells (plan_id, grid_id, cell_id)
     SELECT $1, g.id, c.id FROM grids g
       JOIN cells c ON c.plan_id = $1 AND c.code = 'J' || lpad((substr(g.code, 2)::int / 6)::text, 4, '0')
      WHERE g.plan_id = $1`,
    [plan],
  )
  if (opts.storedOutlines) {
    await db.query(
      `UPDATE grids g SET geom = s.geom FROM (
         SELECT ug.grid_id, ST_Multi(ST_Union(u.geom)) AS geom FROM unit_grids ug JOIN units u ON u.id = ug.unit_id
          WHERE ug.plan_id = $1 GROUP BY ug.grid_id) s
        WHERE g.id = s.grid_id`,
      [plan],
    )
    await db.query(
      `UPDATE cells c SET geom = s.geom FROM (
         SELECT gc.cell_id, ST_Multi(ST_Union(g.geom)) AS geom FROM grid_cells gc JOIN grids g ON g.id = gc.grid_id
          WHERE gc.plan_id = $1 GROUP BY gc.cell_id) s
        WHERE c.id = s.cell_id`,
      [plan],
    )
  }
  await db.exec('ANALYZE')
  return { planId: plan, units: n, grids: gside * gside, cells: ncells, box }
}
