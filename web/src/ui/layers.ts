import { h, fill } from './dom.js'
import type { Ctx } from './context.js'
import type { LayerGroup } from '../map/adapter.js'

const GROUPS: LayerGroup[] = ['units', 'grids', 'cells', 'communities', 'jurisdictions', 'barriers', 'stations', 'events']

/** The layer switcher: one checkbox per layer group, plus the deviation choropleth. */
export function renderLayers(el: HTMLElement, ctx: Ctx, available: (g: LayerGroup) => boolean, deviationOn: boolean, setDeviation: (on: boolean) => void) {
  const t = ctx.i18n.t
  const boxes = GROUPS.filter(available).map((g) => {
    const id = `gw-layer-${g}`
    const cb = h('input', { type: 'checkbox', id, checked: ctx.map.isVisible(g), onchange: (e: Event) => ctx.map.setVisible(g, (e.target as HTMLInputElement).checked) })
    return h('li', {}, cb, h('label', { for: id }, t(`layers.${g}`)))
  })
  const dev = h('input', { type: 'checkbox', id: 'gw-layer-deviation', checked: deviationOn, onchange: (e: Event) => setDeviation((e.target as HTMLInputElement).checked) })
  fill(el, h('details', { open: true }, h('summary', {}, t('layers.title')), h('ul', { class: 'gw-layers' }, ...boxes, h('li', {}, dev, h('label', { for: 'gw-layer-deviation' }, t('layers.deviation'))))))
}
