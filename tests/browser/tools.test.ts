/**
 * Issue 8's remaining editor tools in Debian's chromium (playwright-core, no downloaded browser), with the
 * same server, seed and flags as editor.test.ts: grid code labels drawn from our own glyphs, the brush
 * tooltip, lasso selection and the parent brush, each with undo. Screenshots go to .tmp/screenshots/
 * as tools-NN-*.png. With DATABASE_URL the server runs on a throwaway PostgreSQL database. Needs /usr/bin/chromium (apt-get install chromium fonts-noto-cjk); skipped without it.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { main, type Running } from '../../server/main.js'
import { ensureWebBuilt } from '../../server/web-build.js'
import { hashPassword } from '../../server/plugins/auth.js'
import { insertUser } from '../../server/repo/users.js'
import type { Db } from '../../server/db/index.js'
import { demoAssignmentCsv } from './seed.js'
import { BACKEND, createTestDb } from '../helpers/db.js'
import type { TestHooks as Hooks } from '../../web/src/ui/app.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium'
const SHOTS = join(ROOT, '.tmp', 'screenshots')
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
]
const USER = { username: 'planner2', password: 'planner-pass-2' }
type P = { x: number; y: number; grid: string }
type GridNumbers = NonNullable<ReturnType<Hooks['grid']>>

const run = existsSync(CHROMIUM) ? describe : describe.skip

run(`editor tools in chromium: labels, tooltip, lasso, parent brush (${BACKEND})`, () => {
  let server: Running
  let context: BrowserContext
  let page: Page
  let dataDir: string
  let profile: string
  let pgDb: (Db & { url?: string }) | undefined
  const errors: string[] = []
  const glyphResponses: Array<{ url: string; status: number }> = []
  let shot = 0
  let a: P
  let b: P
  let before: { a: GridNumbers; b: GridNumbers }

  const hook = <K extends keyof Hooks>(name: K) =>
    page.evaluate((n) => (window as unknown as Record<string, Record<string, () => unknown>>).__gridweave![n]!(), name) as Promise<Awaited<ReturnType<Hooks[K]>>>
  const gridOf = (code: string) => page.evaluate((c) => (window as unknown as { __gridweave: Hooks }).__gridweave.grid(c), code)
  const idle = () => hook('mapIdle')
  const saved = () => hook('saved')
  const screenshot = async (name: string) => {
    await idle()
    await page.screenshot({ path: join(SHOTS, `tools-${String(++shot).padStart(2, '0')}-${name}.png`) })
  }
  const canvasBox = async () => (await page.locator('#map canvas').boundingBox())!
  /** People are moved, never made or lost: what `a` gained is what every other grid and the unassigned lost. */
  const expectConserved = (pb: Record<string, number>, pa: Record<string, number>, ub: { population: number }, ua: { population: number }, grid: string) => {
    let lostByOthers = 0
    for (const [code, p] of Object.entries(pb)) if (code !== grid) lostByOthers += p - (pa[code] ?? 0)
    expect(pa[grid]! - pb[grid]!).toBe(lostByOthers + ub.population - ua.population)
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true })
    await ensureWebBuilt()
    dataDir = mkdtempSync(join(tmpdir(), 'gw-browser-tools-'))
    profile = mkdtempSync(join(tmpdir(), 'gw-chromium-tools-'))
    // PostgreSQL: a throwaway database of its own (dropped afterwards); embedded: a throwaway data folder
    if (BACKEND === 'postgres') pgDb = await createTestDb()
    server = await main({ host: '127.0.0.1', port: 0, dataDir, databaseUrl: pgDb?.url, logLevel: 'warn' }, {
      afterMigrate: async (db: Db) => {
        const { loadDemo } = (await import('../../fixtures/demo/load.js')) as { loadDemo: (db: Db) => Promise<unknown> }
        await loadDemo(db)
        await insertUser(db, { username: USER.username, passwordHash: await hashPassword(USER.password), role: 'planner', displayName: '规划员二' })
      },
    })
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1400, height: 860 }, locale: 'zh-CN' })
    page = context.pages()[0] ?? (await context.newPage())
    // nothing may leave localhost: the glyphs are ours, Chinese is drawn from the system font
    await context.route('**/*', (route) => {
      const u = new URL(route.request().url())
      if (u.protocol === 'data:' || u.protocol === 'blob:' || u.hostname === '127.0.0.1') return route.continue()
      errors.push(`external request blocked: ${u.href}`)
      return route.abort()
    })
    page.on('response', (r) => {
      if (r.url().includes('/glyphs/')) glyphResponses.push({ url: r.url(), status: r.status() })
    })
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
  }, 300_000)

  afterAll(async () => {
    await context?.close()
    await server?.close()
    await pgDb?.close()
    for (const d of [dataDir, profile]) if (d) rmSync(d, { recursive: true, force: true })
  })

  it('logs in and opens the demo partition', async () => {
    await page.goto(server.url)
    await page.waitForFunction(() => (window as unknown as { __gridweave?: Hooks }).__gridweave?.ready())
    await page.fill('#gw-username', USER.username)
    await page.fill('#gw-password', USER.password)
    await page.click('#gw-login-submit')
    await page.waitForSelector('#gw-user')
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
    // the select tool has no tooltip
    await page.waitForFunction(() => (window as unknown as { __gridweave: Hooks }).__gridweave.tooltip() === null)
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

  it('made no request outside localhost and threw no page errors', () => {
    expect(errors).toEqual([])
  })
})
