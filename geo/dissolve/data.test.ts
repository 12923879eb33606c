import * as turf from '@turf/turf'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { buildGraph } from '../graph/index.js'
import { dissolve } from './index.js'

const file = fileURLToPath(new URL('../../../shared/data/providence_ri_blocks2010.geojson', import.meta.url))

describe.skipIf(!existsSync(file))('dissolve providence blocks by ward', () => {
  it('gives one valid polygon per ward whose area is the sum of its blocks', () => {
    const units = JSON.parse(readFileSync(file, 'utf8'))
    const { graph } = buildGraph(units, { nest: 'WARD' })
    const { parts, report } = dissolve(units, Int32Array.from(graph.parent))
    expect(parts.features).toHaveLength(15)
    expect(report.broken).toBe(0)
    const sum = new Float64Array(15)
    units.features.forEach((f: never, i: number) => (sum[graph.parent[i]] += turf.area(f)))
    for (const f of parts.features) {
      expect(f.geometry?.type).toBe('Polygon')
      expect(turf.booleanValid(f.geometry!)).toBe(true)
      expect(Math.abs(turf.area(f) - sum[f.properties.part])).toBeLessThan(sum[f.properties.part] * 1e-6)
    }
  })
})
