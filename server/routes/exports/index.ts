import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { ErrorRef } from '../../schemas/common.js'
import { ExportFile, ExportParams, ExportQuery, NotModified } from '../../schemas/exports.js'
import { planHead } from '../../repo/exports.js'
import { HttpError } from '../../plugins/errors.js'
import { CONTENT_TYPES, exportName, exportStream } from '../../export/index.js'
import { etag, notModified } from '../../export/etag.js'

const exportsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/plans/:id/export.:format',
    {
      preHandler: app.authenticate,
      schema: {
        summary: 'Export a plan: GeoJSON, assignment CSV, zipped Shapefile or FlatGeobuf, streamed',
        description:
          'Grids, cells or units of the plan\'s current version with their assignment and totals. Grid and cell outlines ' +
          'not stored are dissolved from their units. The whole file is read from one snapshot: edits committed while it ' +
          'is downloaded are not in it (the file name and ETag carry its version). Every signed-in role may export.',
        tags: ['exports'],
        params: ExportParams,
        querystring: ExportQuery,
        response: { 200: ExportFile, 304: NotModified, 400: ErrorRef, 401: ErrorRef, 403: ErrorRef, 404: ErrorRef, 409: ErrorRef, 500: ErrorRef },
      },
    },
    async (req, reply) => {
      const { id, format } = req.params
      const layer = req.query.layer ?? 'grids'
      const bom = format === 'csv' && req.query.bom === true
      const head = await planHead(app.db, id)
      if (!head) throw new HttpError(404, `Plan ${id} does not exist.`)
      const what = format === 'csv' ? 'assignment' : layer
      const tagOf = (version: number) => etag('plan', id, `v${version}`, what, format, ...(bom ? ['bom'] : []))
      reply.header('Cache-Control', 'private, no-cache')
      // No payload at all: send(null) would announce a 4-byte JSON body that a 304 cannot carry.
      if (notModified(req.headers['if-none-match'], tagOf(head.version))) return (reply as FastifyReply).header('ETag', tagOf(head.version)).code(304).send()
      // The export reads one snapshot of the plan: the version in it (newer than head's when an edit
      // committed in between) names the file, whatever edits commit while it is sent.
      const { version, stream } = await exportStream(app.db, { planId: id, layer, format, bom }, { timeoutMs: app.server.requestTimeout })
      reply.header('ETag', tagOf(version))
      reply.header('Content-Disposition', `attachment; filename="${exportName(id, version, what)}.${format}"`).type(CONTENT_TYPES[format])
      return reply.send(stream)
    },
  )
}
export default exportsRoutes
