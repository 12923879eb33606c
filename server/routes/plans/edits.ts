/**
 * Plan edits: each request is one transaction that locks the plan row, checks the client's version
 * (If-Match), validates the operation against the rules of DESIGN.md §2 for the grids and cells it
 * touches, applies it as invertible steps (repo/edits.ts), bumps the version, logs the edit with its
 * inverse and an audit row, and returns the new metrics of what it touched.
 *
 * Hard rules are refused with 422 and a reason code the editor translates (web/src/ops REASONS, plus
 * 'not-contiguous', 'code-taken', 'unknown-unit', 'not-in-grid', 'nothing-to-undo'): locked grids and
 * cells, a grid leaving its community, a cell leaving its jurisdiction, a grid falling into more pieces
 * (unless `allowDisconnected`). Soft rules (band, cell size) are accepted and listed as violations.
 */
import type { Queryable } from '../../db/index.js'
import type { AuthUser } from '../../plugins/auth.js'
import { HttpError } from '../../plugins/errors.js'
import { applyStep, commitEdit, lastUndoable, markUndone, nextRedoable, type Step } from '../../repo/edits.js'
import {
  assignments,
  cellList,
  communityOf,
  gridList,
  jurisdictionOf,
  lockPlan,
  planHead,
  refreshGeometry,
  unitsForEdit,
  type CellRow,
  type GridRow,
  type PlanHead,
} from '../../repo/plans.js'
import type { EditBody, EditResult } from '../../schemas/plans.js'
import { assignedUnits, districtGraph, gridPieces, measurePlan, type DistrictGraph, type KnownUnits, type UnitRow } from './measure.js'

function refuse(reason: string, message: string, extra: Record<string, unknown> = {}): never {
  throw new HttpError(422, message, { reason, ...extra })
}

/** `7`, `"7"` or `W/"7"` -> 7. */
export function parseIfMatch(h: string | undefined): number {
  if (h === undefined || h === '') {
    throw new HttpError(428, 'Send the plan version you edited in the If-Match header (e.g. `If-Match: "7"`); get it from GET /api/plans/:id.', {
      field: 'headers.if-match',
      reason: 'required',
    })
  }
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(h)
  if (!m) throw new HttpError(400, `If-Match must be a plan version such as "7", got ${JSON.stringify(h)}.`, { field: 'headers.if-match', reason: 'not a version' })
  return Number(m[1])
}

class Ctx {
  steps: Step[] = []
  inverse: Step[] = []
  /** Grids and cells the edit touched (before or after), and units whose grid it changed. */
  grids = new Set<number>()
  cells = new Set<number>()
  units = new Set<number>()
  created = new Set<number>()
  removed = new Set<number>()
  createdCells = new Set<number>()
  unitsChanged = false
  /**
   * Units (with weights) of the grids in `known.grids`, read once in this transaction and kept up to
   * date by apply(): the contiguity check after the change and the metrics reuse them instead of
   * reading the same rows again. Every write to unit_grids of an edit goes through apply().
   */
  known: KnownUnits = { grids: new Set(), units: new Map() }
  constructor(
    readonly tx: Queryable,
    readonly plan: PlanHead,
    readonly user: AuthUser,
    /** The district's unit graph, fetched once per request before the transaction. */
    readonly dg: DistrictGraph,
  ) {}

  async apply(s: Step): Promise<Step> {
    const { done, inverse } = await applyStep(this.tx, this.plan.id, s)
    this.steps.push(done)
    this.inverse.unshift(inverse)
    for (const x of [done, inverse]) this.touch(x)
    this.track(done)
    if (done.t === 'grid+') (this.created.add(done.grid.id!), this.removed.delete(done.grid.id!))
    if (done.t === 'grid-') (this.removed.add(done.grid.id), this.created.delete(done.grid.id))
    if (done.t === 'cell+') this.createdCells.add(done.cell.id!)
    return done
  }

