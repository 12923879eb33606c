/**
 * What every browser test shares: Debian's chromium through playwright-core (never a downloaded browser)
 * with the flags of DEVELOPERS.md, the real server in-process on 127.0.0.1 with a throwaway database
 * (a data folder, or on PostgreSQL a database of its own), a page that may not reach beyond localhost,
 * the editor's test hooks and numbered screenshots under .tmp/screenshots/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe } from 'vitest'
import type { BrowserContext, Page } from 'playwright-core'
import { main, type Running } from '../../server/main.js'
import { ensureWebBuilt } from '../../server/web-build.js'
import { hashPassword } from '../../server/plugins/auth.js'
import { insertUser } from '../../server/repo/users.js'
import type { Role } from '../../server/repo/users.js'
import type { Db } from '../../server/db/index.js'
import { createTestDb } from '../helpers/db.js'
import { CHROMIUM, launchChromium } from './chromium.js'
import type { TestHooks } from '../../web/src/ui/app.js'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const SHOTS = join(ROOT, '.tmp', 'screenshots')

/** `describe` when chromium is installed (apt-get install chromium fonts-noto-cjk), else `describe.skip`. */
export const describeInChromium = existsSync(CHROMIUM) ? describe : describe.skip

export interface BrowserUser {
  username: string
  password: string
  role?: Role
  displayName: string
}

export interface Session {
  server: Running
  context: BrowserContext
  page: Page
  /** Requests blocked for leaving localhost, page errors, and what `watch` adds. */
  problems: string[]
  close(): Promise<void>
}

/**
 * Starts the server (migrated, `seed` run, `user` created) and a chromium whose page can reach only
 * 127.0.0.1. `database: 'suite'` runs on the suite's backend (a throwaway PostgreSQL database when
 * DATABASE_URL is set); `'embedded'` always on a throwaway data folder.
 */
export async function openSession(opts: {
  name: string
  user: BrowserUser
  seed: (db: Db) => Promise<void>
  database: 'suite' | 'embedded'
  viewport?: { width: number; height: number }
  acceptDownloads?: boolean
}): Promise<Session> {
  mkdirSync(SHOTS, { recursive: true })
  await ensureWebBuilt()
  const dataDir = mkdtempSync(join(tmpdir(), `gw-${opts.name}-`))
  const profile = mkdtempSync(join(tmpdir(), `gw-${opts.name}-chromium-`))
  const pgDb = opts.database === 'suite' && process.env.DATABASE_URL ? await createTestDb() : undefined
  const { user } = opts
  const server = await main({ host: '127.0.0.1', port: 0, dataDir, databaseUrl: pgDb?.url, logLevel: 'warn' }, {
    afterMigrate: async (db: Db) => {
      await opts.seed(db)
      await insertUser(db, { username: user.username, passwordHash: await hashPassword(user.password), role: user.role ?? 'planner', displayName: user.displayName })
    },
  })
  const { context, page, problems } = await launchChromium(profile, {
    viewport: opts.viewport ?? { width: 1400, height: 860 },
    acceptDownloads: opts.acceptDownloads ?? false,
  })
  return {
    server, context, page, problems,
    async close() {
      await context.close()
      await server.close()
      await pgDb?.close()
      for (const d of [dataDir, profile]) rmSync(d, { recursive: true, force: true })
    },
  }
}

/** The demo district, for `seed`. */
export async function seedDemo(db: Db) {
  const { loadDemo } = (await import('../../fixtures/demo/load.js')) as { loadDemo: (db: Db) => Promise<unknown> }
  await loadDemo(db)
}

/** The editor's test hooks (typed from the editor itself) and numbered screenshots `<prefix>NN-<name>.png`. */
export function pageTools(page: () => Page, prefix = '') {
  let shot = 0
  const hook = <K extends keyof TestHooks>(name: K, arg?: unknown) =>
    page().evaluate(([n, a]) => (window as unknown as Record<string, Record<string, (x: unknown) => unknown>>).__gridweave![n as string]!(a), [name, arg] as const) as Promise<Awaited<ReturnType<TestHooks[K]>>>
  const idle = () => hook('mapIdle')
  return {
    hook,
    idle,
    saved: () => hook('saved'),
    gridOf: (code: string) => page().evaluate((c) => (window as unknown as { __gridweave: TestHooks }).__gridweave.grid(c), code),
    async screenshot(name: string) {
      await idle()
      await page().screenshot({ path: join(SHOTS, `${prefix}${String(++shot).padStart(2, '0')}-${name}.png`) })
    },
  }
}

/** Opens the editor and signs in through its form; `before` runs with the form filled, before submitting. */
export async function signIn(page: Page, url: string, user: BrowserUser, before?: () => Promise<void>) {
  await page.goto(url)
  await page.waitForFunction(() => (window as unknown as { __gridweave?: { ready(): boolean } }).__gridweave?.ready())
  await page.fill('#gw-username', user.username)
  await page.fill('#gw-password', user.password)
  await before?.()
  await page.click('#gw-login-submit')
  await page.waitForSelector('#gw-user')
}
