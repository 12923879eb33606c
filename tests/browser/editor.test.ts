/**
 * The editor end to end in Debian's chromium (playwright-core, no downloaded browser): the real server
 * in-process on 127.0.0.1 with the demo district in a throwaway embedded database. Follows issue 8's
 * "Done when" as far as the API goes; each step saves a screenshot under .tmp/screenshots/.
 * Needs /usr/bin/chromium (apt-get install chromium fonts-noto-cjk); skipped when it is missing.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { demoAssignmentCsv } from './seed.js'
import { describeInChromium, openSession, pageTools, ROOT, seedDemo, SHOTS, signIn, type Session } from './harness.js'
import type { TestHooks } from '../../web/src/ui/app.js'

const USER = { username: 'planner1', password: 'planner-pass-1', displayName: '规划员' }

// The page's test hooks, typed from the editor itself (a type-only import: nothing of web/ runs in Node).
type Hooks = TestHooks
type P = { x: number; y: number; grid: string }

describeInChromium('map editor in chromium', () => {
  let session: Session
  let server: Session['server']
  let page: Page
  let paths = new Set<string>()
  const has = (m: string, p: string) => paths.has(`${m} ${p}`)
  const { hook, idle, gridOf, saved, screenshot } = pageTools(() => page)
  let probe: { a: P; b?: P; c?: P } | undefined
  let before: { a?: ReturnType<Hooks['grid']>; b?: ReturnType<Hooks['grid']> } = {}
  let originalPlan: number | undefined

  beforeAll(async () => {
    session = await openSession({ name: 'browser', user: USER, seed: seedDemo, database: 'embedded', acceptDownloads: true })
    ;({ server, page } = session)
    const doc = (await (await fetch(`${server.url}/docs/json`)).json()) as { paths: Record<string, Record<string, unknown>> }
    paths = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{[^}]+\}/g, '{}')}`)))
  }, 300_000)

  afterAll(async () => {
    await session?.close()
  })

  it('logs in', async () => {
    await signIn(page, server.url, USER, () => screenshot('login'))
    await page.waitForFunction(() => (window as unknown as { __gridweave: Hooks }).__gridweave.ready())
    expect(await page.textContent('#gw-user')).toContain('规划员')
    await screenshot('logged-in')
  })

  it('creates a plan by automatic partition (or, without a partition job route, by importing the CLI partition) and waits for it', async () => {
    if (has('POST', '/api/plans/{}/partition') || has('POST', '/api/jobs') || has('POST', '/api/plans/{}/jobs')) {
      await page.click('#gw-create')
      await page.fill('#gw-new-min', '600')
      await page.fill('#gw-new-max', '1000')
      await screenshot('partition-dialog')
      await page.click('#gw-start')
      await page.waitForFunction(() => !!(window as unknown as { __gridweave: Hooks }).__gridweave.planLoaded(), undefined, { timeout: 120_000 })
    } else {
      // No partition job route yet: the same engine through the CLI, brought in with the editor's CSV import.
      const csv = demoAssignmentCsv(ROOT)
      await page.setInputFiles('#gw-import-file', csv)
      await page.waitForFunction(() => !!(window as unknown as { __gridweave: Hooks }).__gridweave.planLoaded(), undefined, { timeout: 120_000 })
    }
    originalPlan = await page.evaluate(() => (window as unknown as { __gridweave: Hooks }).__gridweave.planLoaded())
    await page.waitForSelector('#gw-violations')
    await screenshot('plan-open')
    // keep the partition as it came out; edits go to a copy so we can compare with it
    await page.click('.gw-plans li.gw-current button:text-is("复制")')
    await page.waitForFunction((id) => {
      const p = (window as unknown as { __gridweave: Hooks }).__gridweave.planLoaded()
      return p !== undefined && p !== id
    }, originalPlan)
    await screenshot('plan-copied')
  }, 240_000)

  it('paints units from one grid into its neighbour and both grids change', async () => {
    probe = await hook('probe')
    expect(probe?.b, 'two neighbouring grids on screen').toBeDefined()
    const { a, b } = probe as { a: P; b: P }
    before = { a: await gridOf(a.grid), b: await gridOf(b.grid) }
    const unassignedBefore = await hook('unassigned')
    const populationsBefore = await hook('populations')
    const box = (await page.locator('#map canvas').boundingBox())!
    // select grid a (the brush target), then paint across the border into b
    await page.mouse.click(box.x + a.x, box.y + a.y)
    expect((await hook('selected')).grid).toBe(a.grid)
    await page.click('[data-tool="brush"]')
    await page.selectOption('#gw-brush-size', '10')
    await page.mouse.move(box.x + b.x, box.y + b.y)
    await page.mouse.down()
    for (let i = 1; i <= 4; i++) await page.mouse.move(box.x + b.x + i, box.y + b.y + i)
    // the edit round trip: end of the drag until the server accepted the edit
    const t0 = Date.now()
    await page.mouse.up()
    await saved()
    const roundTrip = Date.now() - t0
    const afterA = await gridOf(a.grid)
    const afterB = await gridOf(b.grid)
    expect(afterA!.units).toBeGreaterThan(before.a!.units)
    expect(afterB!.units).toBeLessThan(before.b!.units)
    // a gains exactly what the other grids under the brush (b, and any third grid meeting them there)
    // lost, plus any unassigned units it took: people are moved, never made or lost
    const unassignedAfter = await hook('unassigned')
    const populationsAfter = await hook('populations')
    let lostByOthers = 0
    for (const [code, p] of Object.entries(populationsBefore)) if (code !== a.grid) lostByOthers += p - (populationsAfter[code] ?? 0)
    expect(afterA!.population - before.a!.population).toBe(lostByOthers + unassignedBefore.population - unassignedAfter.population)
    expect(before.b!.population - afterB!.population).toBeGreaterThanOrEqual(0)
    // the panel shows the selected grid's new number
    expect(await page.textContent('[data-field="grid-population"]')).toContain(String(afterA!.population).slice(0, 1))
    const step = await hook('lastStepMs')
    console.log(`brush step ${step.toFixed(1)} ms; edit round trip (mouse up → saved) ${roundTrip} ms (measured, not asserted)`)
    await screenshot('painted')
  })

  it('undoes the stroke with Ctrl+Z and redoes it with Ctrl+Shift+Z', async () => {
    const { a, b } = probe as { a: P; b: P }
    await page.locator('#map canvas').focus()
    await page.keyboard.press('Control+z')
    await saved()
    expect(await gridOf(a.grid)).toEqual(before.a)
    expect(await gridOf(b.grid)).toEqual(before.b)
    await screenshot('undone')
    await page.keyboard.press('Control+Shift+z')
    await saved()
    expect((await gridOf(a.grid))!.units).toBeGreaterThan(before.a!.units)
  })

  it('assigns a grid to another police cell', async () => {
    const { a, c } = probe as { a: P; c: P }
    const box = (await page.locator('#map canvas').boundingBox())!
    await page.click('[data-tool="select"]')
    await page.mouse.click(box.x + a.x, box.y + a.y)
    const cellA = (await gridOf(a.grid))!.cell
    await page.click('[data-tool="assign"]')
    await page.mouse.click(box.x + c.x, box.y + c.y)
    await saved()
    expect((await gridOf(c.grid))!.cell).toBe(cellA)
    await screenshot('assigned-cell')
  })

  it('compares with the plan before the edits', async () => {
    await page.selectOption('#gw-compare-with', String(originalPlan))
    await page.click('#gw-compare')
    await page.waitForSelector('#gw-compare-facts')
    expect(await page.textContent('#gw-compare-facts')).toMatch(/变动基础单元:\s*[1-9]/)
    await screenshot('compared')
  })

  it('exports GeoJSON', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-export="geojson"]')])
    const file = join(SHOTS, '..', 'export.geojson')
    await download.saveAs(file)
    const fc = JSON.parse(readFileSync(file, 'utf8')) as { type: string; features: unknown[] }
    expect(fc.type).toBe('FeatureCollection')
    expect(fc.features.length).toBeGreaterThan(100)
    await screenshot('exported')
  })

  it('shows "someone else changed this plan" on a stale edit, and reloads', async () => {
    const planId = await hook('planLoaded')
    // another user's edit behind the editor's back: lock a grid through the API
    const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: USER.username, password: USER.password }) })
    const { token } = (await login.json()) as { token: string }
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
    const plan = (await (await fetch(`${server.url}/api/plans/${planId}`, { headers: auth })).json()) as { version: number; gridList: Array<{ id: number; code: string }> }
    const other = plan.gridList.find((g) => g.code !== probe!.a.grid)!
    const r = await fetch(`${server.url}/api/plans/${planId}/edits`, { method: 'POST', headers: { ...auth, 'if-match': `"${plan.version}"` }, body: JSON.stringify({ op: 'lock', target: 'grid', ids: [other.id], locked: true }) })
    expect(r.status).toBeLessThan(300)
    // the editor still holds the old version: its next edit is refused with 409
    await page.click('#gw-lock')
    await page.waitForSelector('#gw-conflict')
    await screenshot('conflict')
    await page.click('#gw-conflict button')
    await page.waitForFunction((v) => {
      const g = (window as unknown as { __gridweave: Hooks }).__gridweave
      return g.planLoaded() !== undefined && !document.getElementById('gw-conflict')
    }, plan.version)
    expect(await page.isVisible('#gw-conflict')).toBe(false)
  })

  it('switches to English and keeps it after a reload', async () => {
    await page.selectOption('#gw-lang', 'en')
    expect(await page.textContent('#gw-header h1')).toBe('gridweave grid planning')
    expect(await page.textContent('[data-tool="brush"]')).toContain('Brush')
    await screenshot('english')
    await page.reload()
    await page.waitForSelector('#gw-user')
    expect(await page.textContent('#gw-header h1')).toBe('gridweave grid planning')
    // the open plan comes back too (a reload reopens it from scratch: as slow as the first open, so the
    // same 120 s bound as the other plan loads when the two CI workers share the cores)
    await page.waitForFunction(() => (window as unknown as { __gridweave: Hooks }).__gridweave.planLoaded() !== undefined, undefined, { timeout: 120_000 })
    await screenshot('english-reloaded')
  }, 180_000)

  it('shows the shortcut sheet on ?', async () => {
    await page.locator('#map canvas').focus()
    await page.keyboard.press('Shift+?')
    await page.waitForSelector('#gw-shortcuts')
    await screenshot('shortcuts')
    await page.keyboard.press('Escape')
  })

  it('made no request outside localhost and threw no page errors', () => {
    expect(session.problems).toEqual([])
  })
})