  /** Keeps `known` equal to the table for the grids it covers. */
  private track(done: Step) {
    const { grids, units } = this.known
    if (done.t === 'units') {
      for (const [u, g] of done.set) {
        const row = units.get(u)
        if (g !== null && grids.has(g)) {
          // a unit from a grid not read yet: its weights are unknown, so read the target again when needed
          if (row) units.set(u, { ...row, gridId: g })
          else forget(this.known, g)
        } else units.delete(u)
      }
    } else if (done.t === 'grid+') grids.add(done.grid.id!) // a new grid has no units yet
    else if (done.t === 'grid-') forget(this.known, done.grid.id)
  }

  private touch(s: Step) {
    switch (s.t) {
      case 'units':
        this.unitsChanged = true
        for (const [u, g] of s.set) {
          this.units.add(u)
          if (g !== null) this.grids.add(g)
        }
        break
      case 'grid-cells':
        for (const [g, c] of s.set) {
          this.grids.add(g)
          if (c !== null) this.cells.add(c)
        }
        this.unitsChanged = true
        break
      case 'grid+':
      case 'grid-':
        if (s.grid.id !== undefined) this.grids.add(s.grid.id)
        break
      case 'cell+':
      case 'cell-':
        if (s.cell.id !== undefined) this.cells.add(s.cell.id)
        break
      case 'grid-attrs':
        this.grids.add(s.id)
        break
      case 'cell-attrs':
        this.cells.add(s.id)
        break
    }
  }

  /** Grid rows of this plan by id; 422 naming `field` when one is missing. */
  async grids_(ids: number[], field: string): Promise<Map<number, GridRow>> {
    const rows = await gridList(this.tx, this.plan.id, ids)
    const m = new Map(rows.map((g) => [g.id, g]))
    const missing = ids.filter((id) => !m.has(id))
    if (missing.length) refuse('unknown-grid', `${field}: grid ${missing.join(', ')} is not in plan ${this.plan.id}.`, { field, ids: missing })
    return m
  }

  async cell(id: number, field: string): Promise<CellRow> {
    const c = (await cellList(this.tx, this.plan.id, [id]))[0]
    if (!c) refuse('unknown-cell', `${field}: police cell ${id} is not in plan ${this.plan.id}.`, { field, ids: [id] })
    return c
  }

  policeJurisdiction(jurisdictionId: number | null, what: string) {
    if (this.user.role === 'police' && jurisdictionId !== this.user.jurisdictionId) {
      throw new HttpError(403, `Police may only change police cells of their own jurisdiction; ${what} is not in it.`, { reason: 'forbidden' })
    }
  }
}

async function currentGrids(ctx: Ctx, units: number[]): Promise<Map<number, number>> {
  const { rows } = await ctx.tx.query<{ u: number; g: number }>(
    'SELECT unit_id AS u, grid_id AS g FROM unit_grids WHERE plan_id = $1 AND unit_id = ANY($2::bigint[])',
    [ctx.plan.id, units],
  )
  return new Map(rows.map((r) => [r.u, r.g]))
}

/** Units must exist in the district, be in `communityId` (when set) and not sit in a locked grid. */
async function checkUnits(ctx: Ctx, units: number[], communityId: number | null, field: string): Promise<Map<number, number>> {
  const infos = await unitsForEdit(ctx.tx, ctx.plan.id, ctx.plan.districtId, units)
  const found = new Set(infos.map((u) => u.id))
  const missing = units.filter((u) => !found.has(u))
  if (missing.length) refuse('unknown-unit', `${field}: unit ${missing.slice(0, 20).join(', ')} is not in this plan's district.`, { field, ids: missing })
  if (communityId !== null) {
    const other = infos.filter((u) => u.communityId !== communityId).map((u) => u.id)
    if (other.length) {
      refuse('cross-community', `${field}: unit ${other.slice(0, 20).join(', ')} belongs to another community; a grid stays inside one community.`, {
        field,
        ids: other,
        suggestion: 'suggestCommunity',
      })
    }
  }
  const locked = new Map(infos.filter((u) => u.gridLocked).map((u) => [u.gridId!, u.gridCode!]))
  if (locked.size) {
    refuse('source-locked', `${field}: grid ${[...locked.values()].join(', ')} is locked; unlock it first.`, {
      field,
      ids: [...locked.keys()],
      suggestion: 'suggestLock',
    })
  }
  return new Map(infos.filter((u) => u.gridId !== null).map((u) => [u.id, u.gridId!]))
}

