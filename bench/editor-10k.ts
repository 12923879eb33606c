// Editor benchmark on the 10k-unit ladder city (issue 8: "panning and zooming stay smooth (tiles, not one
// big GeoJSON) and an edit round trip is under 300 ms in the browser test (measured, not asserted)").
// Not a test: slow (generation, load, partition job, chromium), never part of `npm test`.
//
//   npx tsx bench/editor-10k.ts                         fresh temporary embedded database
//   DATABASE_URL=postgres://… npx tsx bench/editor-10k.ts  a fresh database on that PostgreSQL (dropped after)
//   env: UNITS=10000 (ladder size), STROKES=24, CHROMIUM=/usr/bin/chromium, WRITE=1 (update bench/RESULTS.md)
//
// Generates fixtures/ladder/<UNITS>/ when missing (fixtures/demo/generate.ts --units N), loads it with
// fixtures/demo/load.ts, starts the real server (server/main.ts) on 127.0.0.1:0, drives Debian chromium
// headless with the browser test's flags, logs in, creates a plan by automatic partition (partition and
// cells jobs), and measures:
//   (a) opening the plan: click in the plan list -> plan state loaded -> the map's first `idle`;
//   (b) ~20 scripted pans and zooms: requestAnimationFrame deltas and 'longtask' entries collected in the
//       page, and which requests the map made meanwhile (.mvt tiles vs GeoJSON);
//   (c) brush strokes moving units between two neighbouring grids, back and forth: mouse-up -> the
//       editor's `saved()` hook (every queued edit acknowledged by the server), plus the POST /edits
//       duration from the page's resource timing and the time until the refreshed outlines are drawn.
// Screenshots go to .tmp/screenshots-10k/.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cpus, loadavg, totalmem } from 'node:os'
import pg from 'pg'
import type { BrowserContext, Page } from 'playwright-core'
import { main, type Running } from '../server/main.js'
import { ensureWebBuilt } from '../server/web-build.js'
import { hashPassword } from '../server/plugins/auth.js'
import { insertUser } from '../server/repo/users.js'
import type { Db } from '../server/db/index.js'
import { loadDemo } from '../fixtures/demo/load.js'
import { launchChromium } from '../tests/browser/chromium.js'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const UNITS = Number(process.env.UNITS ?? 10_000)
const STROKES = Number(process.env.STROKES ?? 24)
const SHOTS = join(ROOT, '.tmp', 'screenshots-10k')
const LADDER = join(ROOT, 'fixtures', 'ladder', String(UNITS))
const USER = { username: 'planner1', password: 'planner-pass-1' }
const VIEWPORT = { width: 1400, height: 860 }

type P = { x: number; y: number; grid: string }
interface Hooks {
  mapIdle(): Promise<void>
  ready(): boolean
  planLoaded(): number | undefined
  saved(): Promise<void>
  topologyReady?(): Promise<boolean>
  grid(code: string): { population: number; households: number; units: number; cell: string | null; locked: boolean } | undefined
  selected(): { grid: string | null; cell: string | null }
  probe(): Promise<{ a: P; b?: P; c?: P } | undefined>
}
type W = Window & { __gridweave: Hooks; __bench?: { frames: number[]; longTasks: Array<{ start: number; duration: number }>; stop: () => void; last: number } }

const log = (msg: string) => process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`)
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]! : NaN
}
const r1 = (x: number) => Math.round(x * 10) / 10
const ms = (x: number) => `${Math.round(x)} ms`

function ensureLadder(): void {
  if (existsSync(join(LADDER, 'units.geojson')) && existsSync(join(LADDER, 'events.geojson'))) return
  log(`generating the ${UNITS}-unit ladder city into ${LADDER}`)
  execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'fixtures/demo/generate.ts'), '--units', String(UNITS)], { cwd: ROOT, stdio: 'inherit' })
}

async function freshPostgres(url: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `gw_bench_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const u = new URL(url)
  u.pathname = `/${name}`
  return {
    url: u.toString(),
    drop: async () => {
      const a = new pg.Client({ connectionString: url })
      await a.connect()
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await a.end()
    },
  }
}

