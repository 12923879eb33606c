import * as maplibregl from 'maplibre-gl'
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url'
import 'maplibre-gl/dist/maplibre-gl.css'
import { GLYPHS_URL, LABEL_FONT, LOCAL_IDEOGRAPH_FONTS, LOCAL_STYLE } from './style.js'
import { hatch } from './patterns.js'
import { GRID_PALETTE } from '../ops/coloring.js'

/**
 * The thin adapter around MapLibre: the only module that imports maplibre-gl. The editor hands it ids
 * and feature states; it hands back ids under the pointer. Coordinates are lng, lat (EPSG:4326); screen
 * points are CSS pixels relative to the map container.
 */
maplibregl.setWorkerUrl(workerUrl)

export type LayerGroup = 'units' | 'grids' | 'cells' | 'jurisdictions' | 'communities' | 'barriers' | 'stations' | 'events'
export type Bounds = [number, number, number, number]
export type ColourMode = 'grids' | 'deviation'

/** Where the plan's features come from: vector tiles (the normal case), or GeoJSON when the server has no tiles. */
export type PlanSource =
  | { kind: 'tiles'; planId: number; version: number }
  | { kind: 'geojson'; units: GeoJSON.FeatureCollection; grids: GeoJSON.FeatureCollection; cells: GeoJSON.FeatureCollection }

export interface UnitState {
  /** colour index (grid colouring), -1 unassigned */
  c?: number
  /** deviation class −3..3 of its grid */
  dev?: number
  sel?: boolean
  /** changed in the comparison */
  chg?: boolean
}

export interface MapPointer {
  type: 'down' | 'move' | 'up' | 'click' | 'leave'
  x: number
  y: number
  lngLat: [number, number]
  button: number
  shiftKey: boolean
  ctrlKey: boolean
  metaKey: boolean
}

/** Property names of the feature ids in each plan layer when drawn from GeoJSON (tiles carry the database id as feature id). */
export const ID_PROPS = { units: 'unit_id', grids: 'grid_id', cells: 'cell_id' } as const

const DEVIATION_COLOURS = ['#2c7bb6', '#74add1', '#c6dbef', '#f7f7f7', '#fdd0a2', '#f46d43', '#a50026'] // light in the middle: greyscale reads as |deviation|

export class EditorMap {
  readonly map: maplibregl.Map
  private planLayers: string[] = []
  private planSources: string[] = []
  private gridLabels: GeoJSON.FeatureCollection = { type: 'FeatureCollection', features: [] }
  private plan: PlanSource | undefined
  private visible = new Map<LayerGroup, boolean>()
  private colourMode: ColourMode = 'grids'
  private handlers = new Set<(e: MapPointer) => void>()