async function codeTaken(ctx: Ctx, table: 'grids' | 'cells', code: string, except?: number) {
  const { rows } = await ctx.tx.query(`SELECT 1 FROM ${table} WHERE plan_id = $1 AND code = $2 AND ($3::bigint IS NULL OR id <> $3)`, [
    ctx.plan.id,
    code,
    except ?? null,
  ])
  if (rows.length) refuse('code-taken', `code: "${code}" is already used in this plan.`, { field: 'body.code' })
}

function lockedCell(c: CellRow | undefined, field: string) {
  if (c?.locked) refuse('cell-locked', `${field}: police cell ${c.code} is locked; unlock it first.`, { field, ids: [c.id], suggestion: 'suggestLock' })
}

function forget(k: KnownUnits, grid: number) {
  k.grids.delete(grid)
  for (const [u, r] of k.units) if (r.gridId === grid) k.units.delete(u)
}

/** Units of `grids` now: from `ctx.known`, reading (once) the grids it does not cover yet. */
async function unitsOf(ctx: Ctx, grids: number[]): Promise<UnitRow[]> {
  const { known } = ctx
  const missing = [...new Set(grids)].filter((g) => !known.grids.has(g))
  if (missing.length) {
    for (const r of await assignedUnits(ctx.tx, ctx.plan.id, missing)) known.units.set(r.unitId, r)
    for (const g of missing) known.grids.add(g)
  }
  const want = new Set(grids)
  return [...known.units.values()].filter((r) => want.has(r.gridId))
}

/** Pieces of `grids` now, to compare after the change. */
async function pieces(ctx: Ctx, grids: number[]): Promise<Map<number, number>> {
  return gridPieces(ctx.dg, await unitsOf(ctx, grids), grids)
}

async function checkContiguity(ctx: Ctx, before: Map<number, number>, allow: boolean | undefined) {
  if (allow) return
  const grids = [...before.keys()].filter((g) => !ctx.removed.has(g))
  const after = await pieces(ctx, grids)
  const broken = grids.filter((g) => (after.get(g) ?? 0) > Math.max(1, before.get(g) ?? 0))
  if (broken.length) {
    refuse('not-contiguous', `The edit would leave grid ${broken.join(', ')} in several pieces; include the detached units, or send allowDisconnected: true.`, {
      ids: broken,
    })
  }
}

const POLICE_OPS = new Set(['assign', 'create-cell', 'lock', 'rename'])

