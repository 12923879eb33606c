/**
 * Long work (automatic partition, police cells, rebalance) as pg-boss jobs, with progress in the `jobs`
 * table. The engine runs in a worker thread; the result is written at the end in ONE transaction that
 * also checks the plan still has the version the job started from, so a job that dies or is cancelled
 * mid-run leaves the plan exactly as it was, and an edit made meanwhile is never overwritten.
 *
 * pg-boss talks to the database through the same `Db` (PostgreSQL pool or embedded PGlite).
 */
import { randomUUID } from 'node:crypto'
import PgBoss from 'pg-boss'
import type { Db } from '../db/index.js'
import { HttpError } from '../plugins/errors.js'
import type { AuthUser } from '../plugins/auth.js'
import { gridCodes, cellCodes } from '../../geo/coding/index.js'
import {
  cancelRequested,
  finishJob,
  getJob,
  insertJob,
  parentCodes,
  requestCancel,
  setBossId,
  setProgress,
  startJob,
  type JobKind,
  type JobRow,
} from '../repo/jobs.js'
import { assignments, cellList, gridList, planHead, unitsOfDistrict } from '../repo/plans.js'
import type { Step } from '../repo/edits.js'
import { districtGraph } from '../routes/plans/measure.js'
import { runSteps } from '../routes/plans/edits.js'
import type { EngineInput, EngineOutput } from './engine.js'
import { runInWorker } from './run.js'
import { keepJobAlive, sweepOrphans } from './heartbeat.js'

const QUEUE = 'gridweave-plan-jobs'

export interface JobParams {
  min?: number
  max?: number
  target?: number
  seed?: number
  cells?: number
  timeBudgetMs?: number
}

export interface RunnerOptions {
  /** Process queued jobs in this process (default true); false = only enqueue (API-only replicas). */
  work?: boolean
  /** Test hook: awaited after the engine finished and before the result is written. */
  beforeWrite?: (jobId: string) => Promise<void>
}

/** pg-boss over our Db: parameterised statements go through `query`; multi-statement DDL through `exec`. */
function bossDb(db: Db) {
  return {
    async executeSql(text: string, values?: unknown[]) {
      if (values && values.length) return db.query(text, values)
      try {
        return await db.query(text)
      } catch (err) {
        if (!/multiple commands|cannot insert multiple/i.test(String((err as Error).message))) throw err
        await db.exec(text)
        return { rows: [] }
      }
    },
  }
}

export class JobRunner {
  private boss: PgBoss | null = null
  private starting: Promise<void> | null = null
  private running = new Map<string, AbortController>()
  /** Heartbeats of this runner's jobs (see heartbeat.ts); dropped at stop as a crash would drop them. */
  private beats = new Map<string, () => void>()
  private stopSweep: () => void = () => {}
  private stopped = false
  private workerId: string | null = null

  constructor(
    private readonly db: Db,
    private opts: RunnerOptions = {},
  ) {}

  /** Test hooks and options; call before the first job. */
  configure(opts: RunnerOptions) {
    this.opts = { ...this.opts, ...opts }
  }

  get isStopped() {
    return this.stopped
  }

  /** Starts pg-boss (creating its schema on first use) and, unless disabled, a worker. Idempotent. */
  start(): Promise<void> {
    return (this.starting ??= (async () => {
      const boss = new PgBoss({ db: bossDb(this.db), schema: 'pgboss', schedule: false, supervise: true, migrate: true } as never)
      boss.on('error', () => {})
      await boss.start()
      await boss.createQueue(QUEUE, { name: QUEUE, retryLimit: 0, expireInSeconds: 3600 } as never)
      this.boss = boss
      // Jobs of a process that died (SIGKILL, crash) are failed: at once on the embedded database, once
      // their heartbeat is stale on PostgreSQL (other replicas may be running theirs).
      this.stopSweep = await sweepOrphans(this.db)
      if (this.opts.work !== false) {
        this.workerId = await boss.work<{ jobId: string }>(QUEUE, { pollingIntervalSeconds: 0.5, batchSize: 1 }, async ([job]) => {
          await this.process(job.data.jobId)
        })
      }
    })())
  }

