/**
 * A throwaway PostgreSQL 15 + PostGIS cluster that one test file may stop and start at will, without
 * disturbing the PostgreSQL the rest of the suite shares: initdb into a temporary folder, a free port on
 * 127.0.0.1, trust authentication. PostgreSQL refuses to run as root, so as root the binaries run as the
 * `postgres` user (runuser), in a folder it owns, as .ci/run does.
 */
import { execFile } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { freePort } from './fault-server.js'

const run = promisify(execFile)
export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin'

export interface Cluster {
  url: string
  port: number
  /** Stops at once, as a crash or `kill -9` of the postmaster's children would (`-m immediate`). */
  stop(): Promise<void>
  start(): Promise<void>
  /** Stops and removes the folder. */
  destroy(): Promise<void>
}

function runuserArgs(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'))
  if (!line) throw new Error('running as root, but there is no "postgres" user to run PostgreSQL as (PostgreSQL refuses root); install postgresql-15')
  const [, , uid, gid] = line.split(':')
  return { uid: Number(uid), gid: Number(gid) }
}

export async function startCluster(): Promise<Cluster> {
  for (const b of ['initdb', 'pg_ctl', 'postgres'])
    if (!existsSync(join(PG_BIN, b)))
      throw new Error(`${join(PG_BIN, b)} is missing: this test needs PostgreSQL 15 + PostGIS 3 binaries (apt-get install postgresql-15 postgresql-15-postgis-3, as .ci/run does) or PG_BIN pointing at them`)
  const owner = runuserArgs()
  const dir = mkdtempSync(join(tmpdir(), 'gridweave-fault-pg-'))
  if (owner) chownSync(dir, owner.uid, owner.gid)
  const data = join(dir, 'data')
  const port = await freePort()
  const exec = (bin: string, args: string[]) =>
    owner ? run('runuser', ['-u', 'postgres', '--', join(PG_BIN, bin), ...args], { cwd: dir }) : run(join(PG_BIN, bin), args, { cwd: dir })
  const log = join(dir, 'log')
  const withLog = async <T>(p: Promise<T>) => {
    try {
      return await p
    } catch (err) {
      const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-30).join('\n') : ''
      throw new Error(`${(err as Error).message}\n${tail}`)
    }
  }
  await withLog(exec('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']))
  // fsync off only spares the shared disk: a process crash keeps what the OS was given; commits stay synchronous.
  const opts = `-h 127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c full_page_writes=off -c max_connections=50`
  const start = () => withLog(exec('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '60', '-o', opts, 'start']).then(() => {}))
  const stop = () => withLog(exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).then(() => {}))
  await start()
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    await c.query('CREATE EXTENSION IF NOT EXISTS postgis')
  } finally {
    await c.end()
  }
  return {
    url,
    port,
    stop,
    start,
    async destroy() {
      await stop().catch(() => {})
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
