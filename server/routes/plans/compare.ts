/**
 * Differences between two plans of one district. Grids are matched by code (a copy keeps its codes),
 * so a unit "moved" when its grid code differs between the plans (or it is assigned in one only).
 */
import type { Db } from '../../db/index.js'
import { HttpError } from '../../plugins/errors.js'
import { gridList, planHead, unitGeometries, unitsOfDistrict } from '../../repo/plans.js'
import type { PlanSummaryMetrics } from '../../schemas/plans.js'
import { assignedUnits, measurePlan, warm } from './measure.js'

export async function comparePlans(db: Db, a: number, b: number) {
  const [ha, hb] = await Promise.all([planHead(db, a), planHead(db, b)])
  if (!ha) throw new HttpError(404, `Plan ${a} does not exist.`)
  if (!hb) throw new HttpError(404, `Plan ${b} does not exist.`)
  if (ha.districtId !== hb.districtId) {
    throw new HttpError(422, `Plans ${a} and ${b} cover different districts; only plans of one district can be compared.`, { reason: 'different-districts' })
  }
  const dg = await warm(db, ha.districtId)
  const side = async (h: typeof ha) =>
    db.transaction(async (tx) => {
      const head = (await planHead(tx, h.id))!
      const [metrics, grids, rows] = await Promise.all([measurePlan(tx, head, undefined, dg), gridList(tx, head.id), assignedUnits(tx, head.id, null)])
      const code = new Map(grids.map((g) => [g.id, g.code]))
      return { head, metrics, unitGrid: new Map(rows.map((r) => [r.unitId, code.get(r.gridId)!])), codes: new Set(code.values()) }
    })
  const A = await side(ha)
  const B = await side(hb)
  const units = await unitsOfDistrict(db, ha.districtId)
  const changed: { id: number; population: number; households: number; from: string | null; to: string | null }[] = []
  const perCode = new Map<string, { populationA: number; populationB: number; unitsA: number; unitsB: number; changed: boolean }>()
  const entry = (c: string) => {
    let e = perCode.get(c)
    if (!e) perCode.set(c, (e = { populationA: 0, populationB: 0, unitsA: 0, unitsB: 0, changed: false }))
    return e
  }
  for (const u of units) {
    const from = A.unitGrid.get(u.id) ?? null
    const to = B.unitGrid.get(u.id) ?? null
    if (from !== null) (entry(from).populationA += u.population), entry(from).unitsA++
    if (to !== null) (entry(to).populationB += u.population), entry(to).unitsB++
    if (from !== to) {
      changed.push({ id: u.id, population: u.population, households: u.households, from, to })
      if (from !== null) entry(from).changed = true
      if (to !== null) entry(to).changed = true
    }
  }
  const geoms = new Map((await unitGeometries(db, changed.map((c) => c.id))).map((g) => [g.id, g]))
  const summaryDelta: Record<string, number> = {}
  for (const k of Object.keys(A.metrics.summary) as (keyof PlanSummaryMetrics)[]) {
    const x = A.metrics.summary[k]
    const y = B.metrics.summary[k]
    if (typeof x === 'number' && typeof y === 'number') summaryDelta[k] = Math.round((y - x) * 1e4) / 1e4
  }
  return {
    a: { planId: a, version: A.head.version, summary: A.metrics.summary },
    b: { planId: b, version: B.head.version, summary: B.metrics.summary },
    unitsMoved: changed.length,
    peopleMoved: changed.reduce((s, c) => s + c.population, 0),
    householdsMoved: changed.reduce((s, c) => s + c.households, 0),
    gridsAdded: [...B.codes].filter((c) => !A.codes.has(c)).sort(),
    gridsRemoved: [...A.codes].filter((c) => !B.codes.has(c)).sort(),
    summaryDelta,
    gridDeltas: [...perCode.entries()]
      .filter(([c, e]) => e.changed && A.codes.has(c) && B.codes.has(c))
      .map(([code, e]) => ({ code, populationA: e.populationA, populationB: e.populationB, unitsA: e.unitsA, unitsB: e.unitsB }))
      .sort((x, y) => (x.code < y.code ? -1 : 1)),
    changes: {
      type: 'FeatureCollection' as const,
      features: changed.map((c) => ({
        type: 'Feature' as const,
        id: c.id,
        geometry: geoms.get(c.id)?.geometry ?? null,
        properties: { unitId: c.id, extId: geoms.get(c.id)?.extId ?? null, population: c.population, from: c.from, to: c.to },
      })),
    },
  }
}
