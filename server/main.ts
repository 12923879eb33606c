import { loadConfig, type Config } from './config.js'
import { openDb, type Db } from './db/index.js'
import { migrate } from './db/migrate.js'

export interface Running {
  url: string
  close: () => Promise<void>
}

/**
 * Opens the database, applies migrations, loads the demo district into an empty database, and listens.
 * Closes gracefully on SIGTERM/SIGINT: stop accepting, finish requests, close the database.
 */
export async function main(config: Config = loadConfig(), hooks: { afterMigrate?: (db: Db) => Promise<void> } = {}): Promise<Running> {
  // Opening the embedded database is the longest step of a start: load the app's modules meanwhile.
  const modules = Promise.all([
    import('./app.js').then(async (m) => (await m.routePlugins(), m)),
    import('./plugins/auth.js'),
    import('./jobs/index.js'),
  ])
  modules.catch(() => {}) // surfaced below; not an unhandled rejection while the database opens
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  let app: Awaited<ReturnType<typeof import('./app.js').buildApp>> | undefined
  const [{ buildApp }, { ensureAdminAccount }, { startJobWorker }] = await modules.catch(async (err) => {
    await db.close()
    throw err
  })
  try {
    await migrate(db)
    const admin = await ensureAdminAccount(db)
    if (admin) {
      // Printed once, never logged: the account must change it at first sign-in.
      console.log(`created the first admin "${admin.username}" with the one-time password: ${admin.password}`)
    }
    await hooks.afterMigrate?.(db)
    app = await buildApp({ db, logger: { level: config.logLevel }, requestTimeoutMs: config.requestTimeoutMs })
    await app.listen({ host: config.host, port: config.port })
    // Jobs queued before a restart continue; jobs left running by a crash are marked failed.
    await startJobWorker(db)
  } catch (err) {
    await app?.close().catch(() => {})
    await db.close()
    throw err
  }
  let closing: Promise<void> | undefined
  const close = () =>
    (closing ??= (async () => {
      try {
        await app.close()
      } finally {
        await db.close()
      }
    })())
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      app.log.info({ signal }, 'shutting down')
      close().then(
        () => process.exit(0),
        (err) => {
          app.log.error({ err }, 'shutdown failed')
          process.exit(1)
        },
      )
    })
  }
  const addr = app.server.address()
  const url = typeof addr === 'object' && addr ? `http://${config.host}:${addr.port}` : String(addr)
  return { url, close }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err)
    process.exit(1)
  })
}
