/**
 * `gridweave worker`: process queued partition, cells and rebalance jobs on the PostgreSQL of
 * DATABASE_URL, alongside API replicas (DESIGN.md §7). Runs until SIGTERM or SIGINT, then stops taking
 * jobs and exits 0. The embedded database belongs to one process, so without DATABASE_URL the server
 * runs jobs itself and this command refuses with exit 2.
 */
import { loadConfig } from '../config.js'
import { openDb } from '../db/index.js'
import { migrate } from '../db/migrate.js'
import { startJobWorker } from '../jobs/index.js'
import { defaultIO, type CliIO as IO } from './io.js'

export async function runWorker(argv: string[], io: IO = defaultIO, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (argv.length > 0) {
    io.stderr(`gridweave worker: takes no arguments (got ${JSON.stringify(argv[0])}); configure it with DATABASE_URL`)
    return 2
  }
  const config = loadConfig(env)
  if (!config.databaseUrl) {
    io.stderr('gridweave worker: DATABASE_URL is not set; with the embedded database, `npm start` runs jobs in the server itself')
    return 2
  }
  const db = await openDb({ databaseUrl: config.databaseUrl })
  try {
    await migrate(db)
    const stopped = new Promise<void>((resolve) => {
      process.once('SIGTERM', () => resolve())
      process.once('SIGINT', () => resolve())
    })
    const runner = await startJobWorker(db)
    io.stdout(JSON.stringify({ command: 'worker', status: 'started', pid: process.pid }))
    await stopped
    await runner.stop()
    io.stdout(JSON.stringify({ command: 'worker', status: 'stopped' }))
    return 0
  } finally {
    await db.close()
  }
}
