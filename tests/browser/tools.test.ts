/**
 * Issue 8's remaining editor tools in Debian's chromium (playwright-core, no downloaded browser), with the
 * same server, seed and flags as editor.test.ts: grid code labels drawn from our own glyphs, the brush
 * tooltip, lasso selection and the parent brush, each with undo. Screenshots go to .tmp/screenshots/
 * as tools-NN-*.png. With DATABASE_URL the server runs on a throwaway PostgreSQL database. Needs /usr/bin/chromium (apt-get install chromium fonts-noto-cjk); skipped without it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { demoAssignmentCsv } from './seed.js'
import { describeInChromium, openSession, pageTools, ROOT, seedDemo, signIn, type Session } from './harness.js'
import { BACKEND } from '../helpers/db.js'
import type { TestHooks as Hooks } from '../../web/src/ui/app.js'

const USER = { username: 'planner2', password: 'planner-pass-2', displayName: '规划员二' }
type P = { x: number; y: number; grid: string }
type GridNumbers = NonNullable<ReturnType<Hooks['grid']>>

describeInChromium(`editor tools in chromium: labels, tooltip, lasso, parent brush (${BACKEND})`, () => {
  let session: Session
  let page: Page
  const glyphResponses: Array<{ url: string; status: number }> = []
  let a: P
  let b: P
  let before: { a: GridNumbers; b: GridNumbers }

  const { hook, idle, gridOf, saved, screenshot } = pageTools(() => page, 'tools-')
  const canvasBox = async () => (await page.locator('#map canvas').boundingBox())!
  /** People are moved, never made or lost: what `a` gained is what every other grid and the unassigned lost. */
  const expectConserved = (pb: Record<string, number>, pa: Record<string, number>, ub: { population: number }, ua: { population: number }, grid: string) => {
    let lostByOthers = 0
    for (const [code, p] of Object.entries(pb)) if (code !== grid) lostByOthers += p - (pa[code] ?? 0)
    expect(pa[grid]! - pb[grid]!).toBe(lostByOthers + ub.population - ua.population)
  }

  beforeAll(async () => {
    // nothing may leave localhost: the glyphs are ours, Chinese is drawn from the system font
    session = await openSession({ name: 'browser-tools', user: USER, seed: seedDemo, database: 'suite' })
    page = session.page
    page.on('response', (r) => {
      if (r.url().includes('/glyphs/')) glyphResponses.push({ url: r.url(), status: r.status() })
    })
  }, 300_000)

  afterAll(async () => {
    await session?.close()
  })

  it('logs in and opens the demo partition', async () => {
    await signIn(page, session.server.url, USER)
    // the partition the CLI makes, brought in with the editor's CSV import (a new plan, opened at once)
    await page.setInputFiles('#gw-import-file', demoAssignmentCsv(ROOT))
    await page.waitForFunction(() => !!(window as unknown as { __gridweave: Hooks }).__gridweave.planLoaded(), undefined, { timeout: 120_000 })
    await page.waitForSelector('#gw-violations')
    const probe = await hook('probe')
    expect(probe?.b, 'two neighbouring grids of one community on screen').toBeDefined()
    a = probe!.a
    b = probe!.b!
    before = { a: (await gridOf(a.grid))!, b: (await gridOf(b.grid))! }
  }, 240_000)

  it('shows a tooltip with the people under the brush and the target grid after the stroke', async () => {
    const box = await canvasBox()
    await page.click('[data-tool="select"]')
    await page.mouse.click(box.x + a.x, box.y + a.y)
    expect((await hook('selected')).grid).toBe(a.grid)
    await page.click('[data-tool="brush"]')
    await page.selectOption('#gw-brush-size', '20')
    await page.mouse.move(box.x + b.x - 2, box.y + b.y - 2)
    await page.mouse.move(box.x + b.x, box.y + b.y)
    await page.waitForFunction(() => (window as unknown as { __gridweave: Hooks }).__gridweave.tooltip() !== null)
    const text = (await hook('tooltip'))!
    // "笔刷下 N 人" and "网格 <a>：+N → M，<status>", led by a status icon
    expect(text).toMatch(/^[✓▲▼⚠ℹ○] /)
    expect(text).toContain('笔刷下')
    expect(text).toContain(`网格 ${a.grid}：+`)
    expect(text).toContain('→')
    await screenshot('brush-tooltip')
    // leaving the map hides it
    await page.mouse.move(box.x - 20, box.y + 10)
    await page.waitForFunction(() => (window as unknown as { __gridweave: Hooks }).__gridweave.tooltip() === null)
  })

  it('lassoes units across the border into the target grid, as one undo step', async () => {
    const box = await canvasBox()
    const pb = await hook('populations')
    const ub = await hook('unassigned')
    await page.locator('#map canvas').focus()
    await page.keyboard.press('l')
    expect(await page.getAttribute('[data-tool="lasso"]', 'aria-pressed')).toBe('true')
    // a freehand ring of radius 30 px around the first point inside b
    const ring = Array.from({ length: 24 }, (_, i) => [b.x + 30 * Math.cos((i / 24) * 2 * Math.PI), b.y + 30 * Math.sin((i / 24) * 2 * Math.PI)] as const)
    await page.mouse.move(box.x + ring[0]![0], box.y + ring[0]![1])
    await page.mouse.down()
    for (const [x, y] of ring.slice(1)) await page.mouse.move(box.x + x, box.y + y)
    await page.waitForFunction(() => (window as unknown as { __gridweave: Hooks }).__gridweave.tooltip()?.includes('套索内'))
    expect(await hook('tooltip')).toContain(`网格 ${a.grid}：+`)
    await screenshot('lasso-drawing')
    await page.mouse.up()
    await saved()
    const afterA = (await gridOf(a.grid))!
    const afterB = (await gridOf(b.grid))!
    expect(afterA.units).toBeGreaterThan(before.a.units)
    expect(afterB.units).toBeLessThan(before.b.units)
    expectConserved(pb, await hook('populations'), ub, await hook('unassigned'), a.grid)
    await screenshot('lassoed')
    await page.keyboard.press('Control+z')
    await saved()
    expect(await gridOf(a.grid)).toEqual(before.a)
    expect(await gridOf(b.grid)).toEqual(before.b)
  })

  it('fills the whole neighbouring grid with the parent brush (P), one undo step, and switches to communities with P again', async () => {
    const box = await canvasBox()
    await page.locator('#map canvas').focus()
    await page.keyboard.press('p')
    expect(await page.getAttribute('[data-tool="parent"]', 'aria-pressed')).toBe('true')
    expect(await page.inputValue('#gw-parent-scope')).toBe('grid')
    await page.mouse.move(box.x + b.x + 1, box.y + b.y)
    await page.mouse.move(box.x + b.x, box.y + b.y)
    await page.waitForFunction(() => (window as unknown as { __gridweave: Hooks }).__gridweave.tooltip() !== null)
    // the preview names the whole of b moving into a
    expect(await hook('tooltip')).toContain('该网格')
    expect(await hook('tooltip')).toContain(`网格 ${a.grid}：+`)
    await screenshot('parent-tooltip')
    await page.mouse.click(box.x + b.x, box.y + b.y)
    await saved()
    const afterA = (await gridOf(a.grid))!
    expect((await gridOf(b.grid))!.units).toBe(0)
    expect(afterA.units).toBe(before.a.units + before.b.units)
    expect(afterA.population).toBe(before.a.population + before.b.population)
    await screenshot('parent-filled')
    await page.keyboard.press('Control+z')
    await saved()
    expect(await gridOf(a.grid)).toEqual(before.a)
    expect(await gridOf(b.grid)).toEqual(before.b)
    await page.locator('#map canvas').focus()
    await page.keyboard.press('p')
    expect(await page.inputValue('#gw-parent-scope')).toBe('community')
    await page.keyboard.press('v')
    // the select tool has no tooltip, and none is left on screen
    await page.waitForFunction(() => (window as unknown as { __gridweave: Hooks }).__gridweave.tooltip() === null)
    expect(await page.isVisible('#gw-brush-tooltip')).toBe(false)
  })

  it('labels grids with their codes from the glyphs we serve', async () => {
    // the probe fitted one grid; two steps closer, every grid label has room to be placed somewhere
    await page.click('.maplibregl-ctrl-zoom-in')
    await idle()
    await page.click('.maplibregl-ctrl-zoom-in')
    await idle()
    const labels = await hook('gridLabels')
    const codes = Object.keys(await hook('populations'))
    expect(labels.length).toBeGreaterThan(0)
    for (const l of labels) expect(codes).toContain(l)
    // one label per grid, however many tiles the grid spans
    expect(new Set(labels).size).toBe(labels.length)
    expect(glyphResponses.length).toBeGreaterThan(0)
    for (const r of glyphResponses) expect(r.status, r.url).toBe(200)
    expect(glyphResponses.map((r) => new URL(r.url).pathname)).toContain('/glyphs/DejaVuSans-Bold/0-255.pbf')
    // hidden with the grids layer, back with it
    await page.uncheck('#gw-layer-grids')
    await idle()
    expect(await hook('gridLabels')).toEqual([])
    await page.check('#gw-layer-grids')
    await idle()
    expect((await hook('gridLabels')).length).toBeGreaterThan(0)
    await screenshot('grid-labels')
  })

  it('shows the events heat map from the events tiles when its layer is switched on', async () => {
    const events: number[] = []
    page.on('response', (r) => {
      if (r.url().includes('/api/tiles/events/')) events.push(r.status())
    })
    await page.check('#gw-layer-events')
    await idle()
    expect(events.length, 'events tiles asked for').toBeGreaterThan(0)
    for (const status of events) expect([200, 204, 304]).toContain(status)
    await screenshot('events-heat')
    await page.uncheck('#gw-layer-events')
  })

  it('made no request outside localhost and threw no page errors', () => {
    expect(session.problems).toEqual([])
  })
})