  /** Records the job and queues it. */
  async enqueue(kind: JobKind, planId: number, params: JobParams, userId: number | null): Promise<JobRow> {
    await this.start()
    const id = randomUUID()
    const row = await insertJob(this.db, { id, kind, planId, params, createdBy: userId })
    const bossId = await this.boss!.send(QUEUE, { jobId: id })
    await setBossId(this.db, id, bossId)
    if (this.workerId) this.boss!.notifyWorker(this.workerId)
    return row
  }

  async cancel(id: string): Promise<JobRow | undefined> {
    const row = await requestCancel(this.db, id)
    this.running.get(id)?.abort()
    return row
  }

  /**
   * Stops at once, as a crash would: engine threads are terminated and nothing more is written (a job
   * cut off this way stays 'running' until the next start marks it failed).
   */
  async stop(): Promise<void> {
    this.stopped = true
    this.stopSweep()
    for (const release of this.beats.values()) release()
    this.beats.clear()
    for (const c of this.running.values()) c.abort()
    if (this.starting) await this.starting.catch(() => {})
    await this.boss?.stop({ graceful: false, wait: true, close: false } as never).catch(() => {})
  }

  private async process(jobId: string): Promise<void> {
    if (this.stopped) return
    this.beats.set(jobId, keepJobAlive(this.db, jobId))
    if (!(await startJob(this.db, jobId))) return this.release(jobId)
    const job = (await getJob(this.db, jobId))!
    const abort = new AbortController()
    this.running.set(jobId, abort)
    const poll = setInterval(() => {
      cancelRequested(this.db, jobId).then(
        (c) => c && abort.abort(),
        () => {},
      )
    }, 300)
    try {
      const result = await this.execute(job, abort.signal)
      if (this.stopped) return
      await finishJob(this.db, jobId, 'succeeded', { result, message: 'done' })
    } catch (err) {
      if (this.stopped) return
      if (abort.signal.aborted) await finishJob(this.db, jobId, 'cancelled', { message: 'cancelled; the plan was not changed' })
      else {
        const message = err instanceof Error ? err.message : String(err)
        await finishJob(this.db, jobId, 'failed', { error: message, message: 'failed; the plan was not changed' })
      }
    } finally {
      clearInterval(poll)
      this.running.delete(jobId)
      this.release(jobId)
    }
  }

  private release(jobId: string) {
    this.beats.get(jobId)?.()
    this.beats.delete(jobId)
  }

