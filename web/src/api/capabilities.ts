import type { Http } from './http.js'

/**
 * What the running server offers, read once from its OpenAPI document (`/docs/json`), so the editor can
 * hide buttons for routes that do not exist (yet) instead of failing on click.
 */
export interface Capabilities {
  has(method: string, path: string): boolean
  readonly paths: ReadonlySet<string>
}

/** Paths are OpenAPI templates with `{param}`; also accepts Fastify's `:param` spelling. */
function normalise(path: string): string {
  return path.replace(/:([A-Za-z_]\w*)/g, '{$1}').replace(/\{[^}]+\}/g, '{}')
}

export function capabilitiesFrom(doc: { paths?: Record<string, Record<string, unknown>> }): Capabilities {
  const set = new Set<string>()
  for (const [p, ops] of Object.entries(doc.paths ?? {})) for (const m of Object.keys(ops)) set.add(`${m.toUpperCase()} ${normalise(p)}`)
  return {
    paths: set,
    has: (method, path) => set.has(`${method.toUpperCase()} ${normalise(path)}`),
  }
}

export async function loadCapabilities(http: Http): Promise<Capabilities> {
  try {
    return capabilitiesFrom(await http.get('/docs/json'))
  } catch {
    return capabilitiesFrom({})
  }
}
