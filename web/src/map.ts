import * as maplibregl from 'maplibre-gl'
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url'
import 'maplibre-gl/dist/maplibre-gl.css'

// The thin adapter around MapLibre: the rest of the editor does not import maplibre-gl.
maplibregl.setWorkerUrl(workerUrl)

/** A style with no external resources: background only; data layers are added from our API. */
const LOCAL_STYLE: maplibregl.StyleSpecification = {
  version: 8,
  sources: {},
  layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#f4f1ea' } }],
}

export function createMap(container: HTMLElement, styleUrl?: string): maplibregl.Map {
  return new maplibregl.Map({ container, style: styleUrl || LOCAL_STYLE, center: [123.98, 47.35], zoom: 10, attributionControl: false })
}

type Bounds = [number, number, number, number]

function extend(b: Bounds, c: unknown): void {
  if (Array.isArray(c) && typeof c[0] === 'number') {
    b[0] = Math.min(b[0], c[0]); b[1] = Math.min(b[1], c[1] as number)
    b[2] = Math.max(b[2], c[0]); b[3] = Math.max(b[3], c[1] as number)
  } else if (Array.isArray(c)) for (const x of c) extend(b, x)
}

export function boundsOf(fc: GeoJSON.FeatureCollection): Bounds | undefined {
  const b: Bounds = [Infinity, Infinity, -Infinity, -Infinity]
  for (const f of fc.features) if (f.geometry && 'coordinates' in f.geometry) extend(b, f.geometry.coordinates)
  return Number.isFinite(b[0]) ? b : undefined
}

export function addOutlines(map: maplibregl.Map, id: string, fc: GeoJSON.FeatureCollection, color: string, width: number, fill?: string) {
  map.addSource(id, { type: 'geojson', data: fc })
  if (fill) map.addLayer({ id: `${id}-fill`, type: 'fill', source: id, paint: { 'fill-color': fill, 'fill-opacity': 0.25 } })
  map.addLayer({ id: `${id}-line`, type: 'line', source: id, paint: { 'line-color': color, 'line-width': width } })
}
