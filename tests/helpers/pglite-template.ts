import { createHash } from 'node:crypto'
import { existsSync, openSync, closeSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { openPglite } from '../../server/db/pglite.js'
import { migrate, readMigrations } from '../../server/db/migrate.js'

/**
 * Creating an embedded PostGIS database costs ~10 s of CPU (initdb + CREATE EXTENSION postgis); loading
 * a dumped one costs a fraction. The first test file that needs one migrates a database and dumps it to
 * a file named by the hash of the migrations and the PGlite version; every other file (and later runs)
 * starts from a copy. A lock file keeps two test workers from building it at once.
 */
export async function pgliteTemplate(): Promise<Blob> {
  const pkg = JSON.parse(readFileSync(new URL('../../node_modules/@electric-sql/pglite/package.json', import.meta.url), 'utf8'))
  const hash = createHash('sha256')
  hash.update(pkg.version)
  for (const m of readMigrations()) hash.update(m.name).update(m.sql)
  const file = join(tmpdir(), `gridweave-pglite-${hash.digest('hex').slice(0, 16)}.tar.gz`)
  const lock = `${file}.lock`
  const deadline = Date.now() + 300_000
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${file}; remove ${lock} if no test is running.`)
    let fd: number
    try {
      fd = openSync(lock, 'wx')
    } catch {
      // another worker is building it; a lock older than 5 minutes belongs to a dead run
      try {
        if (Date.now() - statSync(lock).mtimeMs > 300_000) unlinkSync(lock)
      } catch {
        /* gone meanwhile */
      }
      await sleep(250)
      continue
    }
    closeSync(fd)
    try {
      const db = await openPglite()
      try {
        await migrate(db)
        const tmp = `${file}.${process.pid}.tmp`
        writeFileSync(tmp, Buffer.from(await (await db.dump()).arrayBuffer()))
        renameSync(tmp, file)
      } finally {
        await db.close()
      }
    } finally {
      unlinkSync(lock)
    }
  }
  return new Blob([readFileSync(file)])
}
