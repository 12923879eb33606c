/**
 * The one fetch wrapper: JSON in and out, bearer token, If-Match versions, and typed errors.
 * 409 becomes a ConflictError carrying the plan's current version so the UI can offer a reload.
 */

export interface ErrorBody {
  error: string
  message: string
  details?: unknown
}

export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly body: ErrorBody | undefined,
  ) {
    super(body?.message ?? `HTTP ${status}`)
    this.name = 'ApiError'
  }
}

/** Someone else changed the plan: the edit was not applied. `version` is the plan's current version. */
export class ConflictError extends ApiError {
  readonly version: number | undefined
  constructor(body: ErrorBody | undefined) {
    super(409, body)
    this.name = 'ConflictError'
    const d = body?.details as { version?: unknown; currentVersion?: unknown } | undefined
    const v = d?.version ?? d?.currentVersion ?? (body as { version?: unknown } | undefined)?.version
    this.version = typeof v === 'number' ? v : undefined
  }
}

/** The server could not be reached at all (not an HTTP error). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause))
    this.name = 'NetworkError'
  }
}

export interface HttpOptions {
  baseUrl?: string
  getToken: () => string | null
  /** Called on 401 so the UI can return to the login panel. */
  onUnauthorized?: () => void
  fetch?: typeof fetch
}

export interface RequestOptions {
  body?: unknown
  /** Raw body (FormData, Blob, text) sent as is. */
  raw?: BodyInit
  contentType?: string
  query?: Record<string, string | number | boolean | undefined>
  /** The plan version this edit is based on (sent as If-Match: "<version>"). */
  ifMatch?: number
  signal?: AbortSignal
  /** Return the Response instead of parsing JSON (downloads). */
  response?: boolean
  /** Accept header; JSON by default. */
  accept?: string
}

export type Http = ReturnType<typeof createHttp>

export function createHttp(opts: HttpOptions) {
  const base = opts.baseUrl ?? ''
  const doFetch = opts.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a))

  async function request<T>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: o.accept ?? 'application/json' }
    const token = opts.getToken()
    if (token) headers.Authorization = `Bearer ${token}`
    if (o.ifMatch !== undefined) headers['If-Match'] = `"${o.ifMatch}"`
    let body: BodyInit | undefined = o.raw
    if (o.body !== undefined) {
      headers['Content-Type'] = 'application/json'
      body = JSON.stringify(o.body)
    } else if (o.contentType) headers['Content-Type'] = o.contentType
    let url = base + path
    if (o.query) {
      const q = new URLSearchParams()
      for (const [k, v] of Object.entries(o.query)) if (v !== undefined) q.set(k, String(v))
      const s = q.toString()
      if (s) url += (url.includes('?') ? '&' : '?') + s
    }
    let res: Response
    try {
      res = await doFetch(url, { method, headers, body, signal: o.signal })
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') throw err
      throw new NetworkError(err)
    }
    if (!res.ok) {
      let err: ErrorBody | undefined
      try {
        err = (await res.json()) as ErrorBody
      } catch {
        err = undefined
      }
      if (res.status === 401) opts.onUnauthorized?.()
      if (res.status === 409) throw new ConflictError(err)
      throw new ApiError(res.status, err)
    }
    if (o.response) return res as T
    if (res.status === 204) return undefined as T
    const type = res.headers.get('content-type') ?? ''
    return (type.includes('json') ? await res.json() : await res.text()) as T
  }

  return {
    request,
    get: <T>(path: string, o?: RequestOptions) => request<T>('GET', path, o),
    post: <T>(path: string, body?: unknown, o?: RequestOptions) => request<T>('POST', path, { ...o, body }),
    patch: <T>(path: string, body?: unknown, o?: RequestOptions) => request<T>('PATCH', path, { ...o, body }),
    del: <T>(path: string, o?: RequestOptions) => request<T>('DELETE', path, o),
  }
}
