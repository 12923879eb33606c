import type { Capabilities } from './capabilities.js'
import type { Http } from './http.js'
import type { CompareReply, EditReply, ExportFormat, Job, LoginReply, Plan, PlanParams, ServerEdit, User } from './types.js'

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
    state: (o.state ?? o.status ?? 'created') as Job['state'],
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
    getPlan: async (id: number) => planOf(await http.get(`/api/plans/${id}`)),
    /** Starts an automatic partition; returns the job to follow (and the plan when already created). */
    createAutoPlan: async (body: { name: string; params: PlanParams; districtId?: number }) => {
      const r = (await http.post('/api/plans', { ...body, mode: 'partition', source: 'partition' })) as Record<string, unknown>
      return { plan: r.plan ? planOf(r) : r.id && !r.state ? planOf(r) : undefined, job: r.job || r.jobId ? jobOf(r.job ?? { id: r.jobId }) : undefined }
    },
    getJob: async (id: string) => jobOf(await http.get(`/api/jobs/${id}`)),
    cancelJob: (id: string) => http.del(`/api/jobs/${id}`),
    copyPlan: async (id: number, name: string) => planOf(await http.post(`/api/plans/${id}/copy`, { name })),
    renamePlan: async (id: number, name: string, version: number) => planOf(await http.patch(`/api/plans/${id}`, { name }, { ifMatch: version })),
    deletePlan: (id: number) => http.del(`/api/plans/${id}`),
    edit: (id: number, version: number, edit: ServerEdit) => http.post<EditReply>(`/api/plans/${id}/edits`, edit, { ifMatch: version }),
    metrics: (id: number) => http.get<unknown>(`/api/plans/${id}/metrics`),
    compare: async (id: number, other: number): Promise<CompareReply> => {
      const path = has('GET', '/api/plans/{}/compare/{}') ? `/api/plans/${id}/compare/${other}` : `/api/plans/${id}/compare`
      return http.get<CompareReply>(path, { query: path.endsWith('compare') ? { with: other } : undefined })
    },
    /** Imports an assignment CSV (`unit_id,grid_id[,cell_id]`) into a plan. */
    importCsv: (id: number, csv: string, version: number) =>
      http.request<{ rows?: number; errors?: Array<{ row: number; reason: string }>; version?: number }>('POST', `/api/plans/${id}/import`, {
        raw: csv,
        contentType: 'text/csv',
        ifMatch: version,
      }),
    /** Downloads an export with the bearer token; the caller saves the Blob. */
    download: async (id: number, format: ExportFormat, layer: 'units' | 'grids' | 'cells' = 'grids') => {
      const res = await http.get<Response>(`/api/plans/${id}/export.${format}`, { query: format === 'csv' ? { bom: true } : { layer }, response: true })
      const cd = res.headers.get('content-disposition') ?? ''
      const name = /filename="([^"]+)"/.exec(cd)?.[1] ?? `plan-${id}.${format}`
      return { blob: await res.blob(), name }
    },
    /** One layer of the plan as GeoJSON (the export route), used to load units' weights and assignment. */
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
    if (j.state === 'completed' || j.state === 'failed' || j.state === 'cancelled' || j.state === 'expired') return j
    if (opts.signal?.aborted) return j
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 300))
  }
}
