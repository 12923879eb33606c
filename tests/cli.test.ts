/**
 * The file commands end to end: exit codes 0 / 2, the one-line JSON summary, the files written, and
 * messages that name the flag at fault. A few cases go through a real process (`npx tsx
 * server/cli/main.ts …`) to hold the process contract; the rest call the same command functions.
 * Fixtures: fixtures/cases/cli-two-communities.geojson (4 × 6 squares of 100 m, ids '0001'…'0024',
 * communities A | B, pop and hh) and cli-barrier-river.geojson (a hard line between columns 0 and 1).
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as turf from '@turf/turf'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CliIO } from '../server/cli/io.js'
import { runMetrics } from '../server/cli/metrics.js'
import { runPartition } from '../server/cli/partition.js'
import { runValidate } from '../server/cli/validate.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const units = 'fixtures/cases/cli-two-communities.geojson'
const river = 'fixtures/cases/cli-barrier-river.geojson'

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'server/cli/main.ts', ...args], { cwd: root, env: { ...process.env, NO_COLOR: '1' } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

/** The summary: exactly one line of JSON on stdout. */
function summary(r: Run): Record<string, unknown> {
  const lines = r.stdout.trim().split('\n')
  expect(lines).toHaveLength(1)
  return JSON.parse(lines[0])
}

function rows(csv: string): string[][] {
  return csv.trim().split('\n').map((l) => l.split(','))
}

/** The same command in this process (fast: no tsx start), with stdout/stderr captured. */
async function inProcess(run: (argv: string[], io: CliIO) => Promise<number>, ...args: string[]): Promise<Run> {
  let stdout = ''
  let stderr = ''
  const code = await run(args, { stdout: (l) => (stdout += l + '\n'), stderr: (l) => (stderr += l + '\n') })
  return { code, stdout, stderr }
}

let dir = ''
const p = (name: string) => join(dir, name)
const band = ['--id', 'unit_id', '--weight', 'pop', '--households', 'hh', '--nest', 'community', '--min', '400', '--max', '700']
let first: Run, again: Run, walled: Run
let bad: Record<string, Run> = {}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gridweave-cli-'))
  await writeFile(p('broken.geojson'), '{"type": "FeatureCollection", "features": [')
  await writeFile(p('unknown-unit.csv'), 'unit_id,grid_id\n0001,g1\n9999,g1\n')
  const noWeight = JSON.parse(await readFile(join(root, units), 'utf8'))
  delete noWeight.features[5].properties.pop
  await writeFile(p('no-weight.geojson'), JSON.stringify(noWeight))
  // The same squares in projected metres (as a UTM file would be): not lng, lat.
  const projected = JSON.parse(await readFile(join(root, units), 'utf8'))
  for (const f of projected.features) f.geometry.coordinates = f.geometry.coordinates.map((r: number[][]) => r.map(([x, y]) => [x * 1e4, y * 1e5]))
  await writeFile(p('projected.geojson'), JSON.stringify(projected))
  // Real processes for the exit-code contract (each tsx start costs seconds on a busy machine, so only a
  // few, in parallel); the other cases run the same command functions in this process.
  const spawned = Promise.all([
    cli('partition', units, '--out', p('grids.geojson'), '--assign', p('unit_grid.csv'), '--seed', '7', ...band),
    cli('partition', units, '--out', p('x.geojson'), '--weight', 'pop', '--min', '800', '--max', '700'),
    cli('validate', p('broken.geojson')),
    cli('repartition', units),
  ])
  again = await inProcess(runPartition, units, '--out', p('grids2.geojson'), '--assign', p('unit_grid2.csv'), '--seed', '7', ...band)
  walled = await inProcess(runPartition, units, '--out', p('walled.geojson'), '--assign', p('walled.csv'), '--barriers', river, ...band)
  const cases: Record<string, [(argv: string[], io: CliIO) => Promise<number>, string[]]> = {
    noBand: [runPartition, [units, '--out', p('x.geojson'), '--id', 'unit_id', '--weight', 'pop']],
    unknownField: [runPartition, [units, '--out', p('x.geojson'), '--weight', 'people', '--min', '400', '--max', '700']],
    unknownFlag: [runPartition, [units, '--out', p('x.geojson'), '--frobnicate', '--min', '400', '--max', '700']],
    brokenJson: [runPartition, [p('broken.geojson'), '--out', p('x.geojson'), '--min', '400', '--max', '700']],
    projected: [runPartition, [p('projected.geojson'), '--out', p('x.geojson'), '--weight', 'pop', '--min', '400', '--max', '700']],
    halfBand: [runMetrics, [units, '--assign', p('unknown-unit.csv'), '--min', '400']],
    missingWeight: [runMetrics, [p('no-weight.geojson'), '--assign', p('unknown-unit.csv'), '--id', 'unit_id', '--weight', 'pop']],
    unknownUnit: [runMetrics, [units, '--assign', p('unknown-unit.csv'), '--id', 'unit_id', '--weight', 'pop']],
  }
  for (const [name, [run, args]] of Object.entries(cases)) bad[name] = await inProcess(run, ...args)
  ;[first, bad.minAboveMax, bad.validateBroken, bad.unknownCommand] = await spawned
}, 120_000)

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('gridweave partition', () => {
  it('writes contiguous, nested grids with their metrics and exits 0', async () => {
    expect(first.code, first.stderr).toBe(0)
    const s = summary(first)
    expect(s).toMatchObject({ command: 'partition', units: 24, nonContiguous: 0, crossingParent: 0, unassigned: 0 })
    const grids = JSON.parse(await readFile(p('grids.geojson'), 'utf8'))
    expect(grids.type).toBe('FeatureCollection')
    expect(grids.features.length).toBe(s.grids)
    let weight = 0, count = 0
    for (const f of grids.features) {
      for (const key of ['grid_id', 'parent', 'weight', 'households', 'units', 'deviation', 'polsby_popper']) expect(f.properties).toHaveProperty(key)
      expect(['A', 'B']).toContain(f.properties.parent)
      expect(f.geometry.type).toBe('Polygon')
      expect(turf.booleanClockwise(f.geometry.coordinates[0])).toBe(false)
      expect(f.properties.polsby_popper).toBeGreaterThan(0)
      weight += f.properties.weight
      count += f.properties.units
    }
    expect(weight).toBe(1770 + 1662)
    expect(count).toBe(24)
  })

  it('writes unit_id,grid_id with the ids as text (leading zeros kept)', async () => {
    const csv = rows(await readFile(p('unit_grid.csv'), 'utf8'))
    expect(csv[0]).toEqual(['unit_id', 'grid_id'])
    expect(csv).toHaveLength(25)
    expect(csv[1][0]).toBe('0001')
    const grids = JSON.parse(await readFile(p('grids.geojson'), 'utf8'))
    const unitsPerGrid = new Map<string, number>()
    for (const [, g] of csv.slice(1)) unitsPerGrid.set(g, (unitsPerGrid.get(g) ?? 0) + 1)
    for (const f of grids.features) expect(unitsPerGrid.get(f.properties.grid_id)).toBe(f.properties.units)
  })

  it('gives the same plan for the same seed', async () => {
    expect(again.code).toBe(0)
    expect(await readFile(p('unit_grid2.csv'), 'utf8')).toBe(await readFile(p('unit_grid.csv'), 'utf8'))
  })

  it('keeps a locked grid exactly, with its id', async () => {
    const grids = JSON.parse(await readFile(p('grids.geojson'), 'utf8'))
    const kept = grids.features[0]
    await writeFile(p('lock.geojson'), JSON.stringify({ type: 'FeatureCollection', features: [kept] }))
    const r = await inProcess(runPartition, units, '--out', p('locked.geojson'), '--assign', p('locked.csv'), '--lock', p('lock.geojson'), '--seed', '3', ...band)
    expect(r.code, r.stderr).toBe(0)
    expect(summary(r).locked).toBe(kept.properties.units)
    const before = rows(await readFile(p('unit_grid.csv'), 'utf8')).filter(([, g]) => g === kept.properties.grid_id).map(([u]) => u)
    const after = rows(await readFile(p('locked.csv'), 'utf8')).filter(([, g]) => g === kept.properties.grid_id).map(([u]) => u)
    expect(after).toEqual(before)
  })

  it('takes the band as --target and --tolerance', async () => {
    const r = await inProcess(runPartition, units, '--out', p('tol.geojson'), '--id', 'unit_id', '--weight', 'pop', '--nest', 'community', '--target', '550', '--tolerance', '0.3')
    expect(r.code, r.stderr).toBe(0)
    expect(summary(r)).toMatchObject({ min: 385, max: 715, target: 550 })
  })

  it('never puts units on both sides of a hard barrier in one grid', async () => {
    expect(walled.code, walled.stderr).toBe(0)
    expect(summary(walled)).toMatchObject({ withCrossings: 0, nonContiguous: 0 })
    const grid = new Map(rows(await readFile(p('walled.csv'), 'utf8')).slice(1).map(([u, g]) => [u, g]))
    // Column 0 is unit 1, 7, 13, 19; column 1 is the next unit of each row.
    for (const u of [1, 7, 13, 19]) {
      expect(grid.get(String(u).padStart(4, '0'))).not.toBe(grid.get(String(u + 1).padStart(4, '0')))
    }
  })
})

