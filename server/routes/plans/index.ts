import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Compile } from 'typebox/compile'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { ErrorRef } from '../../schemas/common.js'
import {
  Assignments,
  CompareParams,
  CompareReply,
  CopyPlan,
  CreatePlan,
  EditBody,
  EditLog,
  EditResult,
  IfMatchHeaders,
  IfNoneMatchHeaders,
  ImportedPlan,
  ImportPlan,
  ListPlansQuery,
  Plan,
  PlanDetail,
  PlanIdParams,
  PlanList,
  PlanMetricsReply,
  PlanUnits,
  UnitsNotModified,
  UpdatePlan,
} from '../../schemas/plans.js'
import {
  assignments,
  cellList,
  copyPlanContents,
  deletePlan,
  districtExists,
  getPlan,
  gridList,
  insertPlan,
  listPlans,
  lockPlan,
  planHead,
  refreshGeometry,
  updatePlanMeta,
  importDivision,
  unitsOfDistrict,
  unitColumns,
} from '../../repo/plans.js'
import { audit, listEdits } from '../../repo/edits.js'
import { HttpError } from '../../plugins/errors.js'
import { etag, notModified } from '../../export/etag.js'
import { parseIfMatch, planDistrict, runEdit, runUndoRedo, warmGraph } from './edits.js'
import { measurePlan } from './measure.js'
import { readAssignmentCsv, type CsvProblem } from './csv.js'
import { comparePlans } from './compare.js'
import { cancelOutlines, scheduleOutlines } from './outlines.js'

const E = { 400: ErrorRef, 401: ErrorRef, 403: ErrorRef, 404: ErrorRef, 500: ErrorRef }

// One validator per edit op, so a bad edit is told what is wrong with *its* op rather than every branch's.
const OP_SCHEMAS = new Map(
  (EditBody as unknown as { anyOf: { properties: { op: { const: string } } }[] }).anyOf.map((s) => [s.properties.op.const, Compile(s as never)]),
)

/** The request failed schema validation: 400 naming the field(s) of the op that was sent. */
function badEdit(req: FastifyRequest): never {
  const err = req.validationError as (Error & { validationContext?: string }) | undefined
  const body = req.body as { op?: unknown } | null
  if (err?.validationContext !== 'body' || !body || typeof body !== 'object') throw err
  const v = OP_SCHEMAS.get(String(body.op))
  if (!v) {
    throw new HttpError(400, `body.op must be one of ${[...OP_SCHEMAS.keys()].join(', ')}; got ${JSON.stringify(body.op ?? null)}.`, [
      { field: 'body.op', reason: 'unknown edit operation' },
    ])
  }
  const details = v
    .Errors(body)
    .slice(0, 10)
    .map((e) => {
      const base = `body${e.instancePath.replace(/\//g, '.')}`
      const missing = /required propert(?:y|ies) '?([\w-]+)/.exec(e.message)
      return missing ? { field: `${base}.${missing[1]}`, reason: 'required' } : { field: base, reason: e.message }
    })
  const list = details.length ? details : [{ field: 'body', reason: err.message }]
  throw new HttpError(400, `Invalid ${String(body.op)} edit: ${list.map((d) => `${d.field} ${d.reason}`).join('; ')}.`, list)
}

