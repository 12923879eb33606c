import { openSync, closeSync, writeSync, readFileSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Takes `<dir>/gridweave.lock` for this process, or throws naming the process that holds it.
 * A lock left by a dead process (SIGKILL) is taken over. Returns the release function.
 */
export function acquireDirLock(dir: string): () => void {
  const file = join(dir, 'gridweave.lock')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx')
      writeSync(fd, String(process.pid))
      closeSync(fd)
      let released = false
      return () => {
        if (released) return
        released = true
        try {
          unlinkSync(file)
        } catch {
          /* already gone */
        }
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const pid = Number(readFileSync(file, 'utf8').trim())
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new Error(
          `The data folder ${dir} is in use by process ${pid}; stop it or set DATA_DIR to another folder.`,
        )
      }
      unlinkSync(file) // stale: its process is gone
    }
  }
  throw new Error(`Could not lock the data folder ${dir}.`)
}
