import { describe, expect, it } from 'vitest'
import { createI18n, resources, formatCount, formatPercent, formatDateTime } from '../web/src/i18n/index.js'

function leaves(o: unknown, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    if (typeof v === 'string') out.set(prefix + k, v)
    else for (const [kk, vv] of leaves(v, `${prefix}${k}.`)) out.set(kk, vv)
  }
  return out
}
const vars = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort()

describe('web i18n resources', () => {
  const zh = leaves(resources['zh-CN'])
  const en = leaves(resources.en)

  it('has every key in both languages, non-empty', () => {
    expect([...zh.keys()].sort()).toEqual([...en.keys()].sort())
    for (const [k, v] of [...zh, ...en]) expect(v.trim(), k).not.toBe('')
  })

  it('uses the same interpolation variables in both languages', () => {
    for (const [k, v] of zh) expect(vars(en.get(k)!), k).toEqual(vars(v))
  })

  it('uses the glossary words in zh-CN', () => {
    expect(zh.get('live.grid')).toBe('网格')
    expect(zh.get('live.cell')).toBe('警格')
    expect(zh.get('plans.create')).toBe('自动划分')
    expect(zh.get('compare.title')).toBe('方案对比')
    expect(zh.get('tools.undo')).toBe('撤销')
    expect(zh.get('tools.redo')).toBe('重做')
    expect(zh.get('live.band')).toBe('规模区间')
  })

  it('every zh-CN string outside proper names contains Chinese (nothing left untranslated)', () => {
    const proper = /^(export\.|lang\.en$|login\.signedInAs$|live\.bandValue$)/
    for (const [k, v] of zh) if (!proper.test(k)) expect(/[\u4e00-\u9fff]/.test(v), `${k}: ${v}`).toBe(true)
  })
})

describe('web i18n instance', () => {
  it('defaults to zh-CN, switches, persists and notifies', () => {
    const store = new Map<string, string>()
    const s = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) }
    const a = createI18n(s)
    expect(a.lang).toBe('zh-CN')
    expect(a.t('tools.undo')).toBe('撤销')
    let seen = ''
    a.onChange((l) => (seen = l))
    a.setLanguage('en')
    expect(seen).toBe('en')
    expect(a.t('tools.undo')).toBe('Undo')
    expect(a.t('live.under', { amount: '120 people' })).toBe('Too small: add 120 people')
    const b = createI18n(s)
    expect(b.lang).toBe('en')
  })

  it('ignores a corrupt stored language', () => {
    const a = createI18n({ getItem: () => 'xx', setItem: () => {} })
    expect(a.lang).toBe('zh-CN')
  })
})

describe('web number formatting', () => {
  it('writes large zh-CN counts with 万 and 亿, exact below 10,000', () => {
    expect(formatCount(796, 'zh-CN')).toBe('796')
    expect(formatCount(9999, 'zh-CN')).toBe('9,999')
    expect(formatCount(12345, 'zh-CN')).toBe('1.23万')
    expect(formatCount(300000, 'zh-CN')).toBe('30万')
    expect(formatCount(123456789, 'zh-CN')).toBe('1.23亿')
    expect(formatCount(-15000, 'zh-CN')).toBe('-1.5万')
  })
  it('groups English counts', () => {
    expect(formatCount(300000, 'en')).toBe('300,000')
    expect(formatCount(796.4, 'en')).toBe('796')
  })
  it('formats signed percentages and missing values', () => {
    expect(formatPercent(12.5, 'en')).toBe('+12.5%')
    expect(formatPercent(-3, 'zh-CN')).toBe('-3%')
    expect(formatPercent(0, 'en')).toBe('0%')
    expect(formatPercent(null, 'en')).toBe('–')
  })
  it('formats dates per language', () => {
    const d = '2026-11-26T01:30:00Z'
    expect(formatDateTime(d, 'zh-CN', 'UTC')).toMatch(/2026年11月26日/)
    expect(formatDateTime(d, 'en', 'UTC')).toMatch(/Nov 26, 2026/)
  })
})
