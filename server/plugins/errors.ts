import fp from 'fastify-plugin'
import type { FastifyError, FastifyInstance } from 'fastify'
import { ErrorBody } from '../schemas/common.js'
import { databaseFault } from '../db/errors.js'

/** An expected failure a route reports to the client: status 4xx with a message that says what to do. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
  }
}

const NAMES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type',
  422: 'Unprocessable Entity', 429: 'Too Many Requests',
}

/** The one error handler: 4xx bodies name the field and reason; 5xx details are logged, never sent. */
export default fp(async function errors(app: FastifyInstance) {
  app.addSchema(ErrorBody)

  app.setErrorHandler((err: FastifyError & { details?: unknown }, req, reply) => {
    // PostgreSQL refuses text holding NUL (22021); it comes from the client (a name, a file name), so 400, not 500.
    if (err.code === '22021') Object.assign(err, { statusCode: 400, message: 'Text may not contain NUL characters (\\u0000); remove them and send again.' })
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500
    // The body is JSON even when the route had set up a file download whose stream failed before its first
    // byte (an export overtaken by an edit): else Fastify refuses the object and answers 500.
    reply.type('application/json; charset=utf-8').removeHeader('content-disposition')
    // A full disk, a read-only data folder or a restarting database: named, so the client knows what to do.
    const fault = status >= 500 ? databaseFault(err) : null
    if (fault) {
      req.log.error({ err }, 'request failed: database fault')
      return reply.status(fault.statusCode).send({ error: fault.error, message: fault.message })
    }
    if (status >= 500) {
      req.log.error({ err }, 'request failed')
      return reply.status(status).send({ error: 'Internal Server Error', message: 'Internal server error; the details are in the server log.' })
    }
    let details = err.details
    let message = err.message
    if (err.validation) {
      details = err.validation.map((v) => ({
        field: `${err.validationContext ?? ''}${v.instancePath || ''}`.replace(/\//g, '.') || err.validationContext,
        reason: v.message,
        params: v.params,
      }))
      message = `Invalid request: ${err.message}`
    }
    req.log.info({ status, message }, 'request rejected')
    return reply.status(status).send({ error: NAMES[status] ?? 'Error', message, ...(details === undefined ? {} : { details }) })
  })

  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({ error: 'Not Found', message: `No route for ${req.method} ${req.url.split('?')[0]}.` })
  })
})
