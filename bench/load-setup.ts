// Sets up a running server (bench/load-server.ts) for mixed traffic, through its HTTP API only, as an
// office would: sign in as the first admin (replacing the one-time password), create a plan of the demo
// district, partition it and group police cells with the API jobs, copy it for edits, pick units to move
// between neighbouring grids, and list the z12–z16 tiles that cover the district's units.
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson'
import { buildGraph } from '../geo/graph/index.js'

export const ZOOMS = [12, 13, 14, 15, 16] as const
export const PLAN_LAYERS = ['units', 'grids', 'cells'] as const
export const BASE_LAYERS = ['jurisdictions', 'communities', 'barriers', 'stations'] as const

/** One unit that moves back and forth between two neighbouring grids; no two candidates share a grid. */
export interface MoveCandidate {
  unit: number
  a: number
  b: number
}

export interface Target {
  url: string
  authorization: string
  districtId: number
  /** The partitioned plan (read-only under load) and its copy that takes the edits. */
  planId: number
  editPlanId: number
  grids: number
  cells: number
  units: number
  candidates: MoveCandidate[]
  /** The edit plan's assignment (unit id -> grid id) at `startVersion`, before any load. */
  startAssignment: Map<number, number>
  startVersion: number
  /** Tiles (z, x, y) holding at least one unit's representative point, by zoom. */
  tiles: Map<number, [number, number][]>
}

export interface SetupOptions {
  /** Grid band in households (the usual 300–500 of urban grids). */
  band?: { min: number; max: number }
  /** How many units to move back and forth (each on its own pair of grids). */
  moves?: number
  log?: (msg: string) => void
}

export class Api {
  constructor(
    readonly url: string,
    public authorization = '',
  ) {}

  async call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
    const res = await fetch(this.url + path, {
      method,
      headers: {
        ...(this.authorization ? { authorization: this.authorization } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(300_000),
    })
    const text = await res.text()
    let parsed: unknown = text
    if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text)
    return { status: res.status, body: parsed as T }
  }

  /** `call` that throws unless the status is the expected one. */
  async must<T = any>(status: number, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    const r = await this.call<T>(method, path, body, headers)
    if (r.status !== status) throw new Error(`${method} ${path}: ${r.status}, wanted ${status}: ${JSON.stringify(r.body).slice(0, 500)}`)
    return r.body
  }
}