async function runOp(ctx: Ctx, body: EditBody): Promise<void> {
  const user = ctx.user
  if (user.role === 'police' && (!POLICE_OPS.has(body.op) || ('target' in body && body.target === 'grid'))) {
    throw new HttpError(403, `Police may assign grids to police cells and lock, rename or create cells; "${body.op}" on grids needs a planner.`, { reason: 'forbidden' })
  }
  switch (body.op) {
    case 'move': {
      const units = [...new Set(body.units)]
      if (body.grid === null) {
        // the eraser: units leave their grids (not a locked one) and count as unassigned until painted again
        const current = await checkUnits(ctx, units, null, 'body.units')
        const leaving = units.filter((u) => current.has(u))
        if (!leaving.length) refuse('no-change', 'Every unit is already unassigned.')
        const before = await pieces(ctx, [...new Set(leaving.map((u) => current.get(u)!))])
        await ctx.apply({ t: 'units', set: leaving.map((u) => [u, null]) })
        await checkContiguity(ctx, before, body.allowDisconnected)
        return
      }
      const target = (await ctx.grids_([body.grid], 'body.grid')).get(body.grid)!
      if (target.locked) refuse('grid-locked', `Grid ${target.code} is locked; unlock it first.`, { field: 'body.grid', suggestion: 'suggestLock' })
      const current = await checkUnits(ctx, units, target.communityId, 'body.units')
      const moving = units.filter((u) => current.get(u) !== target.id)
      if (!moving.length) refuse('no-change', `Every unit is already in grid ${target.code}.`)
      const before = await pieces(ctx, [target.id, ...new Set(moving.map((u) => current.get(u)).filter((g): g is number => g !== undefined))])
      await ctx.apply({ t: 'units', set: moving.map((u) => [u, target.id]) })
      await checkContiguity(ctx, before, body.allowDisconnected)
      return
    }
    case 'split': {
      const grid = (await ctx.grids_([body.grid], 'body.grid')).get(body.grid)!
      if (grid.locked) refuse('grid-locked', `Grid ${grid.code} is locked; unlock it first.`, { field: 'body.grid', suggestion: 'suggestLock' })
      const units = [...new Set(body.units)]
      const current = await currentGrids(ctx, units)
      const outside = units.filter((u) => current.get(u) !== grid.id)
      if (outside.length) refuse('not-in-grid', `body.units: unit ${outside.slice(0, 20).join(', ')} is not in grid ${grid.code}.`, { field: 'body.units', ids: outside })
      const all = await assignments(ctx.tx, ctx.plan.id, [grid.id])
      if (units.length >= all.length) refuse('split-all', `Select only some of grid ${grid.code}'s units; the rest stay in it.`, { field: 'body.units' })
      let code = body.code
      if (code === undefined) {
        const { rows } = await ctx.tx.query<{ code: string }>('SELECT code FROM grids WHERE plan_id = $1', [ctx.plan.id])
        const codes = new Set(rows.map((r) => r.code))
        let k = 2
        while (codes.has(`${grid.code}-${k}`)) k++
        code = `${grid.code}-${k}`
      } else await codeTaken(ctx, 'grids', code)
      if (grid.cellId !== null) lockedCell((await cellList(ctx.tx, ctx.plan.id, [grid.cellId]))[0], 'body.grid')
      const before = await pieces(ctx, [grid.id])
      const made = await ctx.apply({ t: 'grid+', grid: { code, name: body.name ?? null, communityId: grid.communityId, locked: false } })
      const id = (made as Extract<Step, { t: 'grid+' }>).grid.id!
      if (grid.cellId !== null) await ctx.apply({ t: 'grid-cells', set: [[id, grid.cellId]] })
      await ctx.apply({ t: 'units', set: units.map((u) => [u, id]) })
      before.set(id, 0)
      await checkContiguity(ctx, before, body.allowDisconnected)
      return
    }
    case 'merge': {
      const others = [...new Set(body.grids)].filter((g) => g !== body.into)
      if (!others.length) refuse('same-grid', 'body.grids: name at least one grid other than `into`.', { field: 'body.grids' })
      const rows = await ctx.grids_([body.into, ...others], 'body.grids')
      const into = rows.get(body.into)!
      const locked = [...rows.values()].filter((g) => g.locked)
      if (locked.length) refuse('grid-locked', `Grid ${locked.map((g) => g.code).join(', ')} is locked; unlock it first.`, { ids: locked.map((g) => g.id), suggestion: 'suggestLock' })
      const foreign = others.filter((g) => rows.get(g)!.communityId !== into.communityId)
      if (foreign.length) refuse('cross-community', `Grid ${foreign.map((g) => rows.get(g)!.code).join(', ')} is in another community than ${into.code}.`, { field: 'body.grids', ids: foreign, suggestion: 'suggestCommunity' })
      const cellIds = [...new Set([...rows.values()].map((g) => g.cellId).filter((c): c is number => c !== null))]
      for (const c of cellIds.length ? await cellList(ctx.tx, ctx.plan.id, cellIds) : []) lockedCell(c, 'body.grids')
      const before = await pieces(ctx, [into.id])
      const moving = await assignments(ctx.tx, ctx.plan.id, others)
      if (moving.length) await ctx.apply({ t: 'units', set: moving.map((r) => [r.unitId, into.id]) })
      const inCells = others.filter((g) => rows.get(g)!.cellId !== null)
      if (inCells.length) await ctx.apply({ t: 'grid-cells', set: inCells.map((g) => [g, null]) })
      for (const g of others) {
        const r = rows.get(g)!
        await ctx.apply({ t: 'grid-', grid: { id: r.id, code: r.code, name: r.name, communityId: r.communityId, locked: r.locked } })
      }
      await checkContiguity(ctx, before, body.allowDisconnected)
      return
    }
    case 'create-grid': {
      const community = await communityOf(ctx.tx, body.communityId)
      if (!community || community.districtId !== ctx.plan.districtId) {
        refuse('unknown-community', `body.communityId: community ${body.communityId} is not in this plan's district.`, { field: 'body.communityId' })
      }
      await codeTaken(ctx, 'grids', body.code)
      const units = [...new Set(body.units ?? [])]
      const current = units.length ? await checkUnits(ctx, units, body.communityId, 'body.units') : new Map<number, number>()
      const before = await pieces(ctx, [...new Set(current.values())])
      const made = await ctx.apply({ t: 'grid+', grid: { code: body.code, name: body.name ?? null, communityId: body.communityId, locked: false } })
      const id = (made as Extract<Step, { t: 'grid+' }>).grid.id!
      if (units.length) await ctx.apply({ t: 'units', set: units.map((u) => [u, id]) })
      before.set(id, 0)
      await checkContiguity(ctx, before, body.allowDisconnected)
      return
    }
    case 'create-cell': {
      const j = await jurisdictionOf(ctx.tx, body.jurisdictionId)
      if (!j || j.districtId !== ctx.plan.districtId) {
        refuse('unknown-jurisdiction', `body.jurisdictionId: jurisdiction ${body.jurisdictionId} is not in this plan's district.`, { field: 'body.jurisdictionId' })
      }
      ctx.policeJurisdiction(body.jurisdictionId, `jurisdiction ${body.jurisdictionId}`)
      await codeTaken(ctx, 'cells', body.code)
      await ctx.apply({ t: 'cell+', cell: { code: body.code, name: body.name ?? null, jurisdictionId: body.jurisdictionId, locked: false } })
      return
    }
    case 'assign': {
      const ids = [...new Set(body.grids)]
      const rows = await ctx.grids_(ids, 'body.grids')
      const cell = body.cell === null ? null : await ctx.cell(body.cell, 'body.cell')
      lockedCell(cell ?? undefined, 'body.cell')
      if (cell) ctx.policeJurisdiction(cell.jurisdictionId, `police cell ${cell.code}`)
      for (const g of rows.values()) {
        if (g.locked) refuse('grid-locked', `Grid ${g.code} is locked; unlock it first.`, { field: 'body.grids', ids: [g.id], suggestion: 'suggestLock' })
        ctx.policeJurisdiction(g.jurisdictionId, `grid ${g.code}`)
        if (cell && cell.jurisdictionId !== null && g.jurisdictionId !== cell.jurisdictionId) {
          refuse('cross-jurisdiction', `Grid ${g.code} is in another jurisdiction than police cell ${cell.code}; a cell stays inside one jurisdiction.`, {
            field: 'body.grids',
            ids: [g.id],
          })
        }
      }
      const fromCells = [...new Set([...rows.values()].map((g) => g.cellId).filter((c): c is number => c !== null))]
      for (const c of fromCells.length ? await cellList(ctx.tx, ctx.plan.id, fromCells) : []) {
        lockedCell(c, 'body.grids')
        ctx.policeJurisdiction(c.jurisdictionId, `police cell ${c.code}`)
      }
      const changing = ids.filter((g) => rows.get(g)!.cellId !== (cell?.id ?? null))
      if (!changing.length) refuse('no-change', 'Every grid is already in that police cell.')
      await ctx.apply({ t: 'grid-cells', set: changing.map((g) => [g, cell?.id ?? null]) })
      return
    }
    case 'lock': {
      const ids = [...new Set(body.ids)]
      if (body.target === 'grid') {
        const rows = await ctx.grids_(ids, 'body.ids')
        const changing = ids.filter((g) => rows.get(g)!.locked !== body.locked)
        if (!changing.length) refuse('no-change', `Every grid is already ${body.locked ? 'locked' : 'unlocked'}.`)
        for (const g of changing) await ctx.apply({ t: 'grid-attrs', id: g, set: { locked: body.locked } })
      } else {
        const rows = await cellList(ctx.tx, ctx.plan.id, ids)
        const missing = ids.filter((c) => !rows.some((r) => r.id === c))
        if (missing.length) refuse('unknown-cell', `body.ids: police cell ${missing.join(', ')} is not in plan ${ctx.plan.id}.`, { field: 'body.ids', ids: missing })
        for (const c of rows) ctx.policeJurisdiction(c.jurisdictionId, `police cell ${c.code}`)
        const changing = rows.filter((c) => c.locked !== body.locked)
        if (!changing.length) refuse('no-change', `Every police cell is already ${body.locked ? 'locked' : 'unlocked'}.`)
        for (const c of changing) await ctx.apply({ t: 'cell-attrs', id: c.id, set: { locked: body.locked } })
      }
      return
    }
    case 'rename': {
      if (body.code === undefined && body.name === undefined) refuse('no-change', 'Send code, name or both.', { field: 'body' })
      const set: { code?: string; name?: string | null } = {}
      if (body.code !== undefined) set.code = body.code
      if (body.name !== undefined) set.name = body.name
      if (body.target === 'grid') {
        await ctx.grids_([body.id], 'body.id')
        if (body.code !== undefined) await codeTaken(ctx, 'grids', body.code, body.id)
        await ctx.apply({ t: 'grid-attrs', id: body.id, set })
      } else {
        const c = await ctx.cell(body.id, 'body.id')
        ctx.policeJurisdiction(c.jurisdictionId, `police cell ${c.code}`)
        if (body.code !== undefined) await codeTaken(ctx, 'cells', body.code, body.id)
        await ctx.apply({ t: 'cell-attrs', id: body.id, set })
      }
      return
    }
  }
}

