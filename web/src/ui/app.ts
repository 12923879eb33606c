import { createI18n, LANGUAGES, type Language } from '../i18n/index.js'
import { createHttp } from '../api/http.js'
import { loadCapabilities, type Capabilities } from '../api/capabilities.js'
import { createClient } from '../api/client.js'
import { planStateFromApi } from '../api/load.js'
import { sameUnits, type Topology } from '../api/topology.js'
import type { LoginReply, User } from '../api/types.js'
import { EditorMap, type LayerGroup, type PlanSource } from '../map/adapter.js'
import { configuredStyleUrl } from '../map/style.js'
import { EditorSession } from './editor.js'
import type { Ctx } from './context.js'
import { h, fill } from './dom.js'
import { icon } from './icons.js'
import { renderLogin } from './login.js'
import { PlansPanel } from './plans.js'
import { LivePanel } from './live.js'
import { ComparePanel } from './compare.js'
import { Interaction } from './interaction.js'
import { renderToolbar } from './toolbar.js'
import { renderLayers } from './layers.js'
import { showConflict, showShortcuts, toast } from './dialogs.js'
import { commandFor, stepBrush, type KeyLike } from './keys.js'

const TOKEN_KEY = 'gridweave.token'
const PLAN_KEY = 'gridweave.plan'

/** Hooks the browser test reads: map idle, the session, the last brush step's time. */
export interface TestHooks {
  mapIdle(): Promise<void>
  ready(): boolean
  planLoaded(): number | undefined
  lastStepMs(): number
  /** The open plan's unit extents and adjacency have arrived (or could not be had); live contiguity is on when they did. */
  topologyReady(): Promise<boolean>
  saved(): Promise<void>
  /** Grid numbers by code: population, households, units and cell code. */
  grid(code: string): { population: number; households: number; units: number; cell: string | null; locked: boolean } | undefined
  selected(): { grid: string | null; cell: string | null }
  /** Units in no grid, and their population. */
  unassigned(): { units: number; population: number }
  /** Population of every grid by code (a stroke may take units from several grids). */
  populations(): Record<string, number>
  /**
   * Screen points for the test: one inside grid `a`, one inside a neighbouring grid of the same community
   * (scanning the rendered units around `a`), and one in a grid of another cell of the same jurisdiction.
   */
  /** Grid codes drawn as map labels now (call after mapIdle). */
  gridLabels(): string[]
  /** The brush tooltip's text, or null when it is hidden. */
  tooltip(): string | null
  /** Diagnostics: ids in the state, ids and states the map renders at the centre. */
  debug(): unknown
  probe(): Promise<{ a: { x: number; y: number; grid: string }; b?: { x: number; y: number; grid: string }; c?: { x: number; y: number; grid: string } } | undefined>
}

