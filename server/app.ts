import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import Fastify, { type FastifyServerOptions } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import fastifyStatic from '@fastify/static'
import helmet from '@fastify/helmet'
import type { Db } from './db/index.js'
import dbPlugin from './plugins/db.js'
import errors from './plugins/errors.js'
import docs from './plugins/swagger.js'
import auth from './plugins/auth.js'

const ROUTES = fileURLToPath(new URL('./routes/', import.meta.url))

/**
 * Every resource is an encapsulated plugin in routes/<resource>/index.ts; registering them by folder
 * (in name order) means adding a resource never edits this file.
 */
let routes: ReturnType<typeof loadRoutePlugins> | undefined

/** The route plugins, imported once per process (main.ts starts this while the database opens). */
export function routePlugins() {
  return (routes ??= loadRoutePlugins())
}

async function loadRoutePlugins() {
  const dirs = readdirSync(ROUTES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()
  const out = []
  for (const d of dirs) {
    const file = ['index.ts', 'index.js'].map((f) => join(ROUTES, d, f)).find(existsSync)
    if (!file) continue
    const mod = (await import(pathToFileURL(file).href)) as { default: Parameters<App['register']>[0] }
    out.push(mod.default)
  }
  return out
}

export const WEB_DIST = fileURLToPath(new URL('../web/dist/', import.meta.url))

export interface AppOptions {
  db: Db
  logger?: FastifyServerOptions['logger']
  /** Folder of the built map editor served at `/`; skipped when it does not exist. */
  webDir?: string
  /** Longest a request (headers and body) may take before the server drops it; default 60 s. */
  requestTimeoutMs?: number
}

/** Builds the whole HTTP app as plugins; `main.ts` only listens and closes. */
export async function buildApp(opts: AppOptions) {
  const app = Fastify({
    logger: opts.logger ?? false,
    // Bound what one request may cost: slow bodies time out, huge bodies are refused before parsing.
    requestTimeout: opts.requestTimeoutMs ?? 60_000,
    // Node drops a slow request only when headersTimeout <= requestTimeout, and only when it checks its
    // connections (every 30 s by default): keep the headers limit within it and check at a quarter of it.
    http: { headersTimeout: Math.min(60_000, opts.requestTimeoutMs ?? 60_000), connectionsCheckingInterval: Math.min(30_000, Math.ceil((opts.requestTimeoutMs ?? 60_000) / 4)) },
    bodyLimit: 10 * 1024 * 1024,
    ajv: { customOptions: { allErrors: false, coerceTypes: 'array', removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>()

  await app.register(errors)
  // CSP for the editor: MapLibre runs workers from blob: URLs, draws data:/blob: images and sets inline styles; plain http on a LAN, so no upgrade-insecure-requests.
  await app.register(helmet, { contentSecurityPolicy: { directives: { 'worker-src': ["'self'", 'blob:'], 'img-src': ["'self'", 'data:', 'blob:'], 'style-src': ["'self'", "'unsafe-inline'"], 'upgrade-insecure-requests': null } } })
  await app.register(dbPlugin, { db: opts.db })
  await app.register(docs)
  await app.register(auth)
  for (const plugin of await routePlugins()) await app.register(plugin)

  const webDir = opts.webDir ?? WEB_DIST
  if (existsSync(webDir)) {
    await app.register(fastifyStatic, { root: webDir, prefix: '/', wildcard: false })
  }
  return app
}

export type App = Awaited<ReturnType<typeof buildApp>>
