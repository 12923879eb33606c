import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AreasQuery } from '../../schemas/areas.js'
import { ErrorRef, FeatureCollection } from '../../schemas/common.js'
import { areasGeoJSON } from '../../repo/areas.js'

const areas: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/api/areas',
    {
      schema: {
        summary: 'District, jurisdiction or community outlines as GeoJSON',
        tags: ['areas'],
        querystring: AreasQuery,
        response: { 200: FeatureCollection, 400: ErrorRef, 500: ErrorRef },
      },
    },
    async (req, reply) => {
      const fc = await areasGeoJSON(app.db, req.query.level, req.query.district)
      reply.type('application/geo+json')
      return fc
    },
  )
}
export default areas