/** plan id -> district id: a plan never changes district and ids are never reused, so edits skip re-reading it. */
const districtOfPlan = new Map<number, number>()
const MAX_CACHED_PLANS = 10_000

/** The district of plan `planId` (cached; the edit's transaction re-checks the plan under its row lock); 404 when there is no such plan. */
export async function planDistrict(db: Queryable, planId: number): Promise<number> {
  const hit = districtOfPlan.get(planId)
  if (hit !== undefined) return hit
  const head = await planHead(db, planId)
  if (!head) throw new HttpError(404, `Plan ${planId} does not exist.`)
  if (districtOfPlan.size >= MAX_CACHED_PLANS) districtOfPlan.clear()
  districtOfPlan.set(planId, head.districtId)
  return head.districtId
}

function checkEditable(plan: PlanHead | undefined, planId: number, ifMatch: number): PlanHead {
  if (!plan) {
    districtOfPlan.delete(planId)
    throw new HttpError(404, `Plan ${planId} does not exist.`)
  }
  if (plan.version !== ifMatch) {
    throw new HttpError(409, `The plan changed since you loaded it: you sent version ${ifMatch}, it is now ${plan.version}. Reload and redo the edit.`, {
      reason: 'stale',
      currentVersion: plan.version,
    })
  }
  if (plan.status !== 'draft') {
    throw new HttpError(409, `The plan is ${plan.status}; only draft plans can be edited. Copy it to make changes.`, { reason: 'not-draft', currentVersion: plan.version })
  }
  return plan
}