/** lng/lat (EPSG:4326) -> fractional tile coordinates at zoom z (web mercator). */
export function tileXY(lng: number, lat: number, z: number): [number, number] {
  const n = 2 ** z
  const r = (lat * Math.PI) / 180
  return [((lng + 180) / 360) * n, ((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n]
}

/** lng/lat (EPSG:4326) -> XYZ tile at zoom z (web mercator). */
export function tileOf(lng: number, lat: number, z: number): [number, number] {
  const n = 2 ** z
  const [x, y] = tileXY(lng, lat, z).map(Math.floor)
  return [Math.min(n - 1, Math.max(0, x)), Math.min(n - 1, Math.max(0, y))]
}

/** Signs in as the first admin with its one-time password, replaces it, returns a bearer header. */
export async function signInFirstAdmin(api: Api, admin: { username: string; password: string }): Promise<string> {
  const login = await api.must<{ token: string }>(200, 'POST', '/api/auth/login', admin)
  api.authorization = `Bearer ${login.token}`
  const changed = await api.must<{ token: string }>(200, 'POST', '/api/auth/password', {
    currentPassword: admin.password,
    newPassword: `${admin.password}-load-bench`,
  })
  api.authorization = `Bearer ${changed.token}`
  return api.authorization
}

async function runJob(api: Api, planId: number, body: object, log: (m: string) => void) {
  const job = await api.must<{ id: string }>(202, 'POST', `/api/plans/${planId}/jobs`, body)
  const t0 = Date.now()
  for (;;) {
    const j = await api.must<{ status: string; error: string | null; result: unknown }>(200, 'GET', `/api/jobs/${job.id}`)
    if (j.status === 'succeeded') return log(`${JSON.stringify(body)} job done in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    if (j.status === 'failed' || j.status === 'cancelled') throw new Error(`job ${JSON.stringify(body)} ${j.status}: ${j.error}`)
    if (Date.now() - t0 > 600_000) throw new Error(`job ${JSON.stringify(body)} still ${j.status} after 600 s`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

export async function readAssignment(api: Api, planId: number) {
  const a = await api.must<{ version: number; units: number[]; grids: number[] }>(200, 'GET', `/api/plans/${planId}/assignments`)
  return { version: a.version, grid: new Map(a.units.map((u, i) => [u, a.grids[i]])) }
}

export async function setupTarget(url: string, admin: { username: string; password: string }, opts: SetupOptions = {}): Promise<Target> {
  const log = opts.log ?? (() => {})
  const api = new Api(url)
  const authorization = await signInFirstAdmin(api, admin)
  // A fresh database holds the demo district only: it is district 1.
  const districtId = 1
  const band = opts.band ?? { min: 300, max: 500 }
  const plan = await api.must<{ id: number }>(201, 'POST', '/api/plans', {
    districtId,
    name: 'load: partition',
    params: { weight: 'households', ...band },
  })
  await runJob(api, plan.id, { kind: 'partition', params: { seed: 1 } }, log)
  // 5–6 grids per police cell, sent with the job as the editor sends them.
  await runJob(api, plan.id, { kind: 'cells', params: { seed: 1, min: 5, max: 6 } }, log)
  const edit = await api.must<{ id: number }>(201, 'POST', `/api/plans/${plan.id}/copy`, { name: 'load: edits' })
  const detail = await api.must<{ grids: number; cells: number; assignedUnits: number }>(200, 'GET', `/api/plans/${edit.id}`)
  if (detail.grids < 2 || detail.cells < 1) throw new Error(`the partition gave ${detail.grids} grids and ${detail.cells} cells; the load needs both`)

  // Unit adjacency, as the editor finds it: from the units GeoJSON (ext ids) and the units' database ids.
  const cols = await api.must<{ units: { id: number[]; extId: string[]; grid: (number | null)[] } }>(200, 'GET', `/api/plans/${edit.id}/units`)
  const idOf = new Map(cols.units.extId.map((e, i) => [e, cols.units.id[i]]))
  const gridOf = new Map(cols.units.id.map((u, i) => [u, cols.units.grid[i]]))
  const fc = await api.must<string>(200, 'GET', `/api/plans/${edit.id}/export.geojson?layer=units`)
  const units = (typeof fc === 'string' ? JSON.parse(fc) : fc) as FeatureCollection<Polygon | MultiPolygon | null>
  const { graph } = buildGraph(units, { id: 'unit_id', nest: 'community' })
  const tiles = new Map<number, [number, number][]>()
  for (const z of ZOOMS) {
    const seen = new Map<string, [number, number]>()
    for (let v = 0; v < graph.n; v++) {
      if (!Number.isFinite(graph.x[v])) continue
      const t = tileOf(graph.x[v], graph.y[v], z)
      seen.set(t.join('/'), t)
    }
    tiles.set(z, [...seen.values()])
  }

  // Candidates: a unit of grid a with a neighbour (same community, no barrier between) in grid b, each
  // grid used once, so every candidate's two moves (a -> b, b -> a) stay valid whatever the others do.
  // The server is the judge of contiguity: the first move a -> b is made now and kept only if accepted.
  const want = opts.moves ?? 12
  const used = new Set<number>()
  const candidates: MoveCandidate[] = []
  let version = (await readAssignment(api, edit.id)).version
  let tried = 0
  // A fixed stride through the nodes: spread over the district, the same every run.
  for (let k = 0; k < graph.n && candidates.length < want && tried < want * 10; k++) {
    const v = (k * 7919) % graph.n
    const unit = idOf.get(graph.ids[v])
    const a = unit === undefined ? null : gridOf.get(unit)
    if (unit === undefined || a == null || used.has(a)) continue
    let b: number | null | undefined = null
    for (let e = graph.xadj[v]; e < graph.xadj[v + 1] && b === null; e++) {
      if (graph.edgeCut[e]) continue
      const g = gridOf.get(idOf.get(graph.ids[graph.adjncy[e]])!)
      if (g != null && g !== a && !used.has(g)) b = g
    }
    if (b == null) continue
    tried++
    const r = await api.call<{ version: number }>('POST', `/api/plans/${edit.id}/edits`, { op: 'move', units: [unit], grid: b }, { 'if-match': `"${version}"` })
    if (r.status === 422) continue // would cut a grid in pieces (or another hard rule): not a candidate
    if (r.status !== 200) throw new Error(`setup move of unit ${unit} to grid ${b}: ${r.status} ${JSON.stringify(r.body)}`)
    version = r.body.version
    used.add(a).add(b)
    candidates.push({ unit, a, b })
  }
  if (!candidates.length) throw new Error(`no unit could move between two grids (${tried} tried)`)
  const start = await readAssignment(api, edit.id)
  if (start.version !== version) throw new Error(`the edit plan is at version ${start.version}, the setup moves left it at ${version}`)
  log(
    `plan ${plan.id}: ${detail.grids} grids, ${detail.cells} cells, ${detail.assignedUnits} units; edit plan ${edit.id} at v${version}; ` +
      `${candidates.length} moving units; tiles ${ZOOMS.map((z) => `z${z}:${tiles.get(z)!.length}`).join(' ')}`,
  )
  return {
    url,
    authorization,
    districtId,
    planId: plan.id,
    editPlanId: edit.id,
    grids: detail.grids,
    cells: detail.cells,
    units: cols.units.id.length,
    candidates,
    startAssignment: start.grid,
    startVersion: start.version,
    tiles,
  }
}
