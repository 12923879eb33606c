import type { Db } from '../../server/db/index.js'

/**
 * A small district for API tests: 9 × 4 square units of 100 people / 40 households each (ext ids
 * '0001'…'0036', row-major from the south-west), three communities of 3 columns each (C1, C2 in
 * jurisdiction J1, C3 in J2). Squares are 0.001° near Tiefeng (about 75 m × 111 m).
 */
export interface TestDistrict {
  districtId: number
  jurisdictions: { J1: number; J2: number }
  communities: { C1: number; C2: number; C3: number }
  /** unit id by ext id, and by [col][row] */
  unit: Map<string, number>
  at: (col: number, row: number) => number
  extAt: (col: number, row: number) => string
}

const X0 = 123.9
const Y0 = 47.3
const S = 0.001
export const COLS = 9
export const ROWS = 4

const env = (x0: number, y0: number, x1: number, y1: number) =>
  `ST_Multi(ST_MakeEnvelope(${X0 + x0 * S}, ${Y0 + y0 * S}, ${X0 + x1 * S}, ${Y0 + y1 * S}, 4326))`

export async function loadTestDistrict(db: Db, code = '230204'): Promise<TestDistrict> {
  const d = (await db.query<{ id: number }>(`INSERT INTO districts (code, name, geom) VALUES ($1, '铁锋区', ${env(0, 0, COLS, ROWS)}) RETURNING id`, [code])).rows[0].id
  const j = async (c: string, name: string, x0: number, x1: number) =>
    (await db.query<{ id: number }>(`INSERT INTO jurisdictions (district_id, code, name, geom) VALUES ($1, $2, $3, ${env(x0, 0, x1, ROWS)}) RETURNING id`, [d, c, name])).rows[0].id
  const J1 = await j(`${code}005`, '龙华街道', 0, 6)
  const J2 = await j(`${code}006`, '站前街道', 6, 9)
  const c = async (jid: number, cc: string, name: string, x0: number, x1: number) =>
    (await db.query<{ id: number }>(`INSERT INTO communities (jurisdiction_id, code, name, geom) VALUES ($1, $2, $3, ${env(x0, 0, x1, ROWS)}) RETURNING id`, [jid, cc, name]))
      .rows[0].id
  const C1 = await c(J1, '001', '和平社区', 0, 3)
  const C2 = await c(J1, '002', '光荣社区', 3, 6)
  const C3 = await c(J2, '003', '站前社区', 6, 9)
  const extAt = (col: number, row: number) => String(row * COLS + col + 1).padStart(4, '0')
  const unit = new Map<string, number>()
  for (let row = 0; row < ROWS; row++) {
    for (let col = 0; col < COLS; col++) {
      const com = col < 3 ? C1 : col < 6 ? C2 : C3
      const { rows } = await db.query<{ id: number }>(
        `INSERT INTO units (district_id, community_id, ext_id, population, households, geom) VALUES ($1, $2, $3, 100, 40, ${env(col, row, col + 1, row + 1)}) RETURNING id`,
        [d, com, extAt(col, row)],
      )
      unit.set(extAt(col, row), rows[0].id)
    }
  }
  return { districtId: d, jurisdictions: { J1, J2 }, communities: { C1, C2, C3 }, unit, at: (col, row) => unit.get(extAt(col, row))!, extAt }
}

/**
 * The hand-made division as CSV: each community split into a south grid (rows 0–1) and a north grid
 * (rows 2–3), codes '<community>01' / '<community>02'; J1's four grids in cell '0501', J2's two in '0601'.
 */
export function divisionCsv(t: TestDistrict): string {
  const lines = ['unit_id,grid_id,cell_id']
  for (let row = 0; row < ROWS; row++) {
    for (let col = 0; col < COLS; col++) {
      const com = col < 3 ? '001' : col < 6 ? '002' : '003'
      const grid = `${com}0${row < 2 ? 1 : 2}`
      lines.push(`${t.extAt(col, row)},${grid},${col < 6 ? '0501' : '0601'}`)
    }
  }
  return lines.join('\n') + '\n'
}
