/**
 * XSS (issue 9): plan, grid, community and unit names holding HTML reach the editor as text, never as
 * markup, and the editor runs under the server's Content-Security-Policy without a violation.
 * Debian's chromium via playwright-core; skipped when /usr/bin/chromium is missing.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import type { Db } from '../../server/db/index.js'
import { BACKEND } from '../helpers/db.js'
import { divisionCsv, loadTestDistrict, type TestDistrict } from '../helpers/district.js'
import { describeInChromium, openSession, signIn, type Session } from './harness.js'

const XSS = '<img src=x onerror="window.__xss=1">'
const USER = { username: 'xss-planner', password: 'xss-planner-pass', displayName: XSS }

describeInChromium(`names holding HTML render as text in the editor (${BACKEND})`, () => {
  let session: Session
  let page: Page
  const xss = () => page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)

  beforeAll(async () => {
    let t: TestDistrict | undefined
    session = await openSession({
      name: 'xss', user: USER, database: 'suite', viewport: { width: 1200, height: 800 },
      seed: async (db: Db) => {
        t = await loadTestDistrict(db)
        await db.query('UPDATE communities SET name = $1 || name', [XSS])
        await db.query('UPDATE units SET name = $1', [XSS])
      },
    })
    page = session.page
    const server = session.server
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
    const { token } = await api('/api/auth/login', { method: 'POST', body: { username: USER.username, password: USER.password } })
    const imp = await api('/api/plans/import', { method: 'POST', token, body: { districtId: t!.districtId, name: XSS, csv: divisionCsv(t!) } })
    const planId = imp.plan.id as number
    const plan = await api(`/api/plans/${planId}`, { token })
    await api(`/api/plans/${planId}/edits`, {
      method: 'POST', token, headers: { 'if-match': String(plan.version) },
      body: { op: 'rename', target: 'grid', id: plan.gridList[0].id, name: XSS },
    })
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) session.problems.push(`csp: ${m.text()}`)
    })
  }, 300_000)

  afterAll(async () => {
    await session?.close()
  })

  it('shows the plan and user names as text after login', async () => {
    await signIn(page, session.server.url, USER)
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
    expect(session.problems).toEqual([])
  }, 90_000)
})
