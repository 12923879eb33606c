/**
 * POST /api/imports: multipart upload (fields layer, format, mode, crs, district, mapping — before the file,
 * or in the query string — then the file). Small files import while the request waits (200 with the
 * record); large ones are spooled to disk and run as a job (202; poll GET /api/imports/<job id>).
 * Refusals: 400 bad options or file, 413 a limit, 415 not multipart, 422 features with problems.
 */
import { randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import multipart from '@fastify/multipart'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ProblemCode } from '../../../geo/validate/index.js'
import { ImportError } from '../../import/errors.js'
import { mib, withLimits } from '../../import/limits.js'
import { formatFromName, parseImportOptions } from '../../import/options.js'
import { importFeatures, toRecord } from '../../import/pipeline.js'
import { HttpError } from '../../plugins/errors.js'
import * as repo from '../../repo/imports.js'
import { keepJobAlive } from '../../jobs/heartbeat.js'
import { ErrorRef } from '../../schemas/common.js'
import { ImportFields, ImportJob, ImportParams, ImportRecord, type ImportOptions } from '../../schemas/imports.js'

/** Uploads above this many bytes run as a job. */
const SYNC_MAX_BYTES = Number(process.env.GRIDWEAVE_IMPORT_SYNC_MAX_BYTES ?? 16 * 1024 * 1024)

