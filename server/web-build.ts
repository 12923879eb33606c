import { readdirSync, statSync, existsSync, openSync, closeSync, unlinkSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'

const WEB = fileURLToPath(new URL('../web/', import.meta.url))
const DIST = join(WEB, 'dist')
const LOCK = join(WEB, '.build.lock')

function newest(path: string): number {
  const s = statSync(path)
  if (!s.isDirectory()) return s.mtimeMs
  let m = s.mtimeMs
  for (const e of readdirSync(path)) m = Math.max(m, newest(join(path, e)))
  return m
}

function stale(): boolean {
  const out = join(DIST, 'index.html')
  const sources = ['src', 'index.html', 'vite.config.ts', 'public'].map((p) => join(WEB, p)).filter(existsSync)
  const srcTime = Math.max(...sources.map(newest), newest(fileURLToPath(new URL('../package-lock.json', import.meta.url))))
  return !existsSync(out) || statSync(out).mtimeMs < srcTime
}

/**
 * Builds web/dist with Vite when it is missing or older than any web source; otherwise does nothing.
 * Several processes may ask at once (a server and a test, two test workers): one builds under a lock
 * file into a fresh folder that replaces dist in one rename, the others wait and find it fresh.
 */
export async function ensureWebBuilt(): Promise<{ built: boolean }> {
  const deadline = Date.now() + 300_000
  while (stale()) {
    let fd: number
    try {
      fd = openSync(LOCK, 'wx')
    } catch {
      if (Date.now() > deadline) throw new Error(`Timed out waiting for another web build; remove ${LOCK} if none is running.`)
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > 300_000) unlinkSync(LOCK) // left by a killed build
      } catch {
        /* released meanwhile */
      }
      await sleep(200)
      continue
    }
    closeSync(fd)
    try {
      if (!stale()) break
      console.log('building the map editor (web/dist)…')
      const tmp = join(WEB, `dist.${process.pid}.tmp`)
      const { build } = await import('vite')
      await build({ root: WEB, configFile: join(WEB, 'vite.config.ts'), logLevel: 'warn', build: { outDir: tmp, emptyOutDir: true } })
      const old = join(WEB, `dist.${process.pid}.old`)
      if (existsSync(DIST)) renameSync(DIST, old)
      renameSync(tmp, DIST)
      rmSync(old, { recursive: true, force: true })
      return { built: true }
    } finally {
      unlinkSync(LOCK)
    }
  }
  return { built: false }
}
