import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BACKEND, createTestDb } from './helpers/db.js'

// `npm start` as a newcomer runs it: build the editor if stale, migrate, load the demo, serve.
// Uses a temporary data folder (embedded) or a fresh database (PostgreSQL); port 0 = any free port.

interface Started {
  proc: ChildProcess
  url: string
  output: () => string
  exited: Promise<number | null>
}

function start(env: Record<string, string>): Promise<Started> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/start.ts'], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 150 s:\n${out}`)), 150_000)
    const onData = (d: Buffer) => {
      out += d.toString()
      const m = /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve({ proc, url: m[1], output: () => out, exited })
      }
    }
    proc.stdout!.on('data', onData)
    proc.stderr!.on('data', onData)
    exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code} before listening:\n${out}`))
    })
  })
}

describe(`npm start on ${BACKEND}`, () => {
  let dir: string
  let env: Record<string, string>
  let dropDb: (() => Promise<void>) | undefined
  let server: Started

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gridweave-start-'))
    env = { DATA_DIR: dir, DATABASE_URL: '' }
    if (BACKEND === 'postgres') {
      const db = await createTestDb({ migrated: false })
      env.DATABASE_URL = db.url!
      // keep the database until the end; close our own pool now
      dropDb = () => db.close()
    }
    server = await start(env)
  })

  afterAll(async () => {
    if (server && server.proc.exitCode === null) server.proc.kill('SIGKILL')
    await dropDb?.()
    rmSync(dir, { recursive: true, force: true })
  })

  it('serves /health, the map page and the OpenAPI document', async () => {
    const h = await fetch(`${server.url}/health`)
    expect(h.status).toBe(200)
    expect(await h.json()).toMatchObject({ status: 'ok', backend: BACKEND, postgis: expect.stringMatching(/^3\./) })
    const page = await fetch(`${server.url}/`)
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toMatch(/<div id="map"/)
    expect(html).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/) // nothing fetched from another host
    const docs = await fetch(`${server.url}/docs/json`)
    expect(docs.status).toBe(200)
    expect((await docs.json()).paths).toHaveProperty('/health')
  })

  it.skipIf(BACKEND === 'postgres')('refuses a second process on the same data folder, naming the holder', async () => {
    const second = spawn(process.execPath, ['--import', 'tsx', 'server/start.ts'], {
      env: { ...process.env, ...env, PORT: '0', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let err = ''
    second.stderr.on('data', (d) => (err += d))
    const code = await new Promise((resolve) => second.on('exit', resolve))
    expect(code).toBe(1)
    expect(err).toMatch(/in use by process \d+/)
  })

  it('shuts down gracefully on SIGTERM and starts again on the same data', async () => {
    server.proc.kill('SIGTERM')
    expect(await server.exited).toBe(0)
    server = await start(env)
    const h = await fetch(`${server.url}/health`)
    expect(h.status).toBe(200)
    const d = await fetch(`${server.url}/api/areas?level=district`)
    expect(d.status).toBe(200)
    // the demo (when present) is loaded once, never twice
    expect((await d.json()).features.length).toBeLessThanOrEqual(1)
    server.proc.kill('SIGTERM')
    expect(await server.exited).toBe(0)
  })
})
