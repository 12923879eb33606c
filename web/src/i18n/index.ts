import i18next, { type i18n } from 'i18next'
import { zhCN } from './zh-CN.js'
import { en } from './en.js'
import { LANGUAGES, type Language, type MessageKey } from './types.js'
export { formatCount, formatPercent, formatDecimal, formatDateTime } from './format.js'
export { LANGUAGES, type Language, type MessageKey } from './types.js'

export const resources = { 'zh-CN': zhCN, en } as const
const STORAGE_KEY = 'gridweave.lang'

/** Where the chosen language is remembered; localStorage in the browser, a Map in tests. */
export interface LangStore {
  getItem(k: string): string | null
  setItem(k: string, v: string): void
}

export function isLanguage(x: unknown): x is Language {
  return typeof x === 'string' && (LANGUAGES as readonly string[]).includes(x)
}

/**
 * One i18next instance for the editor. zh-CN is the default; the choice is persisted in `store`.
 * Interpolated values are not HTML-escaped because the UI only ever sets textContent.
 */
export function createI18n(store?: LangStore) {
  const saved = store?.getItem(STORAGE_KEY)
  const inst: i18n = i18next.createInstance()
  void inst.init({
    lng: isLanguage(saved) ? saved : 'zh-CN',
    fallbackLng: 'zh-CN',
    resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
    interpolation: { escapeValue: false },
    initAsync: false,
    returnNull: false,
  })
  const listeners = new Set<(lang: Language) => void>()
  return {
    get lang(): Language {
      return isLanguage(inst.language) ? inst.language : 'zh-CN'
    },
    t(key: MessageKey, vars?: Record<string, unknown>): string {
      return inst.t(key, vars ?? {}) as string
    },
    setLanguage(lang: Language) {
      void inst.changeLanguage(lang)
      store?.setItem(STORAGE_KEY, lang)
      for (const l of listeners) l(lang)
    },
    onChange(fn: (lang: Language) => void): () => void {
      listeners.add(fn)
      return () => listeners.delete(fn)
    },
  }
}
export type I18n = ReturnType<typeof createI18n>