  private async execute(job: JobRow, signal: AbortSignal) {
    const head = await planHead(this.db, job.planId!)
    if (!head) throw new Error(`plan ${job.planId} no longer exists`)
    const startVersion = head.version
    const params = { ...head.params, ...(job.params as JobParams) } as JobParams & { weight?: string; cellMin?: number; cellMax?: number }
    await setProgress(this.db, job.id, 0.05, 'reading the plan')
    const dg = await districtGraph(this.db, head.districtId)
    const n = dg.graph.n
    const units = await unitsOfDistrict(this.db, head.districtId)
    const weights = new Float64Array(n)
    for (const u of units) {
      const v = dg.node.get(u.id)
      if (v !== undefined) weights[v] = params.weight === 'households' ? u.households : u.population
    }
    const grids = await gridList(this.db, head.id)
    const gridIdx = new Map(grids.map((g, i) => [g.id, i]))
    const unitGrid = new Int32Array(n).fill(-1)
    for (const a of await assignments(this.db, head.id)) {
      const v = dg.node.get(a.unitId)
      const gi = gridIdx.get(a.gridId)
      if (v !== undefined && gi !== undefined) unitGrid[v] = gi
    }
    const seed = params.seed ?? 1
    const timeBudgetMs = Math.min(params.timeBudgetMs ?? 30_000, 600_000)
    let input: EngineInput
    const cells = job.kind === 'cells' ? await cellList(this.db, head.id) : []
    if (job.kind === 'cells') {
      const jIdx = new Map<number, number>()
      const cIdx = new Map<number, number>()
      const cellIdx = new Map(cells.map((c, i) => [c.id, i]))
      input = {
        kind: 'cells',
        graph: dg.graph,
        weights,
        unitGrid,
        grids: grids.length,
        gridJurisdiction: Int32Array.from(grids, (g) => (jIdx.has(g.jurisdictionId ?? -1) ? jIdx : jIdx.set(g.jurisdictionId ?? -1, jIdx.size)).get(g.jurisdictionId ?? -1)!),
        gridCommunity: Int32Array.from(grids, (g) => (cIdx.has(g.communityId ?? -1) ? cIdx : cIdx.set(g.communityId ?? -1, cIdx.size)).get(g.communityId ?? -1)!),
        cellLock: Int32Array.from(grids, (g) => (g.cellId !== null && cells[cellIdx.get(g.cellId)!]?.locked ? cellIdx.get(g.cellId)! : -1)),
        // grids per cell: the job's own min/max, else the plan's cellMin/cellMax (the plan's min/max are the grid band)
        min: (job.params as JobParams).min ?? params.cellMin ?? 5,
        max: (job.params as JobParams).max ?? params.cellMax ?? 6,
        cells: params.cells,
        seed,
        timeBudgetMs,
      }
    } else {
      if (params.min === undefined || params.max === undefined) throw new Error('min and max (the grid band) are needed, in the job or in the plan params')
      input = {
        kind: job.kind as 'partition' | 'rebalance',
        graph: dg.graph,
        weights,
        min: params.min,
        max: params.max,
        target: params.target,
        seed,
        timeBudgetMs,
        lock: Int32Array.from(unitGrid, (gi) => (gi >= 0 && grids[gi].locked ? gi : -1)),
        initial: job.kind === 'rebalance' ? unitGrid : undefined,
      }
    }
    await setProgress(this.db, job.id, 0.2, `running the ${job.kind} engine`)
    const out = await runInWorker(input, signal)
    if (signal.aborted) throw new Error('cancelled')
    await setProgress(this.db, job.id, 0.9, 'writing the result')
    await this.opts.beforeWrite?.(job.id)
    if (signal.aborted || this.stopped) throw new Error('cancelled')
    const codes = await parentCodes(this.db, head.districtId)
    // The edit is logged as made by whoever started the job (null when that user was deleted since).
    const user = { id: job.createdBy, username: 'job', role: 'planner', jurisdictionId: null } as unknown as AuthUser
    try {
      const r = await this.db.transaction((tx) =>
        runSteps(tx, dg, head.id, startVersion, user, job.kind, { jobId: job.id, params }, async (apply) => {
          if (job.kind === 'cells') await writeCells(apply, out, grids, cells, codes, dg.graph)
          else await writeGrids(apply, out, grids, unitGrid, dg.unitIds, units, codes, dg.graph, job.kind === 'rebalance')
        }),
      )
      return {
        version: r.version,
        editId: r.editId,
        parts: out.parts,
        exceptions: out.exceptions.slice(0, 50).map((e) => ({ code: e.code, parent: e.parent, message: e.message })),
        exceptionCount: out.exceptions.length,
        violations: r.violations.length,
        feasibility: out.feasibility ?? null,
      }
    } catch (err) {
      if (err instanceof HttpError && (err.details as { reason?: string })?.reason === 'no-change') {
        return { version: startVersion, editId: null, parts: out.parts, exceptions: [], exceptionCount: out.exceptions.length, violations: 0, unchanged: true }
      }
      if (err instanceof HttpError) throw new Error(err.message)
      throw err
    }
  }
}

type Apply = (s: Step) => Promise<Step>
type Codes = Awaited<ReturnType<typeof parentCodes>>
type Grids = Awaited<ReturnType<typeof gridList>>