const imports: FastifyPluginAsyncTypebox = async (app) => {
  const limits = withLimits({ maxBytes: Number(process.env.GRIDWEAVE_IMPORT_MAX_BYTES ?? withLimits().maxBytes) })
  await app.register(multipart, {
    // one file, a few short fields; the file limit is ours +1 so our own message answers first
    limits: { files: 1, fields: 12, fieldSize: 64 * 1024, fileSize: limits.maxBytes + 1, parts: 16 },
  })
  // Imports write areas and units: admin and planner only. Checked on request, before any byte is read.
  const importers = app.requireRole('admin', 'planner')

  /** A declared body larger than the limit is refused before it is read (a 1 GB upload costs nothing). */
  const sizeGuard = async (req: { headers: Record<string, unknown> }) => {
    const len = Number(req.headers['content-length'])
    if (Number.isFinite(len) && len > limits.maxBytes + 1024 * 1024)
      throw new ImportError(413, ProblemCode.tooLarge, `the upload is ${mib(len)}; the limit is ${mib(limits.maxBytes)}. Split the file`, 'file')
  }

  app.post(
    '/api/imports',
    {
      onRequest: [importers, sizeGuard],
      schema: {
        summary: 'Import a GeoJSON, zipped Shapefile, CSV or OSM file into one layer',
        description:
          'multipart/form-data: fields layer, format, mode (reject|repair), crs (wgs84|gcj02|bd09), district, mapping (JSON), then the file. ' +
          'The options may also be given in the query string. Nothing is written unless the whole file imports.',
        tags: ['imports'],
        consumes: ['multipart/form-data'],
        querystring: ImportFields,
        body: Type.Unknown({ description: 'multipart/form-data with fields, then one file part named file' }),
        response: {
          200: ImportRecord,
          202: ImportJob,
          400: ErrorRef,
          401: ErrorRef,
          403: ErrorRef,
          413: ErrorRef,
          415: ErrorRef,
          422: ErrorRef,
          500: ErrorRef,
        },
      },
    },
    async (req, reply) => {
      if (!req.isMultipart())
        throw new ImportError(415, ProblemCode.unsupportedFormat, 'send the file as multipart/form-data (fields, then a part named file)', 'content-type')
      const fields: Record<string, string> = { ...(req.query as Record<string, string>) }
      const userId = (req.user as { id?: number } | undefined)?.id ?? null
      const declared = Number(req.headers['content-length'])
      for await (const part of req.parts()) {
        if (part.type === 'field') {
          if (!(part.fieldname in ImportFields.properties))
            throw new ImportError(400, ProblemCode.badValue, `unknown field ${JSON.stringify(part.fieldname)}; fields are ${Object.keys(ImportFields.properties).join(', ')}`, part.fieldname)
          fields[part.fieldname] = String(part.value)
          continue
        }
        fields.format ??= formatFromName(part.filename) as string
        const options = parseImportOptions(fields)
        const filename = part.filename || null
        if (Number.isFinite(declared) && declared > SYNC_MAX_BYTES) {
          const job = await spoolAndStart(part.file, options, filename, userId)
          return reply.status(202).send(job)
        }
        const rec = await importFeatures({
          db: app.db,
          options,
          source: part.file,
          filename,
          limits,
          userId,
        })
        if ((part.file as { truncated?: boolean }).truncated)
          throw new ImportError(413, ProblemCode.tooLarge, `the file is larger than ${mib(limits.maxBytes)}; split it`, 'file')
        return reply.status(200).send(rec)
      }
      throw new ImportError(400, ProblemCode.missingField, 'the form has no file part; send the file last, after the fields', 'file')
    },
  )

  /** Large uploads: spool to a temp file (bounded by the limit), answer 202, import in the background. */
  async function spoolAndStart(file: NodeJS.ReadableStream, options: ImportOptions, filename: string | null, userId: number | null) {
    const dir = await mkdtemp(join(tmpdir(), 'gridweave-import-'))
    const path = join(dir, 'upload')
    try {
      await pipeline(file, createWriteStream(path))
      if ((file as { truncated?: boolean }).truncated)
        throw new ImportError(413, ProblemCode.tooLarge, `the file is larger than ${mib(limits.maxBytes)}; split it`, 'file')
    } catch (err) {
      await rm(dir, { recursive: true, force: true })
      throw err
    }
    const id = randomUUID()
    // heartbeat until the import ends: a server that dies meanwhile leaves a job the next start fails
    const alive = keepJobAlive(app.db, id)
    let size: number
    try {
      await repo.createImportJob(app.db, id, { ...options, filename }, userId)
      size = (await stat(path)).size
    } catch (err) {
      alive()
      await rm(dir, { recursive: true, force: true })
      throw err
    }
    void (async () => {
      try {
        await repo.updateImportJob(app.db, id, { status: 'running' })
        let pending = Promise.resolve()
        const rec = await importFeatures({
          db: app.db,
          options,
          source: createReadStream(path, { highWaterMark: 1 << 16 }),
          filename,
          limits,
          userId,
          totalBytes: size,
          onProgress: (p) => {
            pending = pending.then(() => repo.updateImportJob(app.db, id, { progress: p })).catch(() => {})
          },
        })
        await pending
        await repo.updateImportJob(app.db, id, { status: 'succeeded', progress: 1, result: { importId: rec.id } })
      } catch (err) {
        const body =
          err instanceof HttpError
            ? { error: 'Import refused', message: err.message, details: err.details, status: err.statusCode }
            : { error: 'Internal Server Error', message: 'Internal server error; the details are in the server log.', status: 500 }
        if (!(err instanceof HttpError)) app.log.error({ err }, 'import job failed')
        await repo.updateImportJob(app.db, id, { status: 'failed', error: JSON.stringify(body) }).catch(() => {})
      } finally {
        alive()
        await rm(dir, { recursive: true, force: true })
      }
    })()
    return { job: id, status: 'queued' as const, progress: 0 }
  }

  app.get(
    '/api/imports/:id',
    {
      onRequest: [importers],
      schema: {
        summary: 'One import record, or the state of a large import job',
        tags: ['imports'],
        params: ImportParams,
        response: { 200: Type.Union([ImportRecord, ImportJob]), 400: ErrorRef, 401: ErrorRef, 403: ErrorRef, 404: ErrorRef, 500: ErrorRef },
      },
    },
    async (req) => {
      const id = req.params.id
      if (/^\d+$/.test(id)) {
        const row = await repo.getImport(app.db, Number(id))
        if (!row) throw new HttpError(404, `import ${id} does not exist`)
        return toRecord(row)
      }
      const job = await repo.getImportJob(app.db, id)
      if (!job) throw new HttpError(404, `import job ${id} does not exist`)
      const out: Record<string, unknown> = { job: job.id, status: job.status, progress: job.progress }
      const importId = (job.result as { importId?: number } | null)?.importId
      if (importId) {
        const row = await repo.getImport(app.db, importId)
        if (row) out.import = toRecord(row)
      }
      if (job.error) out.error = JSON.parse(job.error)
      return out
    },
  )
}
export default imports
