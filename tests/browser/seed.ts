import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * An automatic partition of the demo district as an assignment CSV (unit_id,grid_id,cell_id), made with
 * the CLI (partition, then cells) and cached under .tmp/ — used to create a plan through the editor's
 * CSV import while the server has no partition job route.
 */
export function demoAssignmentCsv(root: string): string {
  const dir = join(root, '.tmp', 'browser-seed')
  const out = join(dir, 'demo-assignment.csv')
  if (existsSync(out)) return out
  mkdirSync(dir, { recursive: true })
  const cli = (...args: string[]) =>
    execFileSync(process.execPath, ['--import', 'tsx', join(root, 'server/cli/main.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  const grids = join(dir, 'grids.geojson')
  cli('partition', join(root, 'fixtures/demo/units.geojson'), '--out', grids, '--assign', join(dir, 'unit-grid.csv'),
    '--id', 'code', '--weight', 'population', '--households', 'households', '--nest', 'communityCode', '--min', '600', '--max', '1000',
    '--barriers', join(root, 'fixtures/demo/barriers.geojson'), '--seed', '1')
  // cells nest in jurisdictions: the first 9 digits of the community code
  const fc = JSON.parse(readFileSync(grids, 'utf8')) as { features: Array<{ properties: Record<string, unknown> }> }
  for (const f of fc.features) f.properties.jurisdiction = String(f.properties.parent).slice(0, 9)
  writeFileSync(grids, JSON.stringify(fc))
  cli('cells', grids, '--out', join(dir, 'cells.geojson'), '--assign', join(dir, 'grid-cell.csv'), '--id', 'grid_id', '--weight', 'weight',
    '--nest', 'jurisdiction', '--community', 'parent', '--relax')
  const cellOf = new Map(
    readFileSync(join(dir, 'grid-cell.csv'), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => {
      const [grid, , code] = l.split(',')
      return [grid!, code!] as const
    }),
  )
  const rows = readFileSync(join(dir, 'unit-grid.csv'), 'utf8').trim().split(/\r?\n/).slice(1)
  writeFileSync(out, ['unit_id,grid_id,cell_id', ...rows.map((l) => `${l},${cellOf.get(l.split(',')[1]!) ?? ''}`)].join('\n') + '\n')
  return out
}