/** Partition/rebalance result -> steps: keep locked grids (and, in rebalance, continued ones), replace the rest. */
async function writeGrids(
  apply: Apply,
  out: EngineOutput,
  grids: Grids,
  unitGrid: Int32Array,
  unitIds: number[],
  units: { id: number; communityId: number | null }[],
  codes: Codes,
  graph: { x: Float64Array; y: Float64Array },
  rebalance: boolean,
) {
  const n = unitIds.length
  const communityOf = new Map(units.map((u) => [u.id, u.communityId]))
  // Which existing grid each part continues.
  const keep = new Map<number, number>()
  const votes = new Map<number, Map<number, number>>()
  for (let v = 0; v < n; v++) {
    const gi = unitGrid[v]
    const p = out.assignment[v]
    if (gi < 0 || p < 0) continue
    if (grids[gi].locked || rebalance) {
      const m = votes.get(p) ?? new Map<number, number>()
      m.set(gi, (m.get(gi) ?? 0) + 1)
      votes.set(p, m)
    }
  }
  const taken = new Set<number>()
  for (const [p, m] of votes) {
    const [gi] = [...m.entries()].sort((a, b) => b[1] - a[1])[0]
    if (!taken.has(gi)) (keep.set(p, grids[gi].id), taken.add(gi))
  }
  const dropped = grids.filter((g, i) => !taken.has(i) && !g.locked)
  // Parts without a grid: community by majority, centroid for the code order.
  const fresh = new Map<number, { community: Map<number | null, number>; x: number; y: number; k: number }>()
  for (let v = 0; v < n; v++) {
    const p = out.assignment[v]
    if (p < 0 || keep.has(p)) continue
    const f = fresh.get(p) ?? { community: new Map(), x: 0, y: 0, k: 0 }
    const c = communityOf.get(unitIds[v]) ?? null
    f.community.set(c, (f.community.get(c) ?? 0) + 1)
    f.x += graph.x[v]
    f.y += graph.y[v]
    f.k++
    fresh.set(p, f)
  }
  const codeOf = new Map(codes.map((c) => [c.id, c.code]))
  const parts = [...fresh.entries()].map(([p, f]) => ({ p, community: [...f.community.entries()].sort((a, b) => b[1] - a[1])[0][0], x: f.x / f.k, y: f.y / f.k }))
  const kept = grids.filter((_, i) => taken.has(i) || grids[i].locked)
  const items = [
    ...kept.map((g) => ({ parentCode: codeOf.get(g.communityId ?? -1) ?? 'X', x: 0, y: 0, previous: g.code })),
    ...parts.map((q) => ({ parentCode: codeOf.get(q.community ?? -1) ?? 'X', x: q.x, y: q.y, previous: null })),
  ]
  const newCodes = gridCodes(items).codes.slice(kept.length)

  // 1. Units of dropped grids leave them; the grids leave their cells and go.
  const droppedIds = new Set(dropped.map((g) => g.id))
  const leaving: [number, null][] = []
  for (let v = 0; v < n; v++) if (unitGrid[v] >= 0 && droppedIds.has(grids[unitGrid[v]].id)) leaving.push([unitIds[v], null])
  if (leaving.length) await apply({ t: 'units', set: leaving })
  const inCells = dropped.filter((g) => g.cellId !== null)
  if (inCells.length) await apply({ t: 'grid-cells', set: inCells.map((g) => [g.id, null]) })
  for (const g of dropped) await apply({ t: 'grid-', grid: { id: g.id, code: g.code, name: g.name, communityId: g.communityId, locked: g.locked } })
  // 2. New grids, then every unit whose grid changed.
  const partGrid = new Map(keep)
  for (let i = 0; i < parts.length; i++) {
    const made = (await apply({ t: 'grid+', grid: { code: newCodes[i], name: null, communityId: parts[i].community, locked: false } })) as Extract<Step, { t: 'grid+' }>
    partGrid.set(parts[i].p, made.grid.id!)
  }
  const set: [number, number | null][] = []
  for (let v = 0; v < n; v++) {
    const p = out.assignment[v]
    const g = p >= 0 ? partGrid.get(p)! : null
    const before = unitGrid[v] >= 0 && !droppedIds.has(grids[unitGrid[v]].id) ? grids[unitGrid[v]].id : null
    if (g !== before) set.push([unitIds[v], g])
  }
  if (set.length) await apply({ t: 'units', set })
}