async function run() {
  const uptimeBefore = execFileSync('uptime', { encoding: 'utf8' }).trim()
  log(uptimeBefore)
  mkdirSync(SHOTS, { recursive: true })
  ensureLadder()
  const unitCount = (JSON.parse(readFileSync(join(LADDER, 'units.geojson'), 'utf8')) as { features: unknown[] }).features.length
  await ensureWebBuilt()

  const backend = process.env.DATABASE_URL ? 'postgres' : 'pglite'
  const pgdb = process.env.DATABASE_URL ? await freshPostgres(process.env.DATABASE_URL) : undefined
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-bench10k-'))
  const profile = mkdtempSync(join(tmpdir(), 'gw-chromium-'))
  let server: Running | undefined
  let context: BrowserContext | undefined
  try {
    let loadMs = 0
    const t0 = performance.now()
    server = await main({ host: '127.0.0.1', port: 0, dataDir, databaseUrl: pgdb?.url, logLevel: 'warn' }, {
      afterMigrate: async (db: Db) => {
        const t = performance.now()
        await loadDemo(db, { dir: LADDER })
        loadMs = performance.now() - t
        await insertUser(db, { username: USER.username, passwordHash: await hashPassword(USER.password), role: 'planner', displayName: '规划员' })
      },
    })
    log(`server up on ${server.url} (${backend}); ladder load ${ms(loadMs)}, start total ${ms(performance.now() - t0)}`)

    // the browser tests' chromium (tests/browser/chromium.ts)
    const launched = await launchChromium(profile, { viewport: VIEWPORT })
    context = launched.context
    const { page, problems: errors } = launched
    // tsx keeps function names with an __name helper that functions sent to the page still call
    await context.addInitScript('window.__name = (f) => f')
    // every finished request: url and body size
    const requests: Array<{ at: number; method: string; url: string; bytes: number }> = []
    page.on('requestfinished', (req) => {
      void req.sizes().then(
        (s) => requests.push({ at: performance.now(), method: req.method(), url: req.url(), bytes: s.responseBodySize }),
        () => requests.push({ at: performance.now(), method: req.method(), url: req.url(), bytes: 0 }),
      )
    })
    const hook = <T>(fn: (g: Hooks) => T | Promise<T>) => page.evaluate(`(${fn.toString()})(window.__gridweave)`) as Promise<T>

    // ---- log in ----
    await page.goto(server.url)
    await page.waitForFunction(() => (window as unknown as W).__gridweave?.ready())
    await page.fill('#gw-username', USER.username)
    await page.fill('#gw-password', USER.password)
    await page.click('#gw-login-submit')
    await page.waitForSelector('#gw-user')
    await page.waitForFunction(() => (window as unknown as W).__gridweave.ready())
    log('logged in')

    // ---- automatic partition (partition + cells jobs), opened by the editor when done ----
    await page.click('#gw-create')
    await page.fill('#gw-new-min', '600')
    await page.fill('#gw-new-max', '1000')
    const tJob = performance.now()
    await page.click('#gw-start')
    await page.waitForFunction(() => !!(window as unknown as W).__gridweave.planLoaded(), undefined, { timeout: 900_000, polling: 250 })
    const jobMs = performance.now() - tJob
    const planId = (await hook((g) => g.planLoaded()))!
    await hook((g) => g.mapIdle())
    log(`partition + cells jobs and first open: ${ms(jobMs)} (plan ${planId})`)
    const info = (await page.evaluate(async (id) => {
      const token = sessionStorage.getItem('gridweave.token')
      const r = await fetch(`/api/plans/${id}`, { headers: { authorization: `Bearer ${token}` } })
      const p = (await r.json()) as { gridList?: unknown[]; cellList?: unknown[]; version: number }
      return { grids: p.gridList?.length ?? 0, cells: p.cellList?.length ?? 0 }
    }, planId)) as { grids: number; cells: number }
    log(`plan: ${info.grids} grids, ${info.cells} cells`)

    // ---- (a) open: copy the plan (the editor opens the copy), clear the HTTP cache, open the original ----
    await page.click('.gw-plans li.gw-current button:text-is("复制")')
    await page.waitForFunction((id) => {
      const p = (window as unknown as W).__gridweave.planLoaded()
      return p !== undefined && p !== id
    }, planId, { timeout: 300_000 })
    await hook((g) => g.mapIdle())
    // let the copy finish loading (extents and adjacency too), so none of its requests count for the next open
    await hook((g) => g.topologyReady?.())
    const cdp = await context.newCDPSession(page)
    const opens: Array<{ loaded: number; idle: number; topology: number; adjacency: boolean; applyMs: number; longTasks: number; longMax: number; bytes: number; parts: string }> = []
    for (let i = 0; i < 2; i++) {
      // the copy is open: clear the HTTP cache, then open the original (twice, going back to the copy between)
      const target = planId
      if (i > 0) {
        await page.click('.gw-plans li:not(.gw-current) button.gw-link')
        await page.waitForFunction((id) => (window as unknown as W).__gridweave.planLoaded() !== id, target, { timeout: 300_000 })
        await hook((g) => g.mapIdle())
        await hook((g) => g.topologyReady?.())
      }
      await cdp.send('Network.clearBrowserCache')
      const reqFrom = requests.length
      const r = (await page.evaluate(async (id) => {
        const g = (window as unknown as W).__gridweave
        // main-thread tasks over 50 ms while the plan opens (parsing, adjacency, painting)
        const long: number[] = []
        let obs: PerformanceObserver | undefined
        try {
          obs = new PerformanceObserver((l) => {
            for (const e of l.getEntries()) long.push(e.duration)
          })
          obs.observe({ type: 'longtask' })
        } catch {
          // no longtask support
        }
        const t = performance.now()
        ;(document.querySelector(`[data-plan="${id}"]`) as HTMLButtonElement).click()
        await new Promise<void>((res) => {
          const poll = () => (g.planLoaded() === id ? res() : setTimeout(poll, 2))
          poll()
        })
        const loaded = performance.now() - t
        await g.mapIdle()
        const idle = performance.now() - t
        // unit extents and adjacency (live contiguity, neighbour colours) may arrive after the first idle
        const adjacency = (await g.topologyReady?.()) ?? false
        const topology = performance.now() - t
        // the editor's own main-thread work of taking extents and adjacency in (recolour, repaint), when it says
        const applyMs = performance.getEntriesByName('gridweave:topology').at(-1)?.duration ?? NaN
        performance.clearMeasures('gridweave:topology')
        await new Promise((res) => setTimeout(res, 200))
        obs?.disconnect()
        return { loaded, idle, topology, adjacency, applyMs, longTasks: long.length, longMax: Math.max(0, ...long) }
      }, target)) as { loaded: number; idle: number; topology: number; adjacency: boolean; applyMs: number; longTasks: number; longMax: number }
      await new Promise((res) => setTimeout(res, 300))
      const got = requests.slice(reqFrom)
      // bytes on open by kind: plan JSON (plan, units, metrics...), the units GeoJSON, topology, tiles
      const kind = (u: string) => (u.includes('.mvt') ? 'tiles' : u.includes('export.geojson') ? 'GeoJSON' : u.includes('/topology') ? 'topology' : u.includes('/api/') ? 'other API' : 'static')
      const by = new Map<string, number>()
      for (const q of got) by.set(kind(q.url), (by.get(kind(q.url)) ?? 0) + q.bytes)
      const bytes = got.filter((q) => kind(q.url) !== 'static').reduce((a, q) => a + q.bytes, 0)
      const parts = ['other API', 'GeoJSON', 'topology', 'tiles'].filter((k) => by.has(k)).map((k) => `${k} ${r1(by.get(k)! / 1e3)} kB`).join(', ')
      opens.push({ ...r, bytes, parts })
      const big = got.filter((q) => q.url.includes('export.geojson')).map((q) => `${new URL(q.url).searchParams.get('layer')} ${r1(q.bytes / 1e6)} MB`)
      log(`open ${i + 1}: state ${ms(r.loaded)}, first idle ${ms(r.idle)}, extents + adjacency ${ms(r.topology)} (${r.adjacency ? 'adjacency on' : 'NO adjacency'}; taking it in ${r1(r.applyMs)} ms); long tasks ${r.longTasks}, longest ${ms(r.longMax)}; ${r1(bytes / 1e6)} MB from the API (${parts}); ${got.filter((q) => q.url.includes('.mvt')).length} tiles; GeoJSON: ${big.join(', ') || 'none'}`)
    }
    const openReqs = requests.slice()
    const unitsGeojson = openReqs.filter((q) => q.url.includes('export.geojson') && q.url.includes('layer=units')).at(-1)
    await page.screenshot({ path: join(SHOTS, '01-plan-open.png') })

    // ---- (b) pans and zooms ----
    const box = (await page.locator('#map canvas').boundingBox())!
    const cx = box.x + box.width / 2 - 100
    const cy = box.y + box.height / 2
    await page.click('[data-tool="select"]')
    await page.evaluate(() => {
      const w = window as unknown as W
      const b = { frames: [] as number[], longTasks: [] as Array<{ start: number; duration: number }>, stop: () => {}, last: performance.now() }
      let on = true
      const tick = (t: number) => {
        if (!on) return
        b.frames.push(t - b.last)
        b.last = t
        requestAnimationFrame(tick)
      }
      requestAnimationFrame((t) => {
        b.last = t
        requestAnimationFrame(tick)
      })
      let obs: PerformanceObserver | undefined
      try {
        obs = new PerformanceObserver((l) => {
          for (const e of l.getEntries()) b.longTasks.push({ start: e.startTime, duration: e.duration })
        })
        obs.observe({ type: 'longtask' })
      } catch {
        // no longtask support
      }
      b.stop = () => {
        on = false
        obs?.disconnect()
      }
      w.__bench = b
    })
    const profiling = process.env.PROFILE === '1'
    if (profiling) {
      await cdp.send('Profiler.enable')
      await cdp.send('Profiler.setSamplingInterval', { interval: 1000 })
      await cdp.send('Profiler.start')
    }
    const panFrom = requests.length
    const tPan = performance.now()
    const drag = async (dx: number, dy: number) => {
      await page.mouse.move(cx, cy)
      await page.mouse.down()
      await page.mouse.move(cx + dx, cy + dy, { steps: 12 })
      await page.mouse.up()
    }
    const wheel = async (dy: number) => {
      await page.mouse.move(cx, cy)
      for (let i = 0; i < 4; i++) await page.mouse.wheel(0, dy / 4)
    }
    const pause = (t = 250) => new Promise((res) => setTimeout(res, t))
    const ops: Array<[string, () => Promise<void>]> = [
      ['zoom in', () => wheel(-600)], ['zoom in', () => wheel(-600)], ['pan E', () => drag(-350, 0)], ['pan S', () => drag(0, -250)],
      ['zoom in', () => wheel(-500)], ['pan W', () => drag(400, 60)], ['pan N', () => drag(-40, 300)], ['zoom in', () => wheel(-500)],
      ['pan diag', () => drag(300, 200)], ['pan diag', () => drag(-300, -200)], ['zoom out', () => wheel(800)], ['pan E', () => drag(-450, 30)],
      ['zoom out', () => wheel(800)], ['pan W', () => drag(500, -40)], ['zoom out', () => wheel(900)], ['pan S', () => drag(20, -350)],
      ['zoom in', () => wheel(-700)], ['pan N', () => drag(-60, 380)], ['zoom in', () => wheel(-700)], ['pan E', () => drag(-400, -100)],
      ['zoom out', () => wheel(700)], ['pan W', () => drag(380, 90)],
    ]
    for (const [name, op] of ops) {
      await op()
      await pause()
      if (name === 'pan N' && !existsSync(join(SHOTS, '02-panned-zoomed.png'))) {
        await hook((g) => g.mapIdle())
        await page.screenshot({ path: join(SHOTS, '02-panned-zoomed.png') })
      }
    }
    await hook((g) => g.mapIdle())
    const panMs = performance.now() - tPan
    const perf = (await page.evaluate(() => {
      const b = (window as unknown as W).__bench!
      b.stop()
      return { frames: b.frames, longTasks: b.longTasks }
    })) as { frames: number[]; longTasks: Array<{ start: number; duration: number }> }
    if (profiling) {
      const { profile: prof } = await cdp.send('Profiler.stop')
      const self = new Map<string, number>()
      const dt = (prof.endTime - prof.startTime) / 1000 / Math.max(1, prof.samples?.length ?? 1)
      const hits = new Map<number, number>()
      for (const id of prof.samples ?? []) hits.set(id, (hits.get(id) ?? 0) + 1)
      for (const n of prof.nodes) {
        const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`
        self.set(k, (self.get(k) ?? 0) + (hits.get(n.id) ?? 0) * dt)
      }
      log(`profile, self time (ms) while panning: ${[...self].sort((x, y) => y[1] - x[1]).slice(0, 20).map(([k, v]) => `\n  ${Math.round(v)} ${k}`).join('')}`)
    }
    await pause(300)
    const panReqs = requests.slice(panFrom)
    const mvt = panReqs.filter((q) => /\.mvt(\?|$)/.test(q.url))
    const geojsonDuringPan = panReqs.filter((q) => /geojson/.test(q.url))
    const byLayer = new Map<string, { n: number; bytes: number }>()
    for (const q of mvt) {
      const m = /\/api\/(?:plans\/\d+\/)?tiles\/(\w+)\//.exec(q.url)
      const k = m?.[1] ?? '?'
      const c = byLayer.get(k) ?? { n: 0, bytes: 0 }
      c.n++
      c.bytes += q.bytes
      byLayer.set(k, c)
    }
    const frames = perf.frames.filter((f) => f > 0)
    const pan = {
      ops: ops.length, ms: panMs, frames: frames.length, p50: pct(frames, 50), p95: pct(frames, 95), max: Math.max(...frames),
      over50: frames.filter((f) => f > 50).length, longTasks: perf.longTasks.length, longMax: Math.max(0, ...perf.longTasks.map((l) => l.duration)),
      longSum: perf.longTasks.reduce((a, l) => a + l.duration, 0), mvt: mvt.length, mvtBytes: mvt.reduce((a, q) => a + q.bytes, 0), geojson: geojsonDuringPan.length,
      layers: [...byLayer].map(([k, v]) => `${k} ${v.n}`).join(', '), largestTile: Math.max(0, ...mvt.map((q) => q.bytes)),
      largestTileUrl: [...mvt].sort((x, y) => y.bytes - x.bytes)[0]?.url.replace(/^https?:\/\/[^/]+/, '').replace(/\?.*$/, '') ?? '',
    }
    log(`pan/zoom: ${JSON.stringify(pan)}`)

    // ---- (c) brush strokes between two neighbouring grids ----
    const probe = await hook((g) => g.probe())
    if (!probe?.b) throw new Error('probe found no pair of neighbouring grids on screen')
    const { a, b } = probe as { a: P; b: P }
    const mbox = (await page.locator('#map canvas').boundingBox())!
    const at = (p: { x: number; y: number }) => ({ x: mbox.x + p.x, y: mbox.y + p.y })
    const selectAt = async (p: { x: number; y: number }) => {
      await page.click('[data-tool="select"]')
      const q = at(p)
      await page.mouse.click(q.x, q.y)
      return (await hook((g) => g.selected())).grid
    }
    // a point still inside b (the strokes move b's border units): walk on from the border point away from a,
    // checking each point with a click in the select tool
    const dirX = b.x - a.x, dirY = b.y - a.y
    const len = Math.hypot(dirX, dirY) || 1
    const insideB = async () => {
      for (let d = 8; d <= 400; d += 8) {
        const p = { x: b.x + (dirX / len) * d, y: b.y + (dirY / len) * d }
        if (p.x < 10 || p.y < 10 || p.x > mbox.width - 10 || p.y > mbox.height - 10) break
        if ((await selectAt(p)) === b.grid) return p
      }
      throw new Error('no point inside grid b away from the border')
    }
    await page.selectOption('#gw-brush-size', '10')
    const gridOf = (code: string) => page.evaluate((c) => (window as unknown as W).__gridweave.grid(c), code)
    const before = { a: await gridOf(a.grid) }
    const strokes: Array<{ roundTrip: number; post: number; outlines: number; moved: number; into: string }> = []
    let shotEdit = false
    for (let i = 0; i < STROKES; i++) {
      const into = i % 2 === 0 ? a : b
      const sel = i % 2 === 0 ? await selectAt(a) : (await insideB(), (await hook((g) => g.selected())).grid)
      if (sel !== into.grid) throw new Error(`stroke ${i + 1}: selected ${sel}, wanted ${into.grid}`)
      await page.click('[data-tool="brush"]')
      const beforeUnits = (await gridOf(into.grid))!.units
      const p = at(b)
      await page.mouse.move(p.x, p.y)
      await page.mouse.down()
      for (let k = 1; k <= 4; k++) await page.mouse.move(p.x + k, p.y + k)
      const t = (await page.evaluate(() => {
        performance.clearResourceTimings()
        return performance.now()
      })) as number
      await page.mouse.up()
      const r = (await page.evaluate(async (t) => {
        const g = (window as unknown as W).__gridweave
        await g.saved()
        const done = performance.now()
        const posts = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter((e) => e.name.includes('/edits'))
        const post = posts.reduce((s, e) => s + e.duration, 0)
        await g.mapIdle()
        return { roundTrip: done - t, post, outlines: performance.now() - done }
      }, t)) as { roundTrip: number; post: number; outlines: number }
      const moved = (await gridOf(into.grid))!.units - beforeUnits
      strokes.push({ ...r, moved, into: into.grid })
      if (!shotEdit && i % 2 === 0) {
        await page.screenshot({ path: join(SHOTS, '03-after-stroke.png') })
        shotEdit = true
      }
    }
    const ok = strokes.filter((s) => s.moved > 0 && s.post > 0)
    const rt = ok.map((s) => s.roundTrip)
    const posts = ok.map((s) => s.post)
    const outl = ok.map((s) => s.outlines)
    const edit = {
      strokes: strokes.length, moving: ok.length, unitsPerStroke: ok.length ? r1(ok.reduce((x, s) => x + s.moved, 0) / ok.length) : 0,
      p50: pct(rt, 50), p95: pct(rt, 95), max: Math.max(...rt), postP50: pct(posts, 50), postP95: pct(posts, 95), outlinesP50: pct(outl, 50), outlinesP95: pct(outl, 95),
    }
    log(`strokes: ${JSON.stringify(strokes.map((s) => [Math.round(s.roundTrip), Math.round(s.post), s.moved]))}`)
    log(`edit: ${JSON.stringify(edit)}`)
    const afterA = await gridOf(a.grid)
    log(`grid ${a.grid}: ${before.a?.units} units before, ${afterA?.units} after ${STROKES} strokes`)
    await page.screenshot({ path: join(SHOTS, '04-after-strokes.png') })
    if (errors.length) log(`page errors / blocked requests: ${errors.join('; ')}`)

    const uptimeAfter = execFileSync('uptime', { encoding: 'utf8' }).trim()
    log(uptimeAfter)
    const loadOf = (u: string) => /load average: (.*)$/.exec(u)?.[1] ?? u
    const date = new Date().toISOString().slice(0, 10)
    const lastOpen = opens.at(-1)!
    const md = [
      '## Editor on the 10k-unit ladder plan (bench/editor-10k.ts)',
      '',
      `\`npx tsx bench/editor-10k.ts\` (${backend === 'pglite' ? 'fresh temporary embedded database' : 'fresh database on PostgreSQL'}), ${date}. Ladder city`,
      `\`fixtures/demo/generate.ts --units ${UNITS}\`: ${unitCount} units, loaded in ${r1(loadMs / 1000)} s; automatic partition 600–1000 people`,
      `+ cells 5–6 through the editor's dialog (two jobs, then the editor opens the plan) in ${r1(jobMs / 1000)} s: ${info.grids} grids, ${info.cells} cells.`,
      `Debian chromium headless with the browser test's flags (SwiftShader, no GPU), viewport ${VIEWPORT.width}×${VIEWPORT.height}.`,
      `Machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average`,
      `${loadOf(uptimeBefore)} before and ${loadOf(uptimeAfter)} after (shared with a CI run: every figure is an upper bound).`,
      '',
      '| measure | result |',
      '|---|---|',
      `| (a) open the plan, cold HTTP cache: click → plan state built | ${opens.map((o) => ms(o.loaded)).join(', ')} |`,
      `| (a) open the plan: click → map's first \`idle\` | ${opens.map((o) => ms(o.idle)).join(', ')} |`,
      `| (a) open the plan: click → unit extents and adjacency in the editor (live contiguity on) | ${opens.map((o) => (o.adjacency ? ms(o.topology) : 'never')).join(', ')} |`,
      `| (a) bytes from the API on open, until extents and adjacency (last open) | ${r1(lastOpen.bytes / 1e6)} MB: ${lastOpen.parts} |`,
      `| (a) units GeoJSON fetched on open | ${unitsGeojson ? `${r1(unitsGeojson.bytes / 1e6)} MB` : 'none'} |`,
      `| (a) main-thread long tasks (> 50 ms) while opening | ${opens.map((o) => `${o.longTasks} (longest ${ms(o.longMax)})`).join(', ')} |`,
      `| (a) of which the editor taking extents and adjacency in (recolour, repaint; \`gridweave:topology\` measure) | ${opens.map((o) => (Number.isNaN(o.applyMs) ? 'not measured' : `${r1(o.applyMs)} ms`)).join(', ')} |`,
      `| (b) ${pan.ops} scripted pans (12-step drags) and wheel zooms, ${r1(pan.ms / 1000)} s until idle | ${pan.frames} frames |`,
      `| (b) frame time (rAF delta) p50 / p95 / max | ${r1(pan.p50)} / ${r1(pan.p95)} / ${r1(pan.max)} ms |`,
      `| (b) frames > 50 ms | ${pan.over50} (${r1((100 * pan.over50) / Math.max(1, pan.frames))} %) |`,
      `| (b) long tasks (PerformanceObserver 'longtask') | ${pan.longTasks}, longest ${ms(pan.longMax)}, ${ms(pan.longSum)} in all |`,
      `| (b) requests while panning | ${pan.mvt} .mvt tiles (${pan.layers}; ${r1(pan.mvtBytes / 1e3)} kB, largest ${r1(pan.largestTile / 1e3)} kB: \`${pan.largestTileUrl}\`); ${pan.geojson} GeoJSON |`,
      `| (c) brush strokes (10 px, back and forth between grids ${a.grid} and ${b.grid}) | ${edit.strokes}, ${edit.moving} moving units (${edit.unitsPerStroke} per stroke) |`,
      `| (c) edit round trip, mouse-up → \`saved()\` p50 / p95 / max | ${ms(edit.p50)} / ${ms(edit.p95)} / ${ms(edit.max)} |`,
      `| (c) of which POST /edits (resource timing) p50 / p95 | ${ms(edit.postP50)} / ${ms(edit.postP95)} |`,
      `| (c) then refreshed grid/cell outline tiles drawn (\`idle\`) p50 / p95 | ${ms(edit.outlinesP50)} / ${ms(edit.outlinesP95)} |`,
      '',
    ].join('\n')
    process.stdout.write(`\n${md}\n`)
    if (process.env.WRITE === '1') {
      const file = join(ROOT, 'bench', 'RESULTS.md')
      const begin = '<!-- bench/editor-10k.ts: begin -->'
      const end = '<!-- bench/editor-10k.ts: end -->'
      const cur = readFileSync(file, 'utf8')
      const block = `${begin}\n${md}${end}\n`
      const i = cur.indexOf(begin)
      const j = cur.indexOf(end)
      writeFileSync(file, i >= 0 && j > i ? cur.slice(0, i) + block + cur.slice(j + end.length + 1) : cur.replace(/\n*$/, '\n\n') + block)
      log('bench/RESULTS.md updated')
    }
  } finally {
    await context?.close().catch(() => undefined)
    await server?.close().catch(() => undefined)
    await pgdb?.drop().catch(() => undefined)
    for (const d of [dataDir, profile]) rmSync(d, { recursive: true, force: true })
  }
}

run().then(
  () => process.exit(0),
  (err) => {
    console.error(err)
    process.exit(1)
  },
)