/** Version bump, edit log, audit row, outlines and metrics shared by edits, undo and redo. */
async function finish(ctx: Ctx, op: string, request: unknown, extra: { editId?: number } = {}, outlines: 'clear' | 'dissolve' = 'clear'): Promise<EditResult> {
  const { tx, plan } = ctx
  if (!ctx.steps.length) refuse('no-change', 'The edit changes nothing.')
  const version = plan.version + 1
  const grids = [...ctx.grids].filter((g) => !ctx.removed.has(g))
  // Version, edit log, audit row and the touched grid and cell rows in one round trip; outlines are dissolved after
  // the commit (outlines.ts) and until then readers dissolve them from units.
  const { editId, cells: cellRows, grids: gridRows } = await commitEdit(tx, {
    planId: plan.id,
    expectVersion: version,
    endRedo: op !== 'undo' && op !== 'redo',
    op,
    payload: { request, steps: ctx.steps, ...extra },
    inverse: { steps: ctx.inverse },
    userId: ctx.user.id,
    audit: { action: `edit.${op}`, before: { version: plan.version, steps: ctx.inverse }, after: { version, steps: ctx.steps, request } },
    grids,
    cells: [...ctx.cells],
    units: [...ctx.units],
    clearOutlines: ctx.unitsChanged && outlines === 'clear',
  })
  const cells = cellRows.map((c) => c.id)
  if (ctx.unitsChanged && outlines === 'dissolve') await refreshGeometry(tx, plan.id, grids, cells)
  const m = await measurePlan(tx, plan, { grids, cells, cellRows, gridRows }, ctx.dg, ctx.known)
  return {
    planId: plan.id,
    version,
    editId,
    op,
    grids: m.grids,
    cells: m.cells,
    violations: m.violations,
    removedGrids: [...ctx.removed],
    createdGrids: [...ctx.created],
    createdCells: [...ctx.createdCells],
  }
}

