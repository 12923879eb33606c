import { createMap, addOutlines, boundsOf } from './map.js'

// For now: the demo district's jurisdiction and community outlines. The editor comes in its own issue.
const status = document.getElementById('status')!
const map = createMap(document.getElementById('map')!)

async function areas(level: string): Promise<GeoJSON.FeatureCollection> {
  const r = await fetch(`/api/areas?level=${level}`)
  if (!r.ok) throw new Error(`${level}: HTTP ${r.status}`)
  return r.json()
}

map.on('load', async () => {
  try {
    const [jurisdictions, communities] = await Promise.all([areas('jurisdiction'), areas('community')])
    addOutlines(map, 'communities', communities, '#7a8a99', 0.8, '#cfe0c3')
    addOutlines(map, 'jurisdictions', jurisdictions, '#333', 2.5)
    const b = boundsOf(jurisdictions)
    if (b) map.fitBounds(b, { padding: 20, duration: 0 })
    status.textContent = `辖区 ${jurisdictions.features.length} · 社区 ${communities.features.length}`
  } catch (err) {
    status.textContent = `加载失败：${(err as Error).message}`
  }
})
