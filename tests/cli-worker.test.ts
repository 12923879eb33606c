import { spawn } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { BACKEND, createTestDb } from './helpers/db.js'

function run(env: Record<string, string>, stopWhenStarted: boolean) {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/cli/main.ts', 'worker'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  let signalled = false
  proc.stdout.on('data', (d) => {
    out += d
    if (stopWhenStarted && !signalled && out.includes('"started"')) {
      signalled = true
      proc.kill('SIGTERM')
    }
  })
  proc.stderr.on('data', (d) => (err += d))
  const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000)
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) =>
    proc.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, out, err })
    }),
  )
}

describe('gridweave worker', () => {
  it('refuses with exit 2 without DATABASE_URL, saying why', async () => {
    const r = await run({ DATABASE_URL: '' }, false)
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/DATABASE_URL is not set/)
  })

  it.skipIf(BACKEND !== 'postgres')('starts on PostgreSQL and stops cleanly on SIGTERM', async () => {
    const db = await createTestDb()
    try {
      const r = await run({ DATABASE_URL: db.url! }, true)
      expect(r.code, JSON.stringify(r)).toBe(0)
      const lines = r.out.trim().split('\n').map((l) => JSON.parse(l))
      expect(lines.map((l) => l.status)).toEqual(['started', 'stopped'])
    } finally {
      await db.close()
    }
  })
})
