import type { Queryable } from '../db/index.js'

/** lng/lat bounding box of every unit of a district, ascending id. */
export async function unitBoxes(db: Queryable, districtId: number): Promise<{ id: number; w: number; s: number; e: number; n: number }[]> {
  const { rows } = await db.query<{ id: number; w: number; s: number; e: number; n: number }>(
    `SELECT id, ST_XMin(geom) AS w, ST_YMin(geom) AS s, ST_XMax(geom) AS e, ST_YMax(geom) AS n FROM units WHERE district_id = $1 ORDER BY id`,
    [districtId],
  )
  return rows
}