describe('gridweave metrics and validate', () => {
  it('measures the plan the partition wrote, with the same numbers', async () => {
    const r = await inProcess(runMetrics, units, '--assign', p('unit_grid.csv'), '--id', 'unit_id', '--weight', 'pop', '--nest', 'community', '--min', '400', '--max', '700')
    expect(r.code, r.stderr).toBe(0)
    const s = summary(r)
    const ps = summary(first)
    expect(s).toMatchObject({ command: 'metrics', units: 24, grids: ps.grids, unassigned: 0, inBand: ps.inBand, nonContiguous: 0, crossingParent: 0 })
    expect(s.maxAbsDeviation).toBe(ps.maxAbsDeviation)
  })

  it('validates a good units file', async () => {
    const r = await inProcess(runValidate, units, '--id', 'unit_id', '--weight', 'pop')
    expect(r.code, r.stderr).toBe(0)
    expect(summary(r)).toMatchObject({ command: 'validate', features: 24, valid: true, errors: 0, graph: { components: 1 } })
  })
})

describe('bad input exits 2 and says which flag or field is wrong', () => {
  const cases: [string, RegExp][] = [
    ['noBand', /--min N --max N/],
    ['minAboveMax', /--min 800 is larger than --max 700/],
    ['unknownField', /--weight people/],
    ['unknownFlag', /frobnicate/],
    ['halfBand', /--min and --max go together/],
    ['projected', /are not lng, lat degrees/],
    ['brokenJson', /not valid JSON/],
    ['missingWeight', /--weight pop: property pop of feature 5 \(id 0006\) is missing/],
    ['unknownUnit', /unit "9999" is not in/],
    ['validateBroken', /not valid JSON/],
    ['unknownCommand', /unknown command "repartition"/],
  ]
  it.each(cases)('%s', (name, message) => {
    const r = bad[name]
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(r.stderr).not.toMatch(/internal error/)
  })
})
