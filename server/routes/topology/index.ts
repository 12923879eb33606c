/**
 * GET /api/plans/:id/topology: the extents and rook adjacency of the units of a plan's district, for the
 * editor (zoom to a grid, live contiguity, neighbour-distinct colours) without the units' GeoJSON.
 * The adjacency is the district's unit graph (geo/graph buildGraph, via plans/measure.ts districtGraph)
 * that the server's edit checks and metrics use, so the editor and the server agree on contiguity.
 */
import { createHash } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import type { Queryable } from '../../db/index.js'
import { etag, notModified } from '../../export/etag.js'
import { HttpError } from '../../plugins/errors.js'
import { planHead } from '../../repo/plans.js'
import { unitBoxes } from '../../repo/topology.js'
import { ErrorRef } from '../../schemas/common.js'
import { IfNoneMatchHeaders, PlanIdParams } from '../../schemas/plans.js'
import { TOPOLOGY_TYPE, TopologyBody, TopologyNotModified } from '../../schemas/topology.js'
import { districtGraph, type DistrictGraph } from '../plans/measure.js'
import { encodeTopology } from './encode.js'

interface Topology {
  body: Buffer
  etag: string
}

/**
 * Encoded bodies by district graph. districtGraph rebuilds the graph (a new object) when the district's
 * units or barriers change (an import; units are never updated in place), so a body lives exactly as
 * long as the graph it was made from, and plan edits, which do not touch units, never rebuild it.
 */
const bodies = new WeakMap<DistrictGraph, Promise<Topology>>()

export async function districtTopology(db: Queryable, districtId: number): Promise<Topology> {
  const dg = await districtGraph(db, districtId)
  let t = bodies.get(dg)
  if (!t) {
    t = (async () => {
      const rows = await unitBoxes(db, districtId)
      const boxes = new Float64Array(4 * dg.graph.n).fill(NaN)
      // rows may hold units imported after the graph was built: only the graph's units are sent
      for (const r of rows) {
        const v = dg.node.get(Number(r.id))
        if (v !== undefined) boxes.set([r.w, r.s, r.e, r.n], 4 * v)
      }
      const body = encodeTopology({ ids: dg.unitIds, boxes, xadj: dg.graph.xadj, adjncy: dg.graph.adjncy })
      // the tag names the content: a rebuild that changes nothing (a barrier import) still answers 304
      return { body, etag: etag('topology', createHash('sha256').update(body).digest('base64url').slice(0, 22)) }
    })()
    bodies.set(dg, t)
    t.catch(() => bodies.delete(dg))
  }
  return t
}

const topology: FastifyPluginAsyncTypebox = async (app) => {
  const anyRole = app.requireRole('admin', 'planner', 'police', 'analyst')

  app.get(
    '/api/plans/:id/topology',
    {
      onRequest: anyRole,
      schema: {
        summary: 'Box and rook neighbours of every unit of the plan\'s district, as typed arrays (binary)',
        description:
          'Same units and order as GET /api/plans/:id/units. Depends on the district\'s units only, not on the plan version: ' +
          'the ETag names the content and If-None-Match with it answers 304. Every signed-in role may read.',
        tags: ['plans'],
        params: PlanIdParams,
        headers: IfNoneMatchHeaders,
        response: { 200: { description: 'Unit boxes and adjacency (binary)', content: { [TOPOLOGY_TYPE]: { schema: TopologyBody } } }, 304: TopologyNotModified, 400: ErrorRef, 401: ErrorRef, 403: ErrorRef, 404: ErrorRef, 500: ErrorRef },
      },
    },
    async (req, reply) => {
      const head = await planHead(app.db, req.params.id)
      if (!head) throw new HttpError(404, `Plan ${req.params.id} does not exist.`)
      const t = await districtTopology(app.db, head.districtId)
      reply.header('etag', t.etag).header('cache-control', 'private, no-cache')
      // No payload at all: send(null) would announce a 4-byte JSON body that a 304 cannot carry.
      if (notModified(req.headers['if-none-match'], t.etag)) return (reply as FastifyReply).code(304).send()
      return (reply as FastifyReply).code(200).type(TOPOLOGY_TYPE).send(t.body)
    },
  )
}
export default topology