export async function runEdit(tx: Queryable, dg: DistrictGraph, planId: number, ifMatch: number, user: AuthUser, body: EditBody): Promise<EditResult> {
  const plan = checkEditable(await lockPlan(tx, planId), planId, ifMatch)
  const ctx = new Ctx(tx, plan, user, dg)
  await runOp(ctx, body)
  return finish(ctx, body.op, body)
}

/** Undo replays the inverse of the latest edit not yet undone; redo re-applies the edit undone last. */
export async function runUndoRedo(tx: Queryable, dg: DistrictGraph, planId: number, ifMatch: number, user: AuthUser, kind: 'undo' | 'redo'): Promise<EditResult> {
  const plan = checkEditable(await lockPlan(tx, planId), planId, ifMatch)
  const edit = kind === 'undo' ? await lastUndoable(tx, planId) : await nextRedoable(tx, planId)
  if (!edit) refuse(`nothing-to-${kind}`, `There is nothing to ${kind} in plan ${planId}.`)
  const ctx = new Ctx(tx, plan, user, dg)
  for (const s of kind === 'undo' ? edit.inverse.steps : edit.payload.steps) await ctx.apply(s)
  await markUndone(tx, edit.id, kind === 'undo')
  return finish(ctx, kind, { editId: edit.id, version: edit.version, op: edit.op }, { editId: edit.id })
}

/** The district graph, fetched outside the transaction so a first edit does not hold the plan lock while it builds. */
export async function warmGraph(db: Queryable, districtId: number): Promise<DistrictGraph> {
  return districtGraph(db, districtId)
}

/**
 * A change made of steps built by the caller (jobs writing their result): the same version check,
 * edit log, audit row and metrics as an edit, in the caller's transaction.
 */
export async function runSteps(
  tx: Queryable,
  dg: DistrictGraph,
  planId: number,
  expectedVersion: number,
  user: AuthUser,
  op: string,
  request: unknown,
  build: (apply: (s: Step) => Promise<Step>) => Promise<void>,
): Promise<EditResult> {
  const plan = checkEditable(await lockPlan(tx, planId), planId, expectedVersion)
  const ctx = new Ctx(tx, plan, user, dg)
  await build((s) => ctx.apply(s))
  // A job is not latency-bound: it dissolves its (many) outlines in its own transaction.
  return finish(ctx, op, request, {}, 'dissolve')
}
