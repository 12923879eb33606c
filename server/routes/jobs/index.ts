import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ErrorRef } from '../../schemas/common.js'
import { CreateJob, Job, JobIdParams, JobList } from '../../schemas/jobs.js'
import { PlanIdParams } from '../../schemas/plans.js'
import { getJob, listJobs, type JobRow } from '../../repo/jobs.js'
import { planHead } from '../../repo/plans.js'
import { HttpError } from '../../plugins/errors.js'
import { jobRunnerFor } from '../../jobs/index.js'

const E = { 400: ErrorRef, 401: ErrorRef, 403: ErrorRef, 404: ErrorRef, 500: ErrorRef }
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled'])

const jobs: FastifyPluginAsyncTypebox = async (app) => {
  const anyRole = app.requireRole('admin', 'planner', 'police', 'analyst')
  const planners = app.requireRole('admin', 'planner')
  const runner = () => jobRunnerFor(app.db)
  app.addHook('onClose', async () => {
    await jobRunnerFor(app.db).stop()
  })

  async function mustGetJob(id: string): Promise<JobRow> {
    const j = await getJob(app.db, id)
    if (!j) throw new HttpError(404, `Job ${id} does not exist.`)
    return j
  }

  app.post(
    '/api/plans/:id/jobs',
    {
      onRequest: planners,
      schema: {
        summary: 'Start an automatic partition, police cells or rebalance job on a draft plan',
        description: 'Answers 202 at once; follow GET /api/jobs/:id or its events. The result is written in one transaction at the end, only if the plan did not change meanwhile.',
        tags: ['jobs'],
        params: PlanIdParams,
        body: CreateJob,
        response: { 202: Job, ...E, 409: ErrorRef, 422: ErrorRef },
      },
    },
    async (req, reply) => {
      const head = await planHead(app.db, req.params.id)
      if (!head) throw new HttpError(404, `Plan ${req.params.id} does not exist.`)
      if (head.status !== 'draft') throw new HttpError(409, `The plan is ${head.status}; jobs change only draft plans. Copy it first.`, { reason: 'not-draft' })
      const p = { ...head.params, ...req.body.params }
      if (req.body.kind !== 'cells') {
        if (p.min === undefined || p.max === undefined) {
          throw new HttpError(422, 'params.min and params.max (the grid band) are needed, in the job or in the plan params.', { field: 'body.params.min', reason: 'required' })
        }
        if (!(p.max > 0 && p.min <= p.max)) throw new HttpError(422, 'params.min must not exceed params.max, and max must be > 0.', { field: 'body.params.max', reason: 'bad band' })
      } else if (req.body.params?.min !== undefined && req.body.params?.max !== undefined && req.body.params.min > req.body.params.max) {
        throw new HttpError(422, 'params.min must not exceed params.max.', { field: 'body.params.max', reason: 'bad band' })
      }
      const job = await runner().enqueue(req.body.kind, head.id, req.body.params ?? {}, req.user.id)
      reply.status(202)
      return job
    },
  )

  app.get(
    '/api/plans/:id/jobs',
    { onRequest: anyRole, schema: { summary: 'Jobs of a plan, newest first', tags: ['jobs'], params: PlanIdParams, response: { 200: JobList, ...E } } },
    async (req) => {
      if (!(await planHead(app.db, req.params.id))) throw new HttpError(404, `Plan ${req.params.id} does not exist.`)
      return { jobs: await listJobs(app.db, req.params.id) }
    },
  )

  app.get(
    '/api/jobs/:id',
    { onRequest: anyRole, schema: { summary: 'A job: status, progress, result', tags: ['jobs'], params: JobIdParams, response: { 200: Job, ...E } } },
    async (req) => mustGetJob(req.params.id),
  )

  app.post(
    '/api/jobs/:id/cancel',
    {
      onRequest: planners,
      schema: {
        summary: 'Cancel a queued or running job; the plan stays as it was',
        tags: ['jobs'],
        params: JobIdParams,
        response: { 200: Job, ...E, 409: ErrorRef },
      },
    },
    async (req) => {
      const j = await mustGetJob(req.params.id)
      if (TERMINAL.has(j.status)) throw new HttpError(409, `The job already ${j.status === 'succeeded' ? 'succeeded' : j.status === 'failed' ? 'failed' : 'was cancelled'}.`, { reason: 'finished' })
      return (await runner().cancel(j.id))!
    },
  )

  app.get(
    '/api/jobs/:id/events',
    {
      onRequest: anyRole,
      schema: {
        summary: 'Server-sent events: `progress` whenever status/progress/message change, then `done` with the final job',
        tags: ['jobs'],
        params: JobIdParams,
        response: { 200: Type.String({ description: 'text/event-stream; each event’s data is the job as JSON' }), ...E },
      },
    },
    async (req, reply) => {
      let job = await mustGetJob(req.params.id)
      reply.hijack()
      const res = reply.raw
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' })
      let last = ''
      let closed = false
      req.raw.on('close', () => (closed = true))
      const send = (event: string, j: JobRow) => res.write(`event: ${event}\nid: ${Date.now()}\ndata: ${JSON.stringify(j)}\n\n`)
      // Poll the row (works across replicas); a job changes at most a few times a second.
      for (let beat = 0; !closed; beat++) {
        const key = `${job.status}|${job.progress}|${job.message}`
        if (key !== last) {
          last = key
          send(TERMINAL.has(job.status) ? 'done' : 'progress', job)
        } else if (beat % 30 === 0) res.write(': keep-alive\n\n')
        if (TERMINAL.has(job.status)) break
        await new Promise((r) => setTimeout(r, 250))
        job = (await getJob(app.db, job.id)) ?? job
      }
      res.end()
    },
  )
}
export default jobs
