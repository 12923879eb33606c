/**
 * Real server processes for the fault tests: `node --import tsx server/main.ts` on 127.0.0.1 and a free
 * port, started, killed (SIGKILL) and restarted on the same data folder or database; plus table checksums
 * and a signed-in planner through the real login route.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Queryable } from '../../server/db/index.js'
import { hashPassword } from '../../server/plugins/auth.js'
import { insertUser } from '../../server/repo/users.js'

export interface ServerProc {
  proc: ChildProcess
  url: string
  pid: number
  output: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

export async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const port = (s.address() as { port: number }).port
  await new Promise((resolve) => s.close(resolve))
  return port
}

/** Spawns the server; does not wait for it (see `waitHealthy`). */
export function spawnServer(env: Record<string, string>, port: number): Omit<ServerProc, 'url'> & { port: number } {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  proc.stdout!.on('data', (d) => (out += d))
  proc.stderr!.on('data', (d) => (out += d))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  )
  return { proc, pid: proc.pid!, port, output: () => out, exited }
}

/** Starts a server and waits (bounded) until GET /health answers 200. */
export async function startServer(env: Record<string, string>, timeoutMs = 150_000): Promise<ServerProc> {
  const s = spawnServer(env, await freePort())
  const url = `http://127.0.0.1:${s.port}`
  const deadline = Date.now() + timeoutMs
  let exit: { code: number | null } | undefined
  void s.exited.then((e) => (exit = e))
  while (Date.now() < deadline) {
    if (exit) throw new Error(`server exited with ${exit.code} before answering /health:\n${s.output()}`)
    try {
      const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) })
      if (r.status === 200) return { ...s, url }
    } catch {
      /* not listening yet */
    }
    await sleep(100)
  }
  s.proc.kill('SIGKILL')
  throw new Error(`server did not answer /health within ${timeoutMs} ms:\n${s.output()}`)
}

export async function kill(s: ServerProc | undefined, signal: NodeJS.Signals = 'SIGKILL') {
  if (!s || s.proc.exitCode !== null || s.proc.signalCode !== null) return s ? s.exited : undefined
  s.proc.kill(signal)
  return s.exited
}

/** Stops gracefully (SIGTERM, exit 0 expected), with a SIGKILL after 60 s so a test never hangs. */
export async function stop(s: ServerProc | undefined) {
  if (!s) return
  const t = setTimeout(() => s.proc.kill('SIGKILL'), 60_000)
  try {
    return await kill(s, 'SIGTERM')
  } finally {
    clearTimeout(t)
  }
}

export const PLANNER = { username: 'fault-planner', password: 'fault-planner-password' }

export async function insertPlanner(db: Queryable) {
  await insertUser(db, { username: PLANNER.username, passwordHash: await hashPassword(PLANNER.password), role: 'planner' })
}

/** A bearer header for the planner, through POST /api/auth/login. */
export async function login(url: string): Promise<Record<string, string>> {
  const r = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(PLANNER),
  })
  if (r.status !== 200) throw new Error(`login answered ${r.status}: ${await r.text()}`)
  return { authorization: `Bearer ${(await r.json()).token}` }
}

export async function api(url: string, headers: Record<string, string>, method: string, path: string, body?: unknown) {
  const r = await fetch(`${url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  })
  const text = await r.text()
  let json: unknown = null
  try {
    json = JSON.parse(text)
  } catch {
    /* not JSON */
  }
  return { status: r.status, json: json as any, text, headers: r.headers } // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * Row count and md5 of every row (as text, in primary-key order) of each table: equal digests mean equal
 * contents. Tables are named by the test, never by input.
 */
export async function tableDigest(db: Queryable, tables: string[]): Promise<Record<string, { rows: number; md5: string | null }>> {
  const out: Record<string, { rows: number; md5: string | null }> = {}
  for (const t of tables) {
    const { rows } = await db.query<{ n: number; md5: string | null }>(
      `SELECT count(*)::int AS n, md5(string_agg(x::text, E'\\n' ORDER BY x::text)) AS md5 FROM ${t} x`,
    )
    out[t] = { rows: rows[0].n, md5: rows[0].md5 }
  }
  return out
}
