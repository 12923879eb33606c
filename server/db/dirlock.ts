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

/** A data folder the database cannot write to, said so (the start prints this and exits 1). */
export function unwritable(dir: string, err: NodeJS.ErrnoException): Error {
  const why: Record<string, string> = {
    EROFS: 'is on a read-only file system',
    EACCES: 'is not writable by this user',
    EPERM: 'is not writable by this user',
    ENOSPC: 'is on a full disk',
    EDQUOT: 'is over its disk quota',
  }
  const reason = err.code ? why[err.code] : undefined
  if (!reason) return err
  return new Error(
    `The data folder ${dir} ${reason} (${err.code}); the embedded database must write there. ` +
      `${err.code === 'ENOSPC' || err.code === 'EDQUOT' ? 'Free disk space' : 'Make it writable'} or set DATA_DIR to another folder.`,
  )
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
      try {
        writeSync(fd, String(process.pid))
      } catch (err) {
        closeSync(fd)
        unlinkSync(file)
        throw err
      }
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
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw unwritable(dir, err as NodeJS.ErrnoException)
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
