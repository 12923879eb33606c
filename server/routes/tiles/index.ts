import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { ErrorRef } from '../../schemas/common.js'
import { BaseTileParams, EmptyTile, PlanTileParams, TileBody, TileNotModified, TileQuery } from '../../schemas/tiles.js'
import { HttpError } from '../../plugins/errors.js'
import { userAndBaseStamp } from '../../repo/tiles.js'
import { TileService, type TileAnswer, type TileHead } from '../../tiles/index.js'
import { MVT_TYPE } from '../../tiles/layers.js'

const RESPONSES = {
  200: TileBody, 204: EmptyTile, 304: TileNotModified, 400: ErrorRef, 401: ErrorRef, 403: ErrorRef, 404: ErrorRef, 500: ErrorRef,
}

/** x and y must lie on the zoom level's grid; the schema checks each alone, this checks them against z. */
function checkTile(z: number, x: number, y: number) {
  const n = 2 ** z
  for (const [field, v] of [['x', x], ['y', y]] as const) {
    if (v >= n) {
      throw new HttpError(400, `Invalid request: params/${field} must be below 2^z = ${n} at zoom ${z}.`, [
        { field: `params.${field}`, reason: `must be < ${n} at z=${z}` },
      ])
    }
  }
}

function send(reply: FastifyReply, a: TileAnswer, what: string) {
  if (a.status === 404) throw new HttpError(404, `${what} does not exist.`)
  // Revalidate every time: the URL stays the same across plan versions, the ETag does not.
  reply.header('Cache-Control', 'private, no-cache')
  if (a.etag) reply.header('ETag', a.etag)
  if (a.status === 200) return reply.code(200).type(MVT_TYPE).send(a.body)
  // No payload at all: send(null) would announce a 4-byte JSON body that a 204/304 cannot carry.
  return reply.code(a.status).send()
}

const tiles: FastifyPluginAsyncTypebox = async (app) => {
  const service = new TileService(app.db)

  app.get(
    '/api/plans/:id/tiles/:layer/:z/:x/:y.mvt',
    {
      // Authenticated in the handler: the user and the plan version are read in one round trip.
      schema: {
        summary: 'Vector tile of a plan layer (units, grids or cells) at its current version',
        description:
          'Properties: unit_id, grid_id, grid_code, cell_id, cell_code, name, weight, households, units, grids, locked ' +
          '(those that apply to the layer); feature id = database id. An empty tile answers 204. Every signed-in role may read. ' +
          'The ETag names the plan version the tile was cut at: a tile no edit has reached since keeps its tag across versions, ' +
          'so If-None-Match with it answers 304.',
        tags: ['tiles'],
        params: PlanTileParams,
        querystring: TileQuery,
        response: RESPONSES,
      },
    },
    async (req, reply) => {
      const { id, layer, z, x, y } = req.params
      // Before any read: the first read of a tile may cut it in the same statement. (Like the schema's
      // checks, this answers 400 before 401.)
      checkTile(z, x, y)
      let authenticated = false
      const head: TileHead = async (key, read) => {
        const r = await app.authenticateWith(req, `tiles:plan:${id}:${key}`, read)
        authenticated = true
        return r
      }
      const a = await service.planTile(id, layer, z, x, y, req.headers['if-none-match'], head)
      if (!authenticated) throw new Error('planTile answered without authenticating the request')
      return send(reply, a, `Plan ${id}`)
    },
  )

  app.get(
    '/api/tiles/:layer/:z/:x/:y.mvt',
    {
      // Authenticated in the handler: the user and the table's fingerprint are read in one round trip.
      schema: {
        summary: 'Vector tile of a base-map layer: jurisdictions, communities, barriers, stations or events',
        description:
          'Properties: code, name, kind (+ jurisdiction for communities, hard for barriers); events: kind, occurred_on ' +
          '(YYYY-MM-DD). An empty tile answers 204. Every signed-in role may read.',
        tags: ['tiles'],
        params: BaseTileParams,
        querystring: TileQuery,
        response: RESPONSES,
      },
    },
    async (req, reply) => {
      const { layer, z, x, y } = req.params
      checkTile(z, x, y)
      const { stamp } = await app.authenticateWith(req, `tiles:base:${layer}`, (q, userId) => userAndBaseStamp(q, userId, layer))
      return send(reply, await service.baseTile(layer, stamp, z, x, y, req.headers['if-none-match']), `Layer ${layer}`)
    },
  )
}
export default tiles
