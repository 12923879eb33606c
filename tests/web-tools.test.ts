import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { PbfReader } from 'pbf'
import { createPlanState, setGridLock, withTotals, type PlanState, type Applied, type OpResult } from '../web/src/ops/index.js'
import { pointInRing, unitsInRing, extendLasso } from '../web/src/ops/lasso.js'
import { parentUnits, parentFill } from '../web/src/ops/parent-fill.js'
import { brushPreview } from '../web/src/ops/preview.js'
import { createI18n } from '../web/src/i18n/index.js'
import { tooltipContent, formatDelta } from '../web/src/ui/tooltip.js'
import { commandFor, SHORTCUT_ROWS, type KeyLike } from '../web/src/ui/keys.js'
import { GLYPHS_URL, LABEL_FONT, LOCAL_STYLE } from '../web/src/map/style.js'

/**
 * Six units in a row (index = column, centre at lng = column + 0.5, lat 0.5). Units 0–3 are community 0,
 * 4–5 community 1. Grids: 0 = units 0–1, 1 = units 2–3, 2 = units 4–5 (community 1); unit 3 is unassigned.
 */
function row(): PlanState {
  const grid = [0, 0, 1, -1, 2, 2]
  return createPlanState({
    version: 1,
    band: { on: 'population', min: 250, max: 450 },
    units: grid.map((g, i) => ({ id: `u${i}`, community: i < 4 ? 0 : 1, population: 100 + 10 * i, households: 30, grid: g })),
    grids: [
      { id: 'g0', code: 'A01', community: 0 },
      { id: 'g1', code: 'A02', community: 0 },
      { id: 'g2', code: 'B01', community: 1 },
    ],
    cells: [],
  })
}
const centresOf = (n: number) => Float64Array.from({ length: n * 2 }, (_, k) => (k % 2 === 0 ? k / 2 + 0.5 : 0.5))
const ok = (r: OpResult): Applied => {
  if (!r.valid) throw new Error(`refused: ${r.reason}`)
  return r
}

describe('lasso selection', () => {
  it('tests points against a polygon with the even-odd rule, concave rings included', () => {
    const square: Array<[number, number]> = [[0, 0], [4, 0], [4, 4], [0, 4]]
    expect(pointInRing(2, 2, square)).toBe(true)
    expect(pointInRing(5, 2, square)).toBe(false)
    // a U shape: the notch (2, 3) is outside although inside the bounding box
    const u: Array<[number, number]> = [[0, 0], [4, 0], [4, 4], [3, 4], [3, 1], [1, 1], [1, 4], [0, 4]]
    expect(pointInRing(0.5, 3, u)).toBe(true)
    expect(pointInRing(2, 3, u)).toBe(false)
    expect(pointInRing(2, 0.5, u)).toBe(true)
  })

  it('selects the units whose centre is inside the ring, ascending, and skips units without a centre', () => {
    const c = centresOf(6)
    expect(unitsInRing([[1.2, 0], [3.8, 0], [3.8, 1], [1.2, 1]], c)).toEqual([1, 2, 3])
    // a triangle over units 0–2 whose slanted side leaves out unit 2's centre (2.5, 0.5)
    expect(unitsInRing([[0, 0], [3.2, 0], [0, 1.2]], c)).toEqual([0, 1])
    c[2] = NaN
    expect(unitsInRing([[0, 0], [6, 0], [6, 1], [0, 1]], c)).toEqual([0, 2, 3, 4, 5])
    expect(unitsInRing([[0, 0], [6, 1]], c)).toEqual([])
  })

  it('drops pointer positions closer than the step to the last one', () => {
    const pts: Array<[number, number]> = []
    expect(extendLasso(pts, 0, 0)).toBe(true)
    expect(extendLasso(pts, 1, 1)).toBe(false)
    expect(extendLasso(pts, 3, 0)).toBe(true)
    expect(pts).toEqual([[0, 0], [3, 0]])
  })

  it('is selected with L and listed on the shortcut sheet, and never fires while an IME composes', () => {
    const k = (key: string, o: Partial<KeyLike> = {}): KeyLike => ({ key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, isComposing: false, target: { tagName: 'DIV' }, ...o })
    expect(commandFor(k('l'))).toBe('lasso')
    expect(commandFor(k('P'))).toBe('parent')
    expect(commandFor(k('l', { isComposing: true }))).toBeUndefined()
    expect(commandFor(k('p', { target: { tagName: 'INPUT', type: 'search' } }))).toBeUndefined()
    expect(SHORTCUT_ROWS.map(([key]) => key)).toEqual(expect.arrayContaining(['L', 'P']))
  })
})

