import { formatCount, type Language } from '../i18n/index.js'
import type { I18n } from '../i18n/index.js'
import type { BrushPreview } from '../ops/preview.js'

/** The brush tooltip's content: an icon (so the status never rests on colour alone) and its lines of text. */
export interface TooltipContent {
  icon: '✓' | '▲' | '▼' | '⚠' | '○' | 'ℹ'
  kind: 'ok' | 'under' | 'over' | 'warn' | 'info'
  lines: string[]
}

/** A signed count: "+120", "−45" (a real minus sign), "0"; zh-CN uses 万 above 10,000 as elsewhere. */
export function formatDelta(n: number, lang: Language): string {
  const r = Math.round(n)
  if (r === 0) return '0'
  return (r > 0 ? '+' : '−') + formatCount(Math.abs(r), lang)
}

/**
 * What the tooltip says for a brush preview over the target grid (code `code`), e.g. "+120 → 935, in
 * band". `preview.grid` -1 is the eraser. `noTarget` when no target grid is chosen yet; `source` names
 * what the weight is under (the brush, the lasso, the parent brush's grid or community).
 */
export function tooltipContent(i18n: Pick<I18n, 't' | 'lang'>, p: BrushPreview | undefined, opts: { code?: string; weightOn: 'population' | 'households'; noTarget?: boolean; reason?: (r: string) => string; source?: 'brush' | 'lasso' | 'grid' | 'community' }): TooltipContent | undefined {
  const { t, lang } = i18n
  const amount = (n: number) => `${formatCount(n, lang)} ${t(opts.weightOn === 'households' ? 'units.households' : 'units.people')}`
  const underKey = ({ brush: 'tooltip.under', lasso: 'tooltip.underLasso', grid: 'tooltip.underGrid', community: 'tooltip.underCommunity' } as const)[opts.source ?? 'brush']
  if (opts.noTarget) return { icon: 'ℹ', kind: 'info', lines: p ? [t(underKey, { amount: amount(p.under) }), t('tooltip.pickTarget')] : [t('tooltip.pickTarget')] }
  if (!p) return undefined
  const lines = [t(underKey, { amount: amount(p.under) })]
  if (!p.valid) {
    // moving nothing because everything is already in the target is not a warning
    if (p.reason === 'no-change' || p.reason === 'empty-selection') return { icon: 'ℹ', kind: 'info', lines }
    lines.push(opts.reason ? opts.reason(p.reason) : t(`reasons.${p.reason}` as 'reasons.no-change'))
    return { icon: '⚠', kind: 'warn', lines }
  }
  if (p.grid < 0) {
    lines.push(t('tooltip.erase', { amount: amount(p.moved) }))
    return { icon: '○', kind: 'info', lines }
  }
  const status = p.status === 'empty' ? 'under' : p.status
  lines.push(t('tooltip.effect', { code: opts.code ?? '—', delta: formatDelta(p.after - p.before, lang), after: formatCount(p.after, lang), status: t(`tooltip.status.${status}`) }))
  return { icon: status === 'ok' ? '✓' : status === 'under' ? '▲' : '▼', kind: status, lines }
}

const KIND_BORDER: Record<TooltipContent['kind'], string> = { ok: '#2e7d32', under: '#b26a00', over: '#c62828', warn: '#c62828', info: '#555' }

/** The tooltip element that follows the pointer over the map (positioned in map pixels, never under the pointer). */
export class BrushTooltip {
  readonly el = document.createElement('div')
  private iconEl = document.createElement('span')
  private textEl = document.createElement('span')

  constructor() {
    this.el.className = 'gw-tooltip'
    this.el.id = 'gw-brush-tooltip'
    this.el.setAttribute('role', 'tooltip')
    // hidden by display (an inline display would override the hidden attribute and leave it on screen)
    this.el.hidden = true
    this.el.style.display = 'none'
    this.iconEl.setAttribute('aria-hidden', 'true')
    Object.assign(this.iconEl.style, { marginRight: '6px', fontWeight: 'bold' })
    Object.assign(this.textEl.style, { whiteSpace: 'pre' })
    Object.assign(this.el.style, {
      position: 'absolute', left: '0', top: '0', zIndex: '4', pointerEvents: 'none', background: 'rgba(255,255,255,.96)', color: '#111',
      border: '2px solid #555', borderRadius: '4px', padding: '3px 7px', font: '12px/1.4 system-ui, sans-serif', boxShadow: '0 1px 4px rgba(0,0,0,.3)',
    })
    this.el.append(this.iconEl, this.textEl)
  }

  show(c: TooltipContent, x: number, y: number, width: number, height: number) {
    this.iconEl.textContent = c.icon
    this.textEl.textContent = c.lines.join('\n')
    this.el.dataset.kind = c.kind
    this.el.style.borderColor = KIND_BORDER[c.kind]
    this.el.hidden = false
    this.el.style.display = 'flex'
    // below right of the pointer, flipped to the other side near the map's right or bottom edge
    const w = this.el.offsetWidth || 200, hgt = this.el.offsetHeight || 40
    const left = x + 18 + w > width ? x - 18 - w : x + 18
    const top = y + 18 + hgt > height ? y - 18 - hgt : y + 18
    this.el.style.transform = `translate(${Math.max(0, left)}px, ${Math.max(0, top)}px)`
  }

  hide() {
    this.el.hidden = true
    this.el.style.display = 'none'
  }

  text(): string | null {
    return this.el.hidden ? null : `${this.iconEl.textContent} ${this.textEl.textContent}`
  }
}
