import type { Capabilities } from './capabilities.js'
import type { Http } from './http.js'
import { decodeTopology } from './topology.js'
import type { CompareReply, EditReply, ExportFormat, GridMetrics, Job, LoginReply, Plan, PlanDetail, PlanParams, PlanUnits, ServerEdit, ServerViolation, User } from './types.js'

/** Accepts `{ plans: [...] }`, `{ items: [...] }` or a bare array. */
function list<T>(r: unknown, key: string): T[] {
  if (Array.isArray(r)) return r as T[]
  const o = r as Record<string, unknown>
  return ((o?.[key] ?? o?.items ?? []) as T[]) ?? []
}

/** A plan reply may be the plan itself or `{ plan }`. */
function planOf(r: unknown): Plan {
  const o = r as { plan?: Plan }
  return o?.plan ?? (r as Plan)
}

function jobOf(r: unknown): Job {
  const o = (r as { job?: Record<string, unknown> })?.job ?? (r as Record<string, unknown>)
  const p = Number(o.progress ?? 0)
  return {
    id: String(o.id),
    state: (o.status ?? o.state ?? 'queued') as Job['state'],
    // progress as 0..1 or 0..100
    progress: p > 1 ? p / 100 : p,
    message: o.message as string | undefined,
    planId: (o.planId ?? (o.output as { planId?: number } | undefined)?.planId) as number | undefined,
    error: (o.error ?? (o.output as { message?: string } | undefined)?.message) as string | undefined,
  }
}

/** The typed client of every route the editor uses. */
export function createClient(http: Http, caps: () => Capabilities) {
  const has = (m: string, p: string) => caps().has(m, p)
  return {
    has,
    login: (username: string, password: string) => http.post<LoginReply>('/api/auth/login', { username, password }),
    me: () => http.get<User | { user: User }>('/api/auth/me').then((r) => (r as { user?: User }).user ?? (r as User)),

    listPlans: async () => list<Plan>(await http.get('/api/plans'), 'plans'),
    getPlan: (id: number) => http.get<PlanDetail>(`/api/plans/${id}`),
    /** Every unit of the plan's district without geometry: ids, ext ids, weights, community and grid. */
    units: (id: number) => http.get<PlanUnits>(`/api/plans/${id}/units`),
    /** Box and rook neighbours of every unit, in the order of `units` (binary, a few hundred kB for 10k units). */
    topology: async (id: number) => {
      const res = await http.get<Response>(`/api/plans/${id}/topology`, { response: true, accept: 'application/vnd.gridweave.topology' })
      return decodeTopology(await res.arrayBuffer())
    },
    assignments: (id: number) => http.get<{ planId: number; version: number; units: number[]; grids: number[] }>(`/api/plans/${id}/assignments`),
    /** An empty plan of a district (POST /api/plans). */
    createPlan: (body: { districtId: number; name: string; params?: PlanParams }) => http.post<Plan>('/api/plans', body),
    /**
     * Starts a job on a draft plan (POST /api/plans/:id/jobs): 'partition' makes the grids (params: band
     * min/max, seed), 'cells' groups them into police cells (params: grids per cell min/max).
     */
    startJob: async (planId: number, kind: 'partition' | 'cells' | 'rebalance', params: { min?: number; max?: number; seed?: number }) =>
      jobOf(await http.post(`/api/plans/${planId}/jobs`, { kind, params })),
    getJob: async (id: string) => jobOf(await http.get(`/api/jobs/${id}`)),
    cancelJob: (id: string) => http.post(`/api/jobs/${id}/cancel`, {}),
    copyPlan: (id: number, name?: string) => http.post<Plan>(`/api/plans/${id}/copy`, name ? { name } : {}),
    renamePlan: (id: number, name: string) => http.patch<Plan>(`/api/plans/${id}`, { name }),
    deletePlan: (id: number) => http.del(`/api/plans/${id}`),
    edit: (id: number, version: number, edit: ServerEdit) => http.post<EditReply>(`/api/plans/${id}/edits`, edit, { ifMatch: version }),
    metrics: (id: number) => http.get<{ version: number; grids: GridMetrics[]; violations: ServerViolation[] }>(`/api/plans/${id}/metrics`),
    compare: (a: number, b: number) => http.get<CompareReply>(`/api/plans/${a}/compare/${b}`),
    /** A new plan from an assignment CSV (`unit_id,grid_id[,cell_id]`); 422 lists bad rows with line numbers. */
    importPlan: (body: { districtId: number; name: string; csv: string; params?: PlanParams }) =>
      http.post<{ plan: Plan; import: { rows: number; grids: number; cells: number; unassignedUnits: number } }>('/api/plans/import', body),
    /** Downloads an export with the bearer token; the caller saves the Blob. */
    download: async (id: number, format: ExportFormat, layer: 'units' | 'grids' | 'cells' = 'grids') => {
      const res = await http.get<Response>(`/api/plans/${id}/export.${format}`, { query: format === 'csv' ? { bom: true } : { layer }, response: true })
      const cd = res.headers.get('content-disposition') ?? ''
      const name = /filename="([^"]+)"/.exec(cd)?.[1] ?? `plan-${id}.${format}`
      return { blob: await res.blob(), name }
    },
    /** One layer of the plan as GeoJSON (the export route): the map's plan layers when the server offers no tiles. */
    layer: (id: number, layer: 'units' | 'grids' | 'cells') =>
      http.get<GeoJSON.FeatureCollection>(`/api/plans/${id}/export.geojson`, { query: { layer } }),
    areas: (level: 'district' | 'jurisdiction' | 'community') => http.get<GeoJSON.FeatureCollection>('/api/areas', { query: { level } }),
  }
}
export type Client = ReturnType<typeof createClient>

/** Polls a job until it ends, reporting progress (0..1); resolves with the final job. */
export async function waitForJob(client: Client, id: string, onProgress: (j: Job) => void, opts: { intervalMs?: number; signal?: AbortSignal } = {}): Promise<Job> {
  for (;;) {
    const j = await client.getJob(id)
    onProgress(j)
    if (j.state === 'succeeded' || j.state === 'failed' || j.state === 'cancelled') return j
    if (opts.signal?.aborted) return j
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 300))
  }
}