describe('parent brush', () => {
  it('takes every unit of the grid under the cursor, or of its community', () => {
    const s = row()
    expect(parentUnits(s, 1, 'grid')).toEqual([0, 1])
    expect(parentUnits(s, 4, 'grid')).toEqual([4, 5])
    expect(parentUnits(s, 0, 'community')).toEqual([0, 1, 2, 3])
    expect(parentUnits(s, 5, 'community')).toEqual([4, 5])
    // an unassigned unit: the unassigned units of its community
    expect(parentUnits(s, 3, 'grid')).toEqual([3])
    expect(parentUnits(s, 99, 'grid')).toEqual([])
  })

  it('fills a whole grid into the target as one edit whose inverse restores it', () => {
    const s = row()
    const r = ok(parentFill(s, { unit: 0, scope: 'grid', grid: 1 }))
    expect([...r.state.unitGrid]).toEqual([1, 1, 1, -1, 2, 2])
    expect(r.state.gridPopulation[1]).toBe(100 + 110 + 120)
    expect(r.state.gridUnits[0]).toBe(0)
    expect(r.edit.op).toBe('set-unit-grids')
    expect([...withTotals(r.state).gridPopulation]).toEqual([...r.state.gridPopulation])
  })

  it('keeps to the community rule: a community fill moves only the units of the target grid’s community', () => {
    const s = row()
    const r = ok(parentFill(s, { unit: 2, scope: 'community', grid: 1 }))
    expect([...r.state.unitGrid]).toEqual([1, 1, 1, 1, 2, 2])
    expect(parentFill(s, { unit: 4, scope: 'grid', grid: 0 })).toMatchObject({ valid: false, reason: 'cross-community', suggestion: 'suggestCommunity' })
  })

  it('leaves locked grids alone and refuses a locked target', () => {
    const s = ok(setGridLock(row(), { grids: [0], locked: true })).state
    expect(parentFill(s, { unit: 0, scope: 'grid', grid: 1 })).toMatchObject({ valid: false, reason: 'source-locked' })
    const r = ok(parentFill(s, { unit: 2, scope: 'community', grid: 1 }))
    expect([...r.state.unitGrid]).toEqual([0, 0, 1, 1, 2, 2])
    expect(parentFill(s, { unit: 2, scope: 'grid', grid: 0 })).toMatchObject({ valid: false, reason: 'grid-locked' })
  })
})

describe('brush preview and tooltip', () => {
  const en = createI18n()
  en.setLanguage('en')
  const zh = createI18n()

  it('previews the weight under the brush and the target grid after the move, by the edit’s own rules', () => {
    const s = row()
    // units 2 (A02), 3 (unassigned), 4 (other community) over target A01 (210 people)
    const p = brushPreview(s, [2, 3, 4], 0)
    expect(p).toMatchObject({ valid: true, under: 120 + 130 + 140, moved: 250, movedUnits: 2, before: 210, after: 460, status: 'over' })
    expect(brushPreview(s, [0, 1], 0)).toMatchObject({ valid: false, reason: 'no-change', under: 210 })
    expect(brushPreview(s, [2], -1)).toMatchObject({ valid: true, moved: 120, grid: -1 })
  })

  it('says "+120 → 935, in band" with an icon, in English and Chinese', () => {
    const s = row()
    const p = brushPreview(s, [3], 1)
    // A02 120 + unit 3 130 = 250: inside the band 250–450
    const c = tooltipContent(en, p, { code: 'A02', weightOn: 'population' })!
    expect(c).toEqual({ icon: '✓', kind: 'ok', lines: ['130 people under the brush', 'A02: +130 → 250, in band'] })
    const z = tooltipContent(zh, p, { code: 'A02', weightOn: 'population' })!
    expect(z.lines).toEqual(['笔刷下 130 人', '网格 A02：+130 → 250，在区间内'])
    const over = tooltipContent(en, brushPreview(s, [2, 3, 4], 0), { code: 'A01', weightOn: 'population' })!
    expect(over.icon).toBe('▼')
    expect(over.lines[1]).toBe('A01: +250 → 460, above the band')
  })

  it('writes large numbers with 万 in zh-CN and marks refusals and the eraser', () => {
    expect(formatDelta(-12345, 'zh-CN')).toBe('−1.23万')
    expect(formatDelta(12345, 'en')).toBe('+12,345')
    expect(formatDelta(0.2, 'en')).toBe('0')
    const s = ok(setGridLock(row(), { grids: [1], locked: true })).state
    const locked = tooltipContent(en, brushPreview(s, [0], 1), { code: 'A02', weightOn: 'population' })!
    expect(locked.icon).toBe('⚠')
    expect(locked.lines[1]).toBe('The target grid is locked')
    // a band on households: the tooltip counts households; unit 2 is in the locked grid and stays
    const hh: PlanState = { ...s, band: { on: 'households', min: 50, max: 90 } }
    const erase = tooltipContent(en, brushPreview(hh, [0, 2, 5], -1), { weightOn: hh.band.on })!
    expect(erase).toEqual({ icon: '○', kind: 'info', lines: ['90 households under the brush', '60 households would become unassigned'] })
    const none = tooltipContent(zh, brushPreview(s, [0], 0), { weightOn: 'population', noTarget: true })!
    expect(none.lines[1]).toBe('先点击一个网格作为目标')
    // the first line names what the weight is under
    expect(tooltipContent(en, brushPreview(s, [0, 1], 1), { weightOn: 'population', source: 'lasso' })!.lines[0]).toBe('210 people inside the lasso')
    expect(tooltipContent(zh, brushPreview(s, [4, 5], 2), { weightOn: 'population', source: 'community' })!.lines[0]).toBe('该社区（村） 290 人')
  })
})

