/**
 * XSS (issue 9): plan, grid, community and unit names holding HTML reach the editor as text, never as
 * markup, and the editor runs under the server's Content-Security-Policy without a violation.
 * Debian's chromium via playwright-core; skipped when /usr/bin/chromium is missing.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { main, type Running } from '../../server/main.js'
import { ensureWebBuilt } from '../../server/web-build.js'
import { hashPassword } from '../../server/plugins/auth.js'
import { insertUser } from '../../server/repo/users.js'
import type { Db } from '../../server/db/index.js'
import { BACKEND, createTestDb } from '../helpers/db.js'
import { divisionCsv, loadTestDistrict, type TestDistrict } from '../helpers/district.js'

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium'
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
]
const USER = { username: 'xss-planner', password: 'xss-planner-pass' }
const XSS = '<img src=x onerror="window.__xss=1">'

const run = existsSync(CHROMIUM) ? describe : describe.skip

run(`names holding HTML render as text in the editor (${BACKEND})`, () => {
  let server: Running
  let context: BrowserContext
  let page: Page
  let dataDir: string
  let profile: string
  let pgDb: (Db & { url?: string }) | undefined
  const problems: string[] = []
  const xss = () => page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)

  beforeAll(async () => {
    await ensureWebBuilt()
    dataDir = mkdtempSync(join(tmpdir(), 'gw-xss-'))
    profile = mkdtempSync(join(tmpdir(), 'gw-xss-chromium-'))
    // PostgreSQL: a throwaway database of its own; embedded: a throwaway data folder
    if (BACKEND === 'postgres') pgDb = await createTestDb()
    let t: TestDistrict | undefined
    server = await main({ host: '127.0.0.1', port: 0, dataDir, databaseUrl: pgDb?.url, logLevel: 'warn' }, {
      afterMigrate: async (db: Db) => {
        t = await loadTestDistrict(db)
        await db.query('UPDATE communities SET name = $1 || name', [XSS])
        await db.query('UPDATE units SET name = $1', [XSS])
        await insertUser(db, { username: USER.username, passwordHash: await hashPassword(USER.password), role: 'planner', displayName: XSS })
      },
    })
    const api = async (path: string, init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {}) => {
      const r = await fetch(`${server.url}${path}`, {
        method: init.method ?? 'GET',
        headers: { 'content-type': 'application/json', ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...init.headers },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      })
      const json = await r.json()
      if (!r.ok) throw new Error(`${path}: ${r.status} ${JSON.stringify(json)}`)
      return json
    }
    const { token } = await api('/api/auth/login', { method: 'POST', body: USER })
    const imp = await api('/api/plans/import', { method: 'POST', token, body: { districtId: t!.districtId, name: XSS, csv: divisionCsv(t!) } })
    const planId = imp.plan.id as number
    const plan = await api(`/api/plans/${planId}`, { token })
    await api(`/api/plans/${planId}/edits`, {
      method: 'POST', token, headers: { 'if-match': String(plan.version) },
      body: { op: 'rename', target: 'grid', id: plan.gridList[0].id, name: XSS },
    })
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1200, height: 800 }, locale: 'zh-CN' })
    page = context.pages()[0] ?? (await context.newPage())
    await context.route('**/*', (route) => {
      const u = new URL(route.request().url())
      if (u.protocol === 'data:' || u.protocol === 'blob:' || u.hostname === '127.0.0.1') return route.continue()
      problems.push(`external request blocked: ${u.href}`)
      return route.abort()
    })
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) problems.push(`csp: ${m.text()}`)
    })
  }, 300_000)

  afterAll(async () => {
    await context?.close()
    await server?.close()
    await pgDb?.close()
    for (const d of [dataDir, profile]) if (d) rmSync(d, { recursive: true, force: true })
  })

  it('shows the plan and user names as text after login', async () => {
    await page.goto(server.url)
    await page.waitForFunction(() => (window as unknown as { __gridweave?: { ready(): boolean } }).__gridweave?.ready())
    await page.fill('#gw-username', USER.username)
    await page.fill('#gw-password', USER.password)
    await page.click('#gw-login-submit')
    await page.waitForSelector('#gw-user')
    const planButton = page.locator('button[data-plan]').first()
    await planButton.waitFor()
    expect(await planButton.textContent()).toContain(XSS)
    expect(await page.textContent('#gw-user')).toContain(XSS)
    expect(await page.locator('img[src="x"]').count()).toBe(0)
    expect(await xss()).toBeUndefined()
  }, 60_000)

  it('opens the plan (grid, community and unit names loaded) with no script run, CSP violation or page error', async () => {
    await page.locator('button[data-plan]').first().click()
    await page.waitForFunction(() => !!(window as unknown as { __gridweave: { planLoaded(): number | undefined } }).__gridweave.planLoaded(), undefined, { timeout: 60_000 })
    await page.evaluate(() => (window as unknown as { __gridweave: { mapIdle(): Promise<void> } }).__gridweave.mapIdle())
    expect(await page.locator('img[src="x"]').count()).toBe(0)
    expect(await xss()).toBeUndefined()
    expect(problems).toEqual([])
  }, 90_000)
})
