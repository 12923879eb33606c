// The server for the load bench and its CI test: `npm start` (server/start.ts) as a child process on
// 127.0.0.1, on a fresh temporary data folder (embedded) or a fresh database on the PostgreSQL of
// DATABASE_URL (dropped at stop), so the demo district is loaded and the first admin created.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createTestDb } from '../tests/helpers/db.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

export interface LoadServer {
  url: string
  pid: number
  backend: 'pglite' | 'postgres'
  admin: { username: string; password: string }
  /** Server log lines at level error (pino level 50+) so far: 5xx causes. */
  errors: () => string[]
  /** Server log lines at level warn (40): e.g. a response the server cut off after its headers. */
  warnings: () => string[]
  /** The last lines the server printed (for a failure message). */
  tail: () => string
  /** SIGTERM, wait (SIGKILL after 30 s), drop the database or data folder; resolves to the exit code. */
  stop: () => Promise<number | null>
}

/** Resident set size of a process in MB from /proc/<pid>/status (VmRSS), or NaN once it is gone. */
export function rssMb(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : NaN
  } catch {
    return NaN
  }
}

export async function startLoadServer(opts: { databaseUrl?: string; startTimeoutMs?: number } = {}): Promise<LoadServer> {
  const dir = mkdtempSync(join(tmpdir(), 'gridweave-load-'))
  const env: Record<string, string> = { DATA_DIR: dir, DATABASE_URL: '' }
  let dropDb: (() => Promise<void>) | undefined
  if (opts.databaseUrl) {
    // createTestDb reads DATABASE_URL: a fresh, unmigrated database the server migrates and fills itself.
    const saved = process.env.DATABASE_URL
    process.env.DATABASE_URL = opts.databaseUrl
    try {
      const db = await createTestDb({ migrated: false })
      env.DATABASE_URL = db.url!
      dropDb = () => db.close()
    } finally {
      process.env.DATABASE_URL = saved
    }
  }
  const cleanup = async () => {
    await dropDb?.().catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  }
  // LOG_LEVEL warn: a per-request info log would make the bench measure the log pipe; errors still show.
  // SERVER_CPU_PROF=<dir>: the server writes a V8 CPU profile there when it stops.
  const proc: ChildProcess = spawn(process.execPath, [...(process.env.SERVER_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SERVER_CPU_PROF}`] : []), '--import', 'tsx', 'server/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const errors: string[] = []
  const warnings: string[] = []
  let partial = ''
  const onData = (d: Buffer) => {
    const s = d.toString()
    out = (out + s).slice(-20_000)
    const lines = (partial + s).split('\n')
    partial = lines.pop()!
    for (const line of lines) {
      if (/"level":(50|60)/.test(line) && errors.length < 1000) errors.push(line)
      if (/"level":40/.test(line) && warnings.length < 1000) warnings.push(line)
    }
  }
  proc.stdout!.on('data', onData)
  proc.stderr!.on('data', onData)
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)))
  try {
    const ready = await new Promise<{ url: string; username: string; password: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start in ${(opts.startTimeoutMs ?? 180_000) / 1000} s:\n${out}`)), opts.startTimeoutMs ?? 180_000)
      const check = () => {
        const url = /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
        if (!url) return
        const admin = /first admin "([^"]+)" with the one-time password: (\S+)/.exec(out)
        clearTimeout(timer)
        if (!admin) return reject(new Error(`the server did not print the first admin's one-time password:\n${out}`))
        resolve({ url: url[1], username: admin[1], password: admin[2] })
      }
      proc.stdout!.on('data', check)
      proc.stderr!.on('data', check)
      exited.then((code) => {
        clearTimeout(timer)
        reject(new Error(`server exited with ${code} before listening:\n${out}`))
      })
    })
    let stopping: Promise<number | null> | undefined
    return {
      url: ready.url,
      pid: proc.pid!,
      backend: opts.databaseUrl ? 'postgres' : 'pglite',
      admin: { username: ready.username, password: ready.password },
      errors: () => errors,
      warnings: () => warnings,
      tail: () => out.slice(-4000),
      stop: () =>
        (stopping ??= (async () => {
          if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM')
          const kill = setTimeout(() => proc.kill('SIGKILL'), 30_000)
          const code = await exited
          clearTimeout(kill)
          await cleanup()
          return code
        })()),
    }
  } catch (err) {
    if (proc.exitCode === null) proc.kill('SIGKILL')
    await exited
    await cleanup()
    throw err
  }
}