describe('map label glyphs', () => {
  const root = fileURLToPath(new URL('../', import.meta.url))

  /** Reads a glyph range PBF the way MapLibre does (fontstack 1 → glyph 3). */
  function readGlyphs(buf: Uint8Array) {
    const glyphs: Array<{ id: number; bitmap?: Uint8Array; width: number; height: number; left: number; top: number; advance: number }> = []
    const stacks: string[] = []
    new PbfReader(buf).readFields((tag, _, pbf) => {
      if (tag !== 1 || !pbf) return
      pbf.readMessage((t, __, p) => {
        if (!p) return
        if (t === 1) stacks.push(p.readString())
        else if (t === 3) {
          const g = { id: 0, width: 0, height: 0, left: 0, top: 0, advance: 0 } as (typeof glyphs)[number]
          p.readMessage((f, ___, q) => {
            if (!q) return
            if (f === 1) g.id = q.readVarint()
            else if (f === 2) g.bitmap = q.readBytes()
            else if (f === 3) g.width = q.readVarint()
            else if (f === 4) g.height = q.readVarint()
            else if (f === 5) g.left = q.readSVarint()
            else if (f === 6) g.top = q.readSVarint()
            else if (f === 7) g.advance = q.readVarint()
          }, g)
          glyphs.push(g)
        }
      }, undefined)
    }, undefined)
    return { stacks, glyphs }
  }

  it('serves range 0-255 of the label font with every printable ASCII glyph, bitmaps sized as MapLibre expects', () => {
    expect(LOCAL_STYLE.glyphs).toBe(GLYPHS_URL)
    const file = root + 'web/public/' + GLYPHS_URL.replace('{fontstack}', LABEL_FONT[0]!).replace('{range}', '0-255').replace(/^\//, '')
    const { stacks, glyphs } = readGlyphs(readFileSync(file))
    expect(stacks).toEqual([LABEL_FONT[0]])
    const ids = new Set(glyphs.map((g) => g.id))
    for (let c = 0x20; c < 0x7f; c++) expect(ids.has(c), String.fromCharCode(c)).toBe(true)
    for (const g of glyphs) {
      // MapLibre pads every bitmap by 3 pixels on each side; an empty glyph (space) has none
      if (g.width && g.height) expect(g.bitmap?.length, String(g.id)).toBe((g.width + 6) * (g.height + 6))
      expect(g.advance, String(g.id)).toBeGreaterThan(0)
    }
    const zero = glyphs.find((g) => g.id === 0x30)!
    const w = glyphs.find((g) => g.id === 0x57)!
    expect(w.width).toBeGreaterThan(zero.width)
    expect(zero.height).toBeGreaterThan(10)
  })
})
