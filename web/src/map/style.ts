import type { StyleSpecification } from 'maplibre-gl'

/**
 * No external resources by default: a plain background, our own layers on top. A basemap (e.g. a
 * Tianditu or intranet style) is opt-in: `?style=<url>` or localStorage `gridweave.style`, or
 * VITE_BASEMAP_STYLE at build time. Our data is WGS84 lng/lat; a GCJ-02 basemap would be offset.
 */
export const LOCAL_STYLE: StyleSpecification = {
  version: 8,
  sources: {},
  layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#f4f1ea' } }],
}

export function configuredStyleUrl(search: string, stored: string | null, buildTime: string | undefined): string | undefined {
  const q = new URLSearchParams(search).get('style')
  return q || stored || buildTime || undefined
}
