import { readdirSync, statSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const WEB = fileURLToPath(new URL('../web/', import.meta.url))

function newest(path: string): number {
  const s = statSync(path)
  if (!s.isDirectory()) return s.mtimeMs
  let m = s.mtimeMs
  for (const e of readdirSync(path)) m = Math.max(m, newest(join(path, e)))
  return m
}

/** Builds web/dist with Vite when it is missing or older than any web source; otherwise does nothing. */
export async function ensureWebBuilt(): Promise<{ built: boolean }> {
  const out = join(WEB, 'dist', 'index.html')
  const sources = ['src', 'index.html', 'vite.config.ts', 'public'].map((p) => join(WEB, p)).filter(existsSync)
  const srcTime = Math.max(...sources.map(newest), newest(fileURLToPath(new URL('../package-lock.json', import.meta.url))))
  if (existsSync(out) && statSync(out).mtimeMs >= srcTime) return { built: false }
  console.log('building the map editor (web/dist)…')
  const { build } = await import('vite')
  await build({ root: WEB, configFile: join(WEB, 'vite.config.ts'), logLevel: 'warn' })
  return { built: true }
}
