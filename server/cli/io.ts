/**
 * Shared plumbing of the file commands (partition, metrics, validate): argument parsing that turns
 * every mistake into a BadInput naming the flag, readers for GeoJSON and the assignment CSV, and the
 * exit-code contract (0 ok, 2 bad input or infeasible request, 1 internal error).
 */
import { readFile } from 'node:fs/promises'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import type { FeatureCollection, Geometry } from 'geojson'

export interface CliIO {
  stdout: (line: string) => void
  stderr: (line: string) => void
}

export const defaultIO: CliIO = {
  stdout: (s) => process.stdout.write(s.endsWith('\n') ? s : s + '\n'),
  stderr: (s) => process.stderr.write(s.endsWith('\n') ? s : s + '\n'),
}

/** The user's input is wrong: exit 2 with this message on stderr. */
export class BadInput extends Error {}

/**
 * Runs a command body with the exit-code contract: BadInput -> 2, anything else -> 1 with the stack on
 * stderr (an internal error is a bug, and the stack is what the bug report needs).
 */
export async function runCommand(name: string, io: CliIO, body: () => Promise<number>): Promise<number> {
  try {
    return await body()
  } catch (err) {
    if (err instanceof BadInput) {
      io.stderr(`gridweave ${name}: ${err.message}`)
      return 2
    }
    io.stderr(`gridweave ${name}: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
    return 1
  }
}

type Options = NonNullable<ParseArgsConfig['options']>

/** node:util parseArgs, strict, with its errors (unknown flag, missing value) as BadInput. */
export function parse<O extends Options>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true })
  } catch (err) {
    throw new BadInput(`${(err as Error).message}\nusage: ${usage}`)
  }
}

/** A finite number from a flag, or undefined when the flag is absent. */
export function numberFlag(v: string | undefined, flag: string, check?: (n: number) => string | null): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (v.trim() === '' || !Number.isFinite(n)) throw new BadInput(`--${flag} must be a number, got ${JSON.stringify(v)}`)
  const why = check?.(n)
  if (why) throw new BadInput(`--${flag} ${why}, got ${n}`)
  return n
}

/** Reads a GeoJSON FeatureCollection; `what` names the argument in messages. */
export async function readCollection<G extends Geometry | null>(path: string, what: string): Promise<FeatureCollection<G>> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new BadInput(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (err) {
    throw new BadInput(`${what} ${path} is not valid JSON: ${(err as Error).message}`)
  }
  const fc = data as FeatureCollection<G>
  if (!fc || typeof fc !== 'object' || fc.type !== 'FeatureCollection' || !Array.isArray(fc.features)) {
    throw new BadInput(`${what} ${path} must be a GeoJSON FeatureCollection ({"type": "FeatureCollection", "features": [...]})`)
  }
  for (let i = 0; i < fc.features.length; i++) {
    const f = fc.features[i] as unknown as { type?: string } | null
    if (!f || f.type !== 'Feature') throw new BadInput(`${what} ${path}: features[${i}] is not a GeoJSON Feature`)
  }
  return fc
}

/** Checks that every feature of the units has a Polygon or MultiPolygon. */
export function requirePolygons(fc: FeatureCollection<Geometry | null>, what: string, ids: (i: number) => string): void {
  for (let i = 0; i < fc.features.length; i++) {
    const g = fc.features[i].geometry
    if (!g || (g.type !== 'Polygon' && g.type !== 'MultiPolygon')) {
      throw new BadInput(`${what}: feature ${i} (id ${ids(i)}) has ${g ? `a ${g.type}` : 'no geometry'}; units must be Polygon or MultiPolygon`)
    }
  }
}

/** The property `field` of every feature as a finite number ≥ 0 (numeric strings accepted). */
export function readWeights(fc: FeatureCollection<Geometry | null>, field: string, flag: string, ids: string[]): Float64Array {
  const out = new Float64Array(fc.features.length)
  for (let i = 0; i < out.length; i++) {
    const v = fc.features[i].properties?.[field]
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN
    if (!(Number.isFinite(n) && n >= 0)) {
      const why = v === undefined || v === null || v === '' ? 'is missing' : `is ${JSON.stringify(v)}, not a number >= 0`
      throw new BadInput(`--${flag} ${field}: property ${field} of feature ${i} (id ${ids[i]}) ${why}`)
    }
    out[i] = n
  }
  return out
}

/** Checks that `field` exists on at least one feature, so a typo in a field name is caught early. */
export function requireField(fc: FeatureCollection<Geometry | null>, field: string, flag: string): void {
  if (fc.features.length > 0 && !fc.features.some((f) => f.properties && field in f.properties)) {
    const known = Object.keys(fc.features[0].properties ?? {}).slice(0, 12).join(', ')
    throw new BadInput(`--${flag} ${field}: no feature has a property ${JSON.stringify(field)} (properties of the first feature: ${known || 'none'})`)
  }
}

/** Splits one CSV line (RFC 4180 quotes). */
export function csvFields(line: string): string[] {
  const out: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cur += '"'), i++
      else if (c === '"') quoted = false
      else cur += c
    } else if (c === '"') quoted = true
    else if (c === ',') out.push(cur), (cur = '')
    else cur += c
  }
  out.push(cur)
  return out
}

/** Quotes a CSV field when it needs it; ids stay text so leading zeros survive. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/**
 * Reads `unit_id,grid_id` rows (header first, unit id first). Returns the grid id of every unit id.
 * Ids are kept as text, so '007' and '7' are different units.
 */
export async function readAssignCsv(path: string, flag: string): Promise<Map<string, string>> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new BadInput(`--${flag} ${path}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/)
  if (lines.length === 0 || lines[0].trim() === '') throw new BadInput(`--${flag} ${path}: empty file; expected a header line like unit_id,grid_id`)
  const header = csvFields(lines[0])
  if (header.length < 2) throw new BadInput(`--${flag} ${path}: the header must have two columns (unit id first, then grid id), got ${JSON.stringify(lines[0])}`)
  const out = new Map<string, string>()
  for (let r = 1; r < lines.length; r++) {
    if (lines[r].trim() === '') continue
    const f = csvFields(lines[r])
    if (f.length < 2 || f[0] === '' || f[1] === '') throw new BadInput(`--${flag} ${path} line ${r + 1}: expected unit id and grid id, got ${JSON.stringify(lines[r])}`)
    if (out.has(f[0])) throw new BadInput(`--${flag} ${path} line ${r + 1}: unit ${f[0]} is assigned twice`)
    out.set(f[0], f[1])
  }
  return out
}