  constructor(container: HTMLElement, opts: { styleUrl?: string; getToken: () => string | null }) {
    this.map = new maplibregl.Map({
      container,
      style: opts.styleUrl || LOCAL_STYLE,
      center: [123.98, 47.35],
      zoom: 10,
      attributionControl: false,
      boxZoom: false, // Shift-drag is box select
      doubleClickZoom: false,
      localIdeographFontFamily: LOCAL_IDEOGRAPH_FONTS,
      transformRequest: (url) => {
        const token = opts.getToken()
        if (token && new URL(url, location.href).origin === location.origin && url.includes('/api/')) {
          return { url, headers: { Authorization: `Bearer ${token}` } }
        }
        return { url }
      },
    })
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'bottom-right')
    this.map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left')
    this.map.on('load', () => {
      const img = hatch()
      if (!this.map.hasImage('gw-hatch')) this.map.addImage('gw-hatch', img)
      // a configured basemap style without glyphs gets ours; one with its own keeps them (our font
      // stack is then drawn locally by MapLibre when that server lacks it)
      if (!this.map.getStyle().glyphs) this.map.setGlyphs(GLYPHS_URL)
    })
    const emit = (type: MapPointer['type'], e: maplibregl.MapMouseEvent) => {
      const o = e.originalEvent
      const p: MapPointer = { type, x: e.point.x, y: e.point.y, lngLat: [e.lngLat.lng, e.lngLat.lat], button: o.button, shiftKey: o.shiftKey, ctrlKey: o.ctrlKey, metaKey: o.metaKey }
      for (const h of this.handlers) h(p)
    }
    this.map.on('mousedown', (e) => emit('down', e))
    this.map.on('mousemove', (e) => emit('move', e))
    this.map.on('mouseup', (e) => emit('up', e))
    this.map.on('click', (e) => emit('click', e))
    this.map.on('mouseout', (e) => emit('leave', e))
  }

  onPointer(fn: (e: MapPointer) => void): () => void {
    this.handlers.add(fn)
    return () => this.handlers.delete(fn)
  }

  whenLoaded(): Promise<void> {
    return this.map.loaded() || this.map.isStyleLoaded() ? Promise.resolve() : new Promise((r) => this.map.once('load', () => r()))
  }

  /** Resolves at the map's next `idle` event (every tile loaded, nothing animating). */
  idle(): Promise<void> {
    return new Promise((r) => {
      this.map.once('idle', () => r())
      this.map.triggerRepaint()
    })
  }

  /** Where overlays (brush outline, selection box) go; positioned in map pixels. */
  get canvas(): HTMLElement {
    return this.map.getCanvasContainer()
  }

  /** Size of the map in CSS pixels. */
  get size(): { width: number; height: number } {
    const c = this.map.getContainer()
    return { width: c.clientWidth, height: c.clientHeight }
  }

  setPanEnabled(on: boolean) {
    if (on) this.map.dragPan.enable()
    else this.map.dragPan.disable()
  }

  fit(b: Bounds, padding: number | { top: number; bottom: number; left: number; right: number } = 40) {
    this.map.fitBounds([b[0], b[1], b[2], b[3]], { padding, duration: 0, maxZoom: 17 })
  }

  // ---- base layers ----

  /** Jurisdiction and community outlines from GeoJSON (GET /api/areas). */
  setAreas(jurisdictions: GeoJSON.FeatureCollection | undefined, communities: GeoJSON.FeatureCollection | undefined) {
    const put = (id: 'jurisdictions' | 'communities', fc: GeoJSON.FeatureCollection | undefined, paint: maplibregl.LineLayerSpecification['paint']) => {
      if (!fc) return
      const src = this.map.getSource(id) as maplibregl.GeoJSONSource | undefined
      if (src) src.setData(fc)
      else {
        this.map.addSource(id, { type: 'geojson', data: fc })
        this.map.addLayer({ id: `${id}-line`, type: 'line', source: id, paint, layout: { visibility: this.vis(id) } }, this.firstPlanOverlay())
      }
    }
    put('communities', communities, { 'line-color': '#5b6b7a', 'line-width': 1.2, 'line-dasharray': [3, 2] })
    put('jurisdictions', jurisdictions, { 'line-color': '#222', 'line-width': 2.5, 'line-dasharray': [6, 2, 1, 2] })
  }

  /** Barriers, stations and events from the base-layer tiles (/api/tiles/{layer}/{z}/{x}/{y}.mvt), when offered. */
  setBaseTiles(layers: { barriers?: boolean; stations?: boolean; events?: boolean }) {
    const url = (l: string) => new URL(`/api/tiles/${l}/{z}/{x}/{y}.mvt`, location.href).href.replace(/%7B/g, '{').replace(/%7D/g, '}')
    if (layers.barriers && !this.map.getSource('barriers')) {
      this.map.addSource('barriers', { type: 'vector', tiles: [url('barriers')], minzoom: 0, maxzoom: 16 })
      this.map.addLayer({ id: 'barriers-line', type: 'line', source: 'barriers', 'source-layer': 'barriers', paint: { 'line-color': '#2f5d9e', 'line-width': ['case', ['==', ['get', 'hard'], true], 2.2, 1] }, layout: { visibility: this.vis('barriers') } })
    }
    if (layers.events && !this.map.getSource('events')) {
      this.map.addSource('events', { type: 'vector', tiles: [url('events')], minzoom: 0, maxzoom: 16 })
      this.map.addLayer({
        id: 'events-heat', type: 'heatmap', source: 'events', 'source-layer': 'events',
        paint: { 'heatmap-radius': 18, 'heatmap-opacity': 0.7, 'heatmap-color': ['interpolate', ['linear'], ['heatmap-density'], 0, 'rgba(0,0,0,0)', 0.3, '#fdd49e', 0.6, '#ef6548', 1, '#7f0000'] },
        layout: { visibility: this.vis('events', false) },
      })
    }
    if (layers.stations && !this.map.getSource('stations')) {
      this.map.addSource('stations', { type: 'vector', tiles: [url('stations')], minzoom: 0, maxzoom: 16 })
      this.map.addLayer({
        id: 'stations-circle', type: 'circle', source: 'stations', 'source-layer': 'stations',
        // 184 service stations crowd the city at district scale: police stations always, service stations from z12
        filter: ['any', ['==', ['get', 'kind'], 'police'], ['>=', ['zoom'], 12]],
        paint: {
          'circle-radius': ['match', ['get', 'kind'], 'police', 5, 3],
          'circle-color': ['match', ['get', 'kind'], 'police', '#1a237e', '#ffffff'],
          'circle-stroke-color': '#1a237e', 'circle-stroke-width': 2,
        },
        layout: { visibility: this.vis('stations') },
      })
    }
  }

  // ---- the plan ----

  setPlan(src: PlanSource) {
    this.clearPlan()
    this.plan = src
    const layerSrc = (name: 'units' | 'grids' | 'cells'): maplibregl.SourceSpecification => {
      if (src.kind === 'geojson') return { type: 'geojson', data: src[name], promoteId: ID_PROPS[name] }
      const tiles = [new URL(`/api/plans/${src.planId}/tiles/${name}/{z}/{x}/{y}.mvt?v=${src.version}`, location.href).href.replace(/%7B/g, '{').replace(/%7D/g, '}')]
      // the tiles' feature id is the database id, which is what the editor keys feature state by
      return { type: 'vector', tiles, minzoom: 0, maxzoom: 16 }
    }
    const sl = (name: string) => (src.kind === 'tiles' ? { 'source-layer': name } : {})
    for (const name of ['units', 'grids', 'cells'] as const) {
      this.map.addSource(`plan-${name}`, layerSrc(name))
      this.planSources.push(`plan-${name}`)
    }
    const before = this.map.getLayer('communities-line') ? 'communities-line' : undefined
    const add = (l: maplibregl.LayerSpecification, group: LayerGroup, beforeId = before) => {
      this.map.addLayer({ ...l, layout: { ...(l as { layout?: object }).layout, visibility: this.vis(group) } } as maplibregl.LayerSpecification, beforeId)
      this.planLayers.push(l.id)
    }
    add({ id: 'units-fill', type: 'fill', source: 'plan-units', ...sl('units'), paint: { 'fill-color': this.fillColour(), 'fill-opacity': 0.78 } }, 'units')
    add({ id: 'units-line', type: 'line', source: 'plan-units', ...sl('units'), paint: { 'line-color': '#6b6b6b', 'line-width': 0.4, 'line-opacity': 0.6 } }, 'units')
    add({ id: 'grids-lock', type: 'fill', source: 'plan-grids', ...sl('grids'), paint: { 'fill-pattern': 'gw-hatch', 'fill-opacity': ['case', ['boolean', ['feature-state', 'locked'], false], 1, 0] } }, 'grids')
    add({ id: 'grids-line', type: 'line', source: 'plan-grids', ...sl('grids'), paint: { 'line-color': '#1f1f1f', 'line-width': 1.4 } }, 'grids')
    add({ id: 'cells-casing', type: 'line', source: 'plan-cells', ...sl('cells'), paint: { 'line-color': '#ffffff', 'line-width': 7, 'line-opacity': 0.9 } }, 'cells')
    add({ id: 'cells-line', type: 'line', source: 'plan-cells', ...sl('cells'), paint: { 'line-color': '#000000', 'line-width': 3.5 } }, 'cells')
    add({ id: 'cells-sel', type: 'line', source: 'plan-cells', ...sl('cells'), paint: { 'line-color': '#7b1fa2', 'line-width': 6, 'line-dasharray': [2, 1], 'line-opacity': ['case', ['boolean', ['feature-state', 'sel'], false], 1, 0] } }, 'cells', undefined)
    // overlays above the base outlines
    add({ id: 'units-chg', type: 'line', source: 'plan-units', ...sl('units'), paint: { 'line-color': '#c2185b', 'line-width': 2.5, 'line-dasharray': [1.5, 1], 'line-opacity': ['case', ['boolean', ['feature-state', 'chg'], false], 1, 0] } }, 'units', undefined)
    add({ id: 'units-sel', type: 'line', source: 'plan-units', ...sl('units'), paint: { 'line-color': '#000', 'line-width': 2.5, 'line-opacity': ['case', ['boolean', ['feature-state', 'sel'], false], 1, 0] } }, 'units', undefined)
    // grid codes at one point per grid (setGridLabels; a polygon label would repeat in every tile the grid
    // spans), hidden where they collide: from z11, where the larger grids of a district view have room
    this.map.addSource('plan-grid-labels', { type: 'geojson', data: this.gridLabels })
    this.planSources.push('plan-grid-labels')
    add({
      id: 'grids-label', type: 'symbol', source: 'plan-grid-labels', minzoom: 11,
      layout: {
        'text-field': ['get', 'code'],
        'text-font': LABEL_FONT,
        'text-size': ['interpolate', ['linear'], ['zoom'], 11, 10, 16, 14],
        'text-padding': 4,
        'text-max-width': 8,
      },
      paint: { 'text-color': '#1b1b1b', 'text-halo-color': '#ffffff', 'text-halo-width': 1.8, 'text-halo-blur': 0.4 },
    } as maplibregl.SymbolLayerSpecification, 'grids', undefined)
    add({ id: 'grids-sel', type: 'line', source: 'plan-grids', ...sl('grids'), paint: { 'line-color': '#0050d0', 'line-width': 4, 'line-opacity': ['case', ['boolean', ['feature-state', 'sel'], false], 1, 0] } }, 'grids', undefined)
  }

  /** Grid code labels, one point per grid (the session computes them from the units' boxes). */
  setGridLabels(labels: Array<{ code: string; at: [number, number] }>) {
    this.gridLabels = {
      type: 'FeatureCollection',
      features: labels.map((l) => ({ type: 'Feature', properties: { code: l.code }, geometry: { type: 'Point', coordinates: l.at } })),
    }
    ;(this.map.getSource('plan-grid-labels') as maplibregl.GeoJSONSource | undefined)?.setData(this.gridLabels)
  }

  clearPlan() {
    this.gridLabels = { type: 'FeatureCollection', features: [] }
    for (const l of this.planLayers) if (this.map.getLayer(l)) this.map.removeLayer(l)
    for (const s of this.planSources) if (this.map.getSource(s)) this.map.removeSource(s)
    this.planLayers = []
    this.planSources = []
    this.plan = undefined
  }

  /**
   * After an edit is saved: grid and cell outlines of the new version. Units keep their tiles (their
   * colour is feature state), so nothing is refetched while painting, only once per saved edit.
   */
  refreshOutlines(next: PlanSource) {
    const cur = this.plan
    if (!cur) return
    if (cur.kind === 'tiles' && next.kind === 'tiles') {
      for (const name of ['grids', 'cells'] as const) {
        const s = this.map.getSource(`plan-${name}`) as maplibregl.VectorTileSource | undefined
        s?.setTiles([new URL(`/api/plans/${next.planId}/tiles/${name}/{z}/{x}/{y}.mvt?v=${next.version}`, location.href).href.replace(/%7B/g, '{').replace(/%7D/g, '}')])
      }
    } else if (next.kind === 'geojson') {
      ;(this.map.getSource('plan-grids') as maplibregl.GeoJSONSource | undefined)?.setData(next.grids)
      ;(this.map.getSource('plan-cells') as maplibregl.GeoJSONSource | undefined)?.setData(next.cells)
    }
    this.plan = next
  }

  private sourceLayer(name: 'units' | 'grids' | 'cells') {
    return this.plan?.kind === 'tiles' ? name : undefined
  }

  /** Feature state of many units at once: colour index, deviation class, selection, change mark. */
  setUnitStates(states: Iterable<readonly [string, UnitState]>) {
    if (!this.map.getSource('plan-units')) return
    const sourceLayer = this.sourceLayer('units')
    for (const [id, st] of states) this.map.setFeatureState({ source: 'plan-units', sourceLayer, id }, st)
  }

  setGridStates(states: Iterable<readonly [string, { locked?: boolean; sel?: boolean }]>) {
    if (!this.map.getSource('plan-grids')) return
    const sourceLayer = this.sourceLayer('grids')
    for (const [id, st] of states) this.map.setFeatureState({ source: 'plan-grids', sourceLayer, id }, st)
  }

  setCellStates(states: Iterable<readonly [string, { sel?: boolean }]>) {
    if (!this.map.getSource('plan-cells')) return
    const sourceLayer = this.sourceLayer('cells')
    for (const [id, st] of states) this.map.setFeatureState({ source: 'plan-cells', sourceLayer, id }, st)
  }

  /** Unit ids whose rendered polygons meet the screen box [x0, y0]–[x1, y1]. */
  unitsInBox(a: [number, number], b: [number, number]): string[] {
    if (!this.map.getLayer('units-fill')) return []
    const box: [maplibregl.PointLike, maplibregl.PointLike] = [
      [Math.min(a[0], b[0]), Math.min(a[1], b[1])],
      [Math.max(a[0], b[0]), Math.max(a[1], b[1])],
    ]
    const ids = new Set<string>()
    for (const f of this.map.queryRenderedFeatures(box, { layers: ['units-fill'] })) {
      const id = this.plan?.kind === 'geojson' ? f.properties?.[ID_PROPS.units] : f.id
      if (id !== undefined && id !== null) ids.add(String(id))
    }
    return [...ids]
  }

  unitAt(x: number, y: number): string | undefined {
    return this.unitsInBox([x, y], [x, y])[0]
  }

  /** Grid codes whose labels are drawn on the map now (after `idle`), one entry per drawn label; for tests. */
  renderedGridLabels(): string[] {
    if (!this.map.getLayer('grids-label')) return []
    return this.map.queryRenderedFeatures({ layers: ['grids-label'] }).map((f) => String(f.properties?.code))
  }

  /** Screen point (CSS pixels in the map) of a lng/lat, and back. */
  project(lngLat: [number, number]): [number, number] {
    const p = this.map.project(lngLat)
    return [p.x, p.y]
  }

  unproject(p: [number, number]): [number, number] {
    const ll = this.map.unproject(p)
    return [ll.lng, ll.lat]
  }

  cellAt(x: number, y: number): string | undefined {
    if (!this.map.getLayer('cells-line')) return undefined
    // cells are drawn as outlines only: find the cell polygon under the point through the source
    const f = this.map.queryRenderedFeatures([x, y], { layers: ['cells-casing', 'cells-line'] })[0]
    const id = this.plan?.kind === 'geojson' ? f?.properties?.[ID_PROPS.cells] : f?.id
    return id === undefined || id === null ? undefined : String(id)
  }

  /** Whether an events heat layer was added (the server offers event tiles). */
  get hasEvents(): boolean {
    return !!this.map.getLayer('events-heat')
  }

  setVisible(group: LayerGroup, on: boolean) {
    this.visible.set(group, on)
    const prefix = `${group}-`
    for (const l of this.map.getStyle()?.layers ?? []) {
      if (l.id.startsWith(prefix) || (group === 'units' && l.id === 'units-fill')) this.map.setLayoutProperty(l.id, 'visibility', on ? 'visible' : 'none')
    }
  }

  isVisible(group: LayerGroup): boolean {
    return this.visible.get(group) ?? group !== 'events'
  }

  private vis(group: LayerGroup, dflt = true): 'visible' | 'none' {
    return (this.visible.get(group) ?? dflt) ? 'visible' : 'none'
  }

  private firstPlanOverlay(): string | undefined {
    return this.map.getLayer('units-chg') ? 'units-chg' : undefined
  }

  setColourMode(mode: ColourMode) {
    this.colourMode = mode
    if (this.map.getLayer('units-fill')) this.map.setPaintProperty('units-fill', 'fill-color', this.fillColour())
  }

  private fillColour(): maplibregl.ExpressionSpecification {
    if (this.colourMode === 'deviation') {
      const m: unknown[] = ['match', ['coalesce', ['feature-state', 'dev'], 99]]
      DEVIATION_COLOURS.forEach((c, i) => m.push(i - 3, c))
      m.push('#ffffff')
      return m as maplibregl.ExpressionSpecification
    }
    const m: unknown[] = ['match', ['coalesce', ['feature-state', 'c'], -1]]
    GRID_PALETTE.forEach((c, i) => m.push(i, c))
    m.push('#ffffff')
    return m as maplibregl.ExpressionSpecification
  }
}

export { GRID_PALETTE, DEVIATION_COLOURS }
