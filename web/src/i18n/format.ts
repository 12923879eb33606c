import type { Language } from './types.js'

/**
 * Locale-aware number and date formatting with Intl (no DOM). zh-CN writes large counts with 万/亿
 * (12345 -> "1.23万"), as Chinese planners read them; English keeps digit grouping ("12,345").
 */
const cache = new Map<string, Intl.NumberFormat>()
function nf(lang: Language, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = lang + JSON.stringify(opts)
  let f = cache.get(key)
  if (!f) cache.set(key, (f = new Intl.NumberFormat(lang, opts)))
  return f
}

/** A count (people, households, units). Exact below 10,000; in zh-CN, 万/亿 with up to 2 decimals above. */
export function formatCount(n: number, lang: Language): string {
  if (!Number.isFinite(n)) return '–'
  if (lang === 'zh-CN' && Math.abs(n) >= 10_000) return nf(lang, { notation: 'compact', maximumFractionDigits: 2 }).format(n)
  return nf(lang, { maximumFractionDigits: 0 }).format(n)
}

/** A signed percentage, given in percent (e.g. 12.5 -> "+12.5%"). */
export function formatPercent(pct: number | null, lang: Language, digits = 1): string {
  if (pct === null || !Number.isFinite(pct)) return '–'
  return nf(lang, { style: 'percent', signDisplay: 'exceptZero', maximumFractionDigits: digits }).format(pct / 100)
}

/** A plain number with a fixed number of decimals (compactness, etc.). */
export function formatDecimal(n: number, lang: Language, digits = 2): string {
  if (!Number.isFinite(n)) return '–'
  return nf(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n)
}

/** A date and time in the user's language (ISO string or Date), in the given time zone (default: local). */
export function formatDateTime(d: string | Date, lang: Language, timeZone?: string): string {
  const date = typeof d === 'string' ? new Date(d) : d
  if (Number.isNaN(date.getTime())) return '–'
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(date)
}
