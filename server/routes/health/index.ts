import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Health } from '../../schemas/health.js'
import { ErrorRef } from '../../schemas/common.js'

const health: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health',
    {
      schema: {
        summary: 'Liveness and database check',
        tags: ['system'],
        response: { 200: Health, 500: ErrorRef },
      },
    },
    async () => {
      const { rows } = await app.db.query<{ postgis: string; postgres: string }>(
        `SELECT postgis_version() AS postgis, current_setting('server_version') AS postgres`,
      )
      return { status: 'ok' as const, backend: app.db.kind, postgis: rows[0].postgis, postgres: rows[0].postgres }
    },
  )
}
export default health
