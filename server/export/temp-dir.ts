import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'

/**
 * A stream `build` makes from files it writes into a fresh temporary folder, which is removed once the
 * stream ends, fails or is destroyed, or at once when `build` throws. 'end', 'close' and 'error' may all
 * fire: the folder is removed once, not in racing calls.
 */
export async function streamFromTempDir(prefix: string, build: (dir: string) => Promise<Readable>): Promise<Readable> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  let removing: Promise<void> | undefined
  const cleanup = () => (removing ??= rm(dir, { recursive: true, force: true, maxRetries: 3 }).catch(() => {}))
  try {
    const out = await build(dir)
    out.once('end', cleanup)
    out.once('close', cleanup)
    out.once('error', cleanup)
    return out
  } catch (err) {
    await cleanup()
    throw err
  }
}
