// `npm start`: build the map editor when missing or stale, then serve API + editor with the demo loaded.
import { existsSync } from 'node:fs'
import { main } from './main.js'
import { ensureWebBuilt } from './web-build.js'
import { loadConfig } from './config.js'
import type { Db } from './db/index.js'

async function loadDemoIfPresent(db: Db) {
  const loader = new URL('../fixtures/demo/load.ts', import.meta.url)
  if (!existsSync(loader)) return
  // Every start after the first: one query, without loading the loader's modules (~0.5 s).
  if ((await db.query('SELECT 1 FROM districts LIMIT 1')).rows.length) return
  const { loadDemo } = (await import(loader.href)) as { loadDemo: (db: Db) => Promise<{ loaded: boolean }> }
  const r = await loadDemo(db)
  if (r.loaded) console.log('loaded the demo district into the empty database')
}

try {
  await ensureWebBuilt()
  const { url } = await main(loadConfig(), { afterMigrate: loadDemoIfPresent })
  console.log(`gridweave is serving ${url} (API docs at ${url}/docs)`)
} catch (err) {
  console.error(err instanceof Error ? err.message : err)
  process.exit(1)
}
