import type { StyleSpecification } from 'maplibre-gl'

/**
 * No external resources by default: a plain background, our own layers on top. A basemap (e.g. a
 * Tianditu or intranet style) is opt-in: `?style=<url>` or localStorage `gridweave.style`, or
 * VITE_BASEMAP_STYLE at build time. Our data is WGS84 lng/lat; a GCJ-02 basemap would be offset.
 */
/** Glyphs for map labels, served by us (web/public/glyphs, made by make-glyphs.ts): no CDN. */
export const GLYPHS_URL = '/glyphs/{fontstack}/{range}.pbf'
/** The one font stack in GLYPHS_URL (ASCII and Latin-1; grid codes are ASCII). */
export const LABEL_FONT = ['DejaVuSans-Bold']
/**
 * Chinese characters are drawn locally from the system font instead (fonts-noto-cjk on Debian, the
 * usual Windows and macOS fonts), so no CJK glyph ranges need to be served.
 */
export const LOCAL_IDEOGRAPH_FONTS = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"

export const LOCAL_STYLE: StyleSpecification = {
  version: 8,
  glyphs: GLYPHS_URL,
  sources: {},
  layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#f4f1ea' } }],
}

export function configuredStyleUrl(search: string, stored: string | null, buildTime: string | undefined): string | undefined {
  const q = new URLSearchParams(search).get('style')
  return q || stored || buildTime || undefined
}