/** Cells result (cell per grid) -> steps: locked cells stay, other cells are replaced. */
async function writeCells(apply: Apply, out: EngineOutput, grids: Grids, cells: Awaited<ReturnType<typeof cellList>>, codes: Codes, graph: { x: Float64Array }) {
  void graph
  const lockedIdx = new Set(cells.map((c, i) => (c.locked ? i : -1)).filter((i) => i >= 0))
  // A part holding a locked cell's grids is that cell.
  const partCell = new Map<number, number>()
  grids.forEach((g, gi) => {
    const ci = g.cellId === null ? -1 : cells.findIndex((c) => c.id === g.cellId)
    if (ci >= 0 && lockedIdx.has(ci)) partCell.set(out.assignment[gi], cells[ci].id)
  })
  const dropped = cells.filter((c) => !c.locked)
  const droppedIds = new Set(dropped.map((c) => c.id))
  const leaving = grids.filter((g) => g.cellId !== null && droppedIds.has(g.cellId))
  if (leaving.length) await apply({ t: 'grid-cells', set: leaving.map((g) => [g.id, null]) })
  for (const c of dropped) await apply({ t: 'cell-', cell: { id: c.id, code: c.code, name: c.name, jurisdictionId: c.jurisdictionId, locked: c.locked } })
  const jcode = new Map(codes.map((c) => [c.jid, c.jcode]))
  const fresh = [...new Set(out.assignment)].filter((p) => p >= 0 && !partCell.has(p)).sort((a, b) => a - b)
  const jur = (p: number) => grids.find((_, gi) => out.assignment[gi] === p)?.jurisdictionId ?? null
  const items = [
    ...cells.filter((c) => c.locked).map((c) => ({ parentCode: jcode.get(c.jurisdictionId ?? -1) ?? 'X', x: 0, y: 0, previous: c.code })),
    ...fresh.map((p) => ({ parentCode: jcode.get(jur(p) ?? -1) ?? 'X', x: 0, y: 0, previous: null })),
  ]
  const newCodes = cellCodes(items).codes.slice(items.length - fresh.length)
  for (let i = 0; i < fresh.length; i++) {
    const made = (await apply({ t: 'cell+', cell: { code: newCodes[i], name: null, jurisdictionId: jur(fresh[i]), locked: false } })) as Extract<Step, { t: 'cell+' }>
    partCell.set(fresh[i], made.cell.id!)
  }
  const set: [number, number | null][] = []
  grids.forEach((g, gi) => {
    const p = out.assignment[gi]
    const c = p >= 0 ? partCell.get(p) ?? null : null
    const before = g.cellId !== null && !droppedIds.has(g.cellId) ? g.cellId : null
    if (c !== before) set.push([g.id, c])
  })
  if (set.length) await apply({ t: 'grid-cells', set })
}

const runners = new WeakMap<Db, JobRunner>()

/** The one job runner of a database (routes, main.ts and tests share it). */
export function jobRunnerFor(db: Db, opts?: RunnerOptions): JobRunner {
  let r = runners.get(db)
  if (!r) runners.set(db, (r = new JobRunner(db, opts)))
  return r
}

/** For main.ts: start processing queued jobs at boot (also marks jobs left running by a crash as failed). */
export async function startJobWorker(db: Db, opts?: RunnerOptions): Promise<JobRunner> {
  const r = jobRunnerFor(db, opts)
  await r.start()
  return r
}
