import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Db } from '../db/index.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
  }
}

/** Makes the database available to every route as `app.db`. The caller owns opening and closing it. */
export default fp(async function db(app: FastifyInstance, opts: { db: Db }) {
  app.decorate('db', opts.db)
})