/** Builds the whole editor into the page's fixed slots (see index.html). */
export async function startApp() {
  const $ = (id: string) => document.getElementById(id)!
  const i18n = createI18n(localStorage)
  let caps: Capabilities = { has: () => false, paths: new Set() }
  const http = createHttp({ getToken: () => sessionStorage.getItem(TOKEN_KEY), onUnauthorized: () => logout(true) })
  const client = createClient(http, () => caps)
  const map = new EditorMap($('map'), { styleUrl: configuredStyleUrl(location.search, localStorage.getItem('gridweave.style'), import.meta.env.VITE_BASEMAP_STYLE), getToken: () => sessionStorage.getItem(TOKEN_KEY) })
  const statusEl = $('gw-status')
  let deviationOn = false
  let ready = false
  /** Settles once the open plan's unit extents and adjacency have arrived (or failed). */
  let topologyLoaded: Promise<void> = Promise.resolve()

  const ctx: Ctx = {
    i18n, client, map, user: null, session: undefined,
    status: (kind, text) => toast(statusEl, kind, text),
    openPlan: (id) => openPlan(id),
    refresh: () => renderAll(),
  }
  const plans = new PlansPanel($('gw-plans'), ctx, (a, b) => void compare.show(a, b))
  const compare = new ComparePanel($('gw-compare'), ctx)
  const live = new LivePanel($('gw-live'), ctx, (target) => zoomTo(target))
  const ia = new Interaction(map, ctx, () => renderTools())

  function renderTools() {
    renderToolbar($('gw-toolbar'), ctx, ia)
  }

  function renderHeader() {
    const t = i18n.t
    document.documentElement.lang = i18n.lang
    document.title = t('app.title')
    $('map').setAttribute('aria-label', t('app.map'))
    const lang = h('select', { id: 'gw-lang', 'aria-label': t('lang.label'), onchange: (e: Event) => switchLanguage((e.target as HTMLSelectElement).value as Language) },
      ...LANGUAGES.map((l) => h('option', { value: l, selected: l === i18n.lang }, t(`lang.${l}`))))
    const u = ctx.user
    const planName = ctx.session ? plans.plans.find((p) => p.id === ctx.session!.planId)?.name ?? '' : ''
    fill($('gw-header'),
      h('h1', {}, t('app.title')),
      h('span', { class: 'gw-plan-name', id: 'gw-plan-name' }, planName),
      h('span', { class: 'gw-spacer' }),
      u ? h('span', { id: 'gw-user' }, icon('user'), ' ' + t('login.signedInAs', { name: u.displayName ?? u.username, role: t(`role.${u.role}`) })) : null,
      h('label', { for: 'gw-lang', class: 'gw-visually-hidden' }, t('lang.label')), lang,
      u ? h('button', { type: 'button', id: 'gw-logout', onclick: () => logout(false) }, t('login.logout')) : null)
  }

  function renderAll() {
    renderHeader()
    if (!ctx.user) {
      renderLogin($('gw-plans'), ctx, (r) => void loggedIn(r))
      fill($('gw-toolbar'))
      fill($('gw-layers'))
      live.render()
      return
    }
    plans.render()
    compare.render()
    renderTools()
    // events: the base tiles offer jurisdictions, communities, barriers and stations only (no events yet)
    renderLayers($('gw-layers'), ctx, (g: LayerGroup) => g !== 'events' || map.hasEvents, deviationOn, (on) => {
      deviationOn = on
      map.setColourMode(on ? 'deviation' : 'grids')
    })
    live.render()
  }

  function switchLanguage(l: Language) {
    i18n.setLanguage(l)
    renderAll()
  }

  async function loggedIn(r: LoginReply) {
    sessionStorage.setItem(TOKEN_KEY, r.token)
    ctx.user = r.user
    await afterLogin()
  }

  function logout(expired: boolean) {
    sessionStorage.removeItem(TOKEN_KEY)
    sessionStorage.removeItem(PLAN_KEY)
    ctx.user = null
    ctx.session = undefined
    map.clearPlan()
    renderAll()
    if (expired) ctx.status('warn', i18n.t('errors.unauthorized'))
  }

  async function afterLogin() {
    renderAll()
    try {
      const [jur, com] = await Promise.all([client.areas('jurisdiction'), client.areas('community')])
      await map.whenLoaded()
      map.setAreas(jur, com)
      const baseTiles = caps.has('GET', '/api/tiles/{}/{}/{}/{}.mvt')
      map.setBaseTiles({ barriers: baseTiles, stations: baseTiles, events: baseTiles })
      const b = boundsOf(jur)
      if (b && !ctx.session) map.fit(b, 20)
    } catch (err) {
      ctx.status('error', i18n.t('app.loadFailed', { message: (err as Error).message }))
    }
    await plans.reload()
    // after a reload, come back to the plan that was open
    const last = Number(sessionStorage.getItem(PLAN_KEY))
    if (last && plans.plans.some((p) => p.id === last)) await openPlan(last)
    ready = true
  }

  async function openPlan(id: number) {
    ctx.status('info', i18n.t('app.loading'))
    try {
      // Weights, ids and assignment come from /units (no geometry); unit extents and adjacency from
      // /topology (typed arrays): it loads alongside and does not hold up editing.
      const topology = caps.has('GET', '/api/plans/{}/topology') ? client.topology(id) : undefined
      topology?.catch(() => undefined)
      let [detail, units] = await Promise.all([client.getPlan(id), client.units(id)])
      // grids and the unit → grid column must be of one version: an edit in between means read both again
      if (detail.version !== units.version) [detail, units] = await Promise.all([client.getPlan(id), client.units(id)])
      const loaded = planStateFromApi(detail, units)
      await map.whenLoaded()
      compare.close()
      const src: PlanSource = caps.has('GET', '/api/plans/{}/tiles/{}/{}/{}/{}.mvt')
        ? { kind: 'tiles', planId: id, version: units.version }
        : { kind: 'geojson', units: await client.layer(id, 'units'), grids: await client.layer(id, 'grids'), cells: await client.layer(id, 'cells') }
      map.setPlan(src)
      const session = new EditorSession(id, loaded.state, map, client, {
        onRefused: (r) => ctx.status('warn', ia.reasonText(r.reason, r.suggestion)),
        onConflict: (v) => showConflict(i18n, v, () => void openPlan(id)),
        onSaveError: (err) => {
          ctx.status('error', (err as Error).message)
          void openPlan(id)
        },
        saved: (version) => {
          plans.setVersion(id, version)
          if (src.kind === 'tiles') map.refreshOutlines({ kind: 'tiles', planId: id, version })
          void refreshServerViolations(id)
        },
      })
      ctx.session = session
      plans.currentId = id
      sessionStorage.setItem(PLAN_KEY, String(id))
      session.on((c) => {
        if (c === 'state' || c === 'selection') live.update()
        if (c === 'history' || c === 'selection') renderTools()
      })
      session.paintAll()
      topologyLoaded = topology ? applyTopology(session, topology, units.units.id) : Promise.resolve()
      renderAll()
      ctx.status('ok', `${detail.name} · ${i18n.t('plans.version', { version: detail.version })}`)
      void refreshServerViolations(id)
    } catch (err) {
      ctx.status('error', i18n.t('app.loadFailed', { message: (err as Error).message }))
    }
  }

  /** Unit extents and adjacency into the session (when they are of the same units), then fit the map to them. */
  async function applyTopology(session: EditorSession, topology: Promise<Topology>, unitIds: number[]): Promise<void> {
    let t: Topology
    try {
      t = await topology
    } catch {
      // no extents: zooming to a grid and true-neighbour colours wait; the server's metrics still report contiguity
      return
    }
    // an import between the two requests: the units differ, so nothing is lined up by position
    if (ctx.session !== session || !sameUnits(t, unitIds)) return
    const start = performance.now()
    session.setTopology(t.boxes, t.adjacency)
    const all = session.boxOfUnits(unitIds.map((_, i) => i))
    if (all) map.fit(all, 20)
    // main-thread cost of taking the topology in (recolour, repaint), for bench/editor-10k.ts
    performance.measure('gridweave:topology', { start, end: performance.now() })
  }

  async function refreshServerViolations(id: number) {
    if (!caps.has('GET', '/api/plans/{}/metrics')) return
    try {
      const m = await client.metrics(id)
      live.serverViolations = m.violations
      live.update()
    } catch {
      // metrics are advisory; the local numbers stay
    }
  }

  function zoomTo(target: { grid?: number; cell?: number; unit?: number }) {
    const s = ctx.session
    if (!s) return
    let units: number[] = []
    if (target.grid !== undefined) {
      units = [...s.state.unitGrid.keys()].filter((u) => s.state.unitGrid[u] === target.grid)
      s.select(target.grid)
    } else if (target.cell !== undefined) {
      units = [...s.state.unitGrid.keys()].filter((u) => s.state.unitGrid[u]! >= 0 && s.state.gridCell[s.state.unitGrid[u]!] === target.cell)
      s.select(-1, target.cell)
    } else if (target.unit !== undefined) units = [target.unit]
    const b = s.boxOfUnits(units)
    // keep the target clear of the floating toolbar (top) and layer switcher (right)
    const tb = document.getElementById('gw-toolbar')?.getBoundingClientRect()
    if (b) map.fit(b, { top: (tb?.height ?? 0) + 30, bottom: 40, left: 40, right: 220 })
  }

  window.addEventListener('keydown', (e) => {
    const cmd = commandFor(e as unknown as KeyLike)
    if (!cmd) return
    const s = ctx.session
    e.preventDefault()
    switch (cmd) {
      case 'undo':
        s?.undo()
        break
      case 'redo':
        s?.redo()
        break
      case 'brush':
      case 'select':
      case 'box':
      case 'lasso':
      case 'parent':
      case 'eraser':
        if (s) ia.setTool(cmd)
        break
      case 'smaller':
      case 'larger':
        ia.setBrushSize(stepBrush(ia.brushSize, cmd === 'smaller' ? -1 : 1))
        break
      case 'help':
        showShortcuts(i18n)
        break
      case 'escape':
        if (s) ia.setTool('select')
        break
    }
  })

  const hooks: TestHooks = {
    mapIdle: () => map.idle(),
    ready: () => ready,
    planLoaded: () => ctx.session?.planId,
    lastStepMs: () => ia.lastStepMs,
    gridLabels: () => map.renderedGridLabels(),
    tooltip: () => ia.tooltipText(),
    topologyReady: async () => {
      await topologyLoaded
      return !!ctx.session?.state.adjacency
    },
    saved: () => ctx.session?.flushed() ?? Promise.resolve(),
    grid: (code) => {
      const s = ctx.session?.state
      const g = s?.grids.findIndex((x) => x.code === code && !x.removed) ?? -1
      if (!s || g < 0) return undefined
      const c = s.gridCell[g]!
      return { population: s.gridPopulation[g]!, households: s.gridHouseholds[g]!, units: s.gridUnits[g]!, cell: c >= 0 ? s.cells[c]!.code : null, locked: s.grids[g]!.locked }
    },
    populations: () => {
      const s = ctx.session?.state
      const out: Record<string, number> = {}
      s?.grids.forEach((g, i) => {
        if (!g.removed) out[g.code] = s.gridPopulation[i]!
      })
      return out
    },
    unassigned: () => {
      const s = ctx.session?.state
      let units = 0
      let population = 0
      s?.unitGrid.forEach((g, u) => {
        if (g < 0) {
          units++
          population += s.population[u]!
        }
      })
      return { units, population }
    },
    selected: () => {
      const s = ctx.session
      return { grid: s && s.selectedGrid >= 0 ? s.state.grids[s.selectedGrid]!.code : null, cell: s && s.selectedCell >= 0 ? s.state.cells[s.selectedCell]!.code : null }
    },
    debug: () => {
      const s = ctx.session
      const r = map.size
      const f = map.map.queryRenderedFeatures([[r.width / 2 - 50, r.height / 2 - 50], [r.width / 2 + 50, r.height / 2 + 50]], { layers: ['units-fill'] }).slice(0, 3)
      return {
        units: s?.state.unitIds.length, withoutBox: s?.unitsWithoutBox(), firstIds: s?.state.unitIds.slice(0, 3), unmatched: s?.state.unitIds.filter((x) => x.startsWith('ext:')).length,
        rendered: f.map((x) => ({ id: x.id, props: x.properties, state: x.state })),
        all: map.map.queryRenderedFeatures().length,
        unitsAll: map.map.queryRenderedFeatures({ layers: ['units-fill'] }).length,
        rect: [r.width, r.height],
        layers: map.map.getStyle().layers.map((l) => l.id),
      }
    },
    probe: async () => {
      await topologyLoaded
      const s = ctx.session
      if (!s) return undefined
      const st = s.state
      // a grid with several units and a neighbour in the same community and another cell nearby
      const order = st.grids.map((_, i) => i).filter((g) => !st.grids[g]!.removed && st.gridUnits[g]! >= 8 && st.gridCell[g]! >= 0)
      const rect = map.size
      const origin = map.map.getContainer().getBoundingClientRect()
      for (const a of order.slice(0, 40)) {
        zoomTo({ grid: a })
        await map.idle()
        const at = new Map<number, { x: number; y: number }>()
        const step = 12
        for (let y = step; y < rect.height - step; y += step)
          for (let x = step; x < rect.width - step; x += step) {
            // only points a user can click: not under the toolbar or the layer switcher
            const el = document.elementFromPoint(origin.left + x, origin.top + y)
            if (!el || el.tagName !== 'CANVAS') continue
            const id = map.unitAt(x, y)
            const u = id === undefined ? undefined : s.unitIndex.get(id)
            if (u === undefined) continue
            const g = st.unitGrid[u]!
            if (g >= 0 && !at.has(g)) at.set(g, { x, y })
          }
        const pa = at.get(a)
        if (!pa) continue
        const near = (g: number) => Math.hypot(at.get(g)!.x - pa.x, at.get(g)!.y - pa.y)
        const cands = [...at.keys()].filter((g) => g !== a).sort((p, q) => near(p) - near(q))
        const b = cands.find((g) => st.grids[g]!.community === st.grids[a]!.community && !st.grids[g]!.locked)
        const ja = st.communities[st.grids[a]!.community]?.jurisdiction
        const c = cands.find((g) => st.gridCell[g]! >= 0 && st.gridCell[g] !== st.gridCell[a] && st.communities[st.grids[g]!.community]?.jurisdiction === ja)
        if (b === undefined || c === undefined) continue
        const pt = (g: number) => ({ ...at.get(g)!, grid: st.grids[g]!.code })
        // walk from a's point toward b's: the first point in b is just across their shared border
        const pb = at.get(b)!
        const n = Math.ceil(Math.hypot(pb.x - pa.x, pb.y - pa.y) / 2)
        let border: { x: number; y: number } | undefined
        for (let i = 1; i <= n && !border; i++) {
          const x = pa.x + ((pb.x - pa.x) * i) / n
          const y = pa.y + ((pb.y - pa.y) * i) / n
          const u = s.unitIndex.get(map.unitAt(x, y) ?? '')
          if (u !== undefined && st.unitGrid[u] === b) border = { x, y }
        }
        s.select(-1)
        return { a: pt(a), b: { ...(border ?? pb), grid: st.grids[b]!.code }, c: pt(c) }
      }
      return undefined
    },
  }
  ;(window as unknown as { __gridweave: TestHooks }).__gridweave = hooks

  renderAll()
  caps = await loadCapabilities(http)
  if (sessionStorage.getItem(TOKEN_KEY)) {
    try {
      ctx.user = (await client.me()) as User
      await afterLogin()
      return
    } catch {
      sessionStorage.removeItem(TOKEN_KEY)
    }
  }
  ready = true
  renderAll()
}

function boundsOf(fc: GeoJSON.FeatureCollection): [number, number, number, number] | undefined {
  const b: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity]
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') {
      b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1] as number)
      b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1] as number)
    } else if (Array.isArray(c)) for (const x of c) walk(x)
  }
  for (const f of fc.features) if (f.geometry && 'coordinates' in f.geometry) walk(f.geometry.coordinates)
  return Number.isFinite(b[0]) ? b : undefined
}