const plans: FastifyPluginAsyncTypebox = async (app) => {
  const anyRole = app.requireRole('admin', 'planner', 'police', 'analyst')
  const planners = app.requireRole('admin', 'planner')
  const editors = app.requireRole('admin', 'planner', 'police')
  app.addHook('onClose', async () => cancelOutlines(app.db))

  async function mustGetPlan(id: number) {
    const p = await getPlan(app.db, id)
    if (!p) throw new HttpError(404, `Plan ${id} does not exist.`)
    return p
  }

  app.get(
    '/api/plans',
    { onRequest: anyRole, schema: { summary: 'List plans', tags: ['plans'], querystring: ListPlansQuery, response: { 200: PlanList, ...E } } },
    async (req) => ({ plans: await listPlans(app.db, req.query) }),
  )

  app.get(
    '/api/plans/:id',
    {
      onRequest: anyRole,
      schema: { summary: 'A plan with its grids and police cells; ETag is the version', tags: ['plans'], params: PlanIdParams, response: { 200: PlanDetail, ...E } },
    },
    async (req, reply) => {
      const p = await mustGetPlan(req.params.id)
      const [grids, cells] = await Promise.all([gridList(app.db, p.id), cellList(app.db, p.id)])
      reply.header('etag', `"${p.version}"`)
      return { ...p, gridList: grids.map(({ jurisdictionId: _, ...g }) => g), cellList: cells }
    },
  )

  app.get(
    '/api/plans/:id/assignments',
    {
      onRequest: anyRole,
      schema: { summary: 'Unit → grid assignment of the current version', tags: ['plans'], params: PlanIdParams, response: { 200: Assignments, ...E } },
    },
    async (req, reply) => {
      // One snapshot: version and rows from the same transaction.
      return app.db.transaction(async (tx) => {
        const head = await planHead(tx, req.params.id)
        if (!head) throw new HttpError(404, `Plan ${req.params.id} does not exist.`)
        const rows = await assignments(tx, head.id)
        reply.header('etag', `"${head.version}"`)
        return { planId: head.id, version: head.version, units: rows.map((r) => r.unitId), grids: rows.map((r) => r.gridId) }
      })
    },
  )

  app.get(
    '/api/plans/:id/units',
    {
      onRequest: anyRole,
      schema: {
        summary: 'Every unit of the plan\'s district without geometry (id, ext id, weights, community, grid) as parallel arrays',
        description: 'Ordered by unit id; unassigned units have grid null. ETag names the plan and version; If-None-Match with it answers 304.',
        tags: ['plans'],
        params: PlanIdParams,
        headers: IfNoneMatchHeaders,
        response: { 200: PlanUnits, 304: UnitsNotModified, ...E },
      },
    },
    async (req, reply) => {
      // One snapshot: version and rows from the same transaction.
      const r = await app.db.transaction(async (tx) => {
        const head = await planHead(tx, req.params.id)
        if (!head) throw new HttpError(404, `Plan ${req.params.id} does not exist.`)
        const tag = etag('plan', head.id, `v${head.version}`, 'units')
        if (notModified(req.headers['if-none-match'], tag)) return { tag }
        return { tag, body: { version: head.version, units: await unitColumns(tx, head.id, head.districtId) } }
      })
      reply.header('etag', r.tag).header('cache-control', 'private, no-cache')
      // No payload at all: send(null) would announce a 4-byte JSON body that a 304 cannot carry.
      if (!r.body) return (reply as FastifyReply).code(304).send()
      return r.body
    },
  )

  app.post(
    '/api/plans',
    {
      onRequest: planners,
      schema: { summary: 'Create an empty plan', tags: ['plans'], body: CreatePlan, response: { 201: Plan, ...E, 422: ErrorRef } },
    },
    async (req, reply) => {
      if (!(await districtExists(app.db, req.body.districtId))) {
        throw new HttpError(422, `districtId ${req.body.districtId} does not exist.`, { field: 'body.districtId', reason: 'unknown district' })
      }
      const id = await app.db.transaction(async (tx) => {
        const id = await insertPlan(tx, { ...req.body, createdBy: req.user.id })
        await audit(tx, { userId: req.user.id, action: 'create', entity: 'plan', entityId: id, after: req.body })
        return id
      })
      reply.status(201)
      return mustGetPlan(id)
    },
  )

  app.post(
    '/api/plans/import',
    {
      onRequest: planners,
      schema: {
        summary: 'Create a plan from the unit_id,grid_id[,cell_id] CSV of an existing division; bad rows are listed with line numbers',
        tags: ['plans'],
        body: ImportPlan,
        response: { 201: ImportedPlan, ...E, 422: ErrorRef },
      },
    },
    async (req, reply) => {
      const b = req.body
      if (!(await districtExists(app.db, b.districtId))) {
        throw new HttpError(422, `districtId ${b.districtId} does not exist.`, { field: 'body.districtId', reason: 'unknown district' })
      }
      const { rows, problems } = readAssignmentCsv(b.csv)
      const units = await unitsOfDistrict(app.db, b.districtId)
      const byExt = new Map(units.map((u) => [u.extId, u]))
      const seen = new Map<string, number>()
      const gridCell = new Map<string, { cell: string | null; line: number }>()
      const gridCommunities = new Map<string, Map<number | null, number>>()
      const cellJurisdictions = new Map<string, Map<number | null, number>>()
      const good: { unitId: number; gridCode: string }[] = []
      const count = <K>(m: Map<string, Map<K, number>>, key: string, v: K) => {
        const c = m.get(key) ?? new Map<K, number>()
        c.set(v, (c.get(v) ?? 0) + 1)
        m.set(key, c)
      }
      for (const r of rows) {
        const u = byExt.get(r.unitId)
        if (!u) {
          problems.push({ line: r.line, field: 'unit_id', value: r.unitId, reason: 'no unit with this id in the district' })
          continue
        }
        const first = seen.get(r.unitId)
        if (first !== undefined) {
          problems.push({ line: r.line, field: 'unit_id', value: r.unitId, reason: `the unit is already assigned on line ${first}` })
          continue
        }
        seen.set(r.unitId, r.line)
        const prior = gridCell.get(r.gridId)
        if (prior && prior.cell !== r.cellId) {
          problems.push({ line: r.line, field: 'cell_id', value: r.cellId ?? '', reason: `grid ${r.gridId} is in cell ${prior.cell ?? '(none)'} on line ${prior.line}` })
          continue
        }
        if (!prior) gridCell.set(r.gridId, { cell: r.cellId, line: r.line })
        count(gridCommunities, r.gridId, u.communityId)
        if (r.cellId !== null) count(cellJurisdictions, r.cellId, u.jurisdictionId)
        good.push({ unitId: u.id, gridCode: r.gridId })
      }
      if (problems.length) {
        problems.sort((a: CsvProblem, b: CsvProblem) => a.line - b.line)
        throw new HttpError(422, `${problems.length} bad row(s) in the CSV (first on line ${problems[0].line}); nothing was imported.`, {
          field: 'body.csv',
          reason: 'bad-rows',
          count: problems.length,
          rows: problems.slice(0, 1000),
        })
      }
      const majority = <K>(m: Map<K, number>): K => [...m.entries()].sort((a, b) => b[1] - a[1])[0][0]
      const grids = [...gridCell.entries()].map(([code, v]) => ({ code, cellCode: v.cell, communityId: majority(gridCommunities.get(code)!) }))
      const cells = [...cellJurisdictions.entries()].map(([code, m]) => ({ code, jurisdictionId: majority(m) }))
      const id = await app.db.transaction(async (tx) => {
        const id = await insertPlan(tx, { districtId: b.districtId, name: b.name, params: b.params, createdBy: req.user.id })
        await importDivision(tx, id, grids, cells, good)
        await refreshGeometry(tx, id, null, null)
        await audit(tx, { userId: req.user.id, action: 'import', entity: 'plan', entityId: id, after: { name: b.name, rows: rows.length, grids: grids.length, cells: cells.length } })
        return id
      })
      reply.status(201)
      return {
        plan: await mustGetPlan(id),
        import: { rows: rows.length, grids: grids.length, cells: cells.length, unassignedUnits: units.length - good.length },
      }
    },
  )

  app.post(
    '/api/plans/:id/copy',
    {
      onRequest: planners,
      schema: { summary: 'Copy a plan (grids, cells, assignments, locks) into a new draft', tags: ['plans'], params: PlanIdParams, body: CopyPlan, response: { 201: Plan, ...E } },
    },
    async (req, reply) => {
      const id = await app.db.transaction(async (tx) => {
        const src = await lockPlan(tx, req.params.id)
        if (!src) throw new HttpError(404, `Plan ${req.params.id} does not exist.`)
        const { rows } = await tx.query<{ name: string }>('SELECT name FROM plans WHERE id = $1', [src.id])
        const name = req.body?.name ?? `${rows[0].name} (copy)`.slice(0, 200)
        const id = await insertPlan(tx, { districtId: src.districtId, name, params: src.params, createdBy: req.user.id, copiedFrom: src.id })
        await copyPlanContents(tx, src.id, id)
        await audit(tx, { userId: req.user.id, action: 'copy', entity: 'plan', entityId: id, after: { from: src.id, fromVersion: src.version, name } })
        return id
      })
      reply.status(201)
      return mustGetPlan(id)
    },
  )

  app.patch(
    '/api/plans/:id',
    {
      onRequest: planners,
      schema: {
        summary: 'Rename, publish, archive or re-parameterise a plan (does not change its version)',
        tags: ['plans'],
        params: PlanIdParams,
        body: UpdatePlan,
        response: { 200: Plan, ...E },
      },
    },
    async (req) => {
      await app.db.transaction(async (tx) => {
        const before = await getPlan(tx, req.params.id)
        if (!before) throw new HttpError(404, `Plan ${req.params.id} does not exist.`)
        await updatePlanMeta(tx, before.id, req.body)
        await audit(tx, {
          userId: req.user.id,
          action: req.body.status && req.body.status !== before.status ? `status.${req.body.status}` : 'update',
          entity: 'plan',
          entityId: before.id,
          before: { name: before.name, status: before.status, params: before.params },
          after: req.body,
        })
      })
      return mustGetPlan(req.params.id)
    },
  )

  app.delete(
    '/api/plans/:id',
    {
      onRequest: planners,
      schema: {
        summary: 'Delete a plan (a published plan must be archived first)',
        tags: ['plans'],
        params: PlanIdParams,
        response: { 204: Type.Null({ description: 'deleted' }), ...E, 409: ErrorRef },
      },
    },
    async (req, reply) => {
      await app.db.transaction(async (tx) => {
        const before = await getPlan(tx, req.params.id)
        if (!before) throw new HttpError(404, `Plan ${req.params.id} does not exist.`)
        if (before.status === 'published') throw new HttpError(409, 'The plan is published; archive it before deleting it.', { reason: 'published' })
        await deletePlan(tx, before.id)
        await audit(tx, { userId: req.user.id, action: 'delete', entity: 'plan', entityId: before.id, before })
      })
      return reply.status(204).send(null)
    },
  )

  // ---- edits ----

  const editResponses = { 200: EditResult, ...E, 409: ErrorRef, 422: ErrorRef, 428: ErrorRef }

  app.post(
    '/api/plans/:id/edits',
    {
      onRequest: editors,
      attachValidation: true,
      schema: {
        summary: 'Apply one edit (move, split, merge, create-grid, create-cell, assign, lock, rename); send If-Match: <version>',
        description:
          'One transaction. 409 when If-Match is not the current version (details.currentVersion), 422 with details.reason when a rule is broken. Police may only assign grids to cells and lock/rename/create cells of their own jurisdiction.',
        tags: ['edits'],
        params: PlanIdParams,
        headers: IfMatchHeaders,
        body: EditBody,
        response: editResponses,
      },
    },
    async (req, reply) => {
      if (req.validationError) badEdit(req)
      const ifMatch = parseIfMatch(req.headers['if-match'])
      const dg = await warmGraph(app.db, await planDistrict(app.db, req.params.id))
      const r = await app.db.transaction((tx) => runEdit(tx, dg, req.params.id, ifMatch, req.user, req.body))
      scheduleOutlines(app.db, r.planId)
      reply.header('etag', `"${r.version}"`)
      return r
    },
  )

  for (const kind of ['undo', 'redo'] as const) {
    app.post(
      `/api/plans/:id/${kind}`,
      {
        onRequest: planners,
        schema: {
          summary: kind === 'undo' ? 'Undo the latest edit (replays its inverse); send If-Match' : 'Redo the edit undone last; send If-Match',
          tags: ['edits'],
          params: PlanIdParams,
          headers: IfMatchHeaders,
          response: editResponses,
        },
      },
      async (req, reply) => {
        const ifMatch = parseIfMatch(req.headers['if-match'])
        const dg = await warmGraph(app.db, await planDistrict(app.db, req.params.id))
        const r = await app.db.transaction((tx) => runUndoRedo(tx, dg, req.params.id, ifMatch, req.user, kind))
        scheduleOutlines(app.db, r.planId)
        reply.header('etag', `"${r.version}"`)
        return r
      },
    )
  }

  app.get(
    '/api/plans/:id/edits',
    {
      onRequest: anyRole,
      schema: {
        summary: 'The edit history, newest first',
        tags: ['edits'],
        params: PlanIdParams,
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) }),
        response: { 200: EditLog, ...E },
      },
    },
    async (req) => {
      await mustGetPlan(req.params.id)
      const rows = await listEdits(app.db, req.params.id, req.query.limit ?? 100)
      const { rows: flags } = await app.db.query<{ u: boolean; r: boolean }>(
        `SELECT bool_or(op NOT IN ('undo', 'redo') AND NOT undone) AS u, bool_or(redoable) AS r FROM plan_edits WHERE plan_id = $1`,
        [req.params.id],
      )
      return {
        edits: rows.map((e) => ({ id: e.id, version: e.version, op: e.op, undone: e.undone, userId: e.userId, createdAt: e.createdAt, request: e.payload.request ?? null })),
        canUndo: flags[0]?.u ?? false,
        canRedo: flags[0]?.r ?? false,
      }
    },
  )

  // ---- metrics and comparison ----

  app.get(
    '/api/plans/:id/metrics',
    {
      onRequest: anyRole,
      schema: { summary: 'Per-grid, per-cell and plan metrics with the list of rule violations', tags: ['plans'], params: PlanIdParams, response: { 200: PlanMetricsReply, ...E } },
    },
    async (req, reply) => {
      const head = await planHead(app.db, req.params.id)
      if (!head) throw new HttpError(404, `Plan ${req.params.id} does not exist.`)
      const dg = await warmGraph(app.db, head.districtId)
      const r = await app.db.transaction(async (tx) => {
        const h = (await planHead(tx, req.params.id))!
        return { h, m: await measurePlan(tx, h, undefined, dg) }
      })
      reply.header('etag', `"${r.h.version}"`)
      return { planId: r.h.id, version: r.h.version, params: r.h.params, ...r.m }
    },
  )

  app.get(
    '/api/plans/:a/compare/:b',
    {
      onRequest: anyRole,
      schema: {
        summary: 'Compare two plans of one district: units and people moved, grids added/removed, metric deltas, GeoJSON of changed units',
        tags: ['plans'],
        params: CompareParams,
        response: { 200: CompareReply, ...E, 422: ErrorRef },
      },
    },
    async (req) => comparePlans(app.db, req.params.a, req.params.b),
  )
}
export default plans
