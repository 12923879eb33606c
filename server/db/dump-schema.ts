// Writes migrations/schema.txt from a fresh in-memory database: `npm run schema:dump`.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openPglite } from './pglite.js'
import { migrate, MIGRATIONS_DIR } from './migrate.js'
import { describeSchema } from './describe.js'

const db = await openPglite()
try {
  await migrate(db)
  const file = join(MIGRATIONS_DIR, 'schema.txt')
  writeFileSync(file, await describeSchema(db))
  console.log(`wrote ${file}`)
} finally {
  await db.close()
}
