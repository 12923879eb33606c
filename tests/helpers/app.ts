import { buildApp, type App } from '../../server/app.js'
import type { Db } from '../../server/db/index.js'

/** The one way tests build the app: on a given database, no logging, closed by the caller. */
export async function build(db: Db, extend?: (app: App) => void): Promise<App> {
  const app = await buildApp({ db, logger: false })
  extend?.(app)
  await app.ready()
  return app
}
