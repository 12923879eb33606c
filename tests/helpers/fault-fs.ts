/**
 * A data folder whose faults a test controls: a small tmpfs of its own (as root, where chmod does not stop
 * writes), made read-only by a remount and full by a filler file; as another user, read-only by chmod.
 * What the environment cannot do is refused with an error saying why, so a test never passes vacuously.
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, closeSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface FaultFolder {
  dir: string
  /** 'tmpfs' (root: a mount of its own, so both faults are real) or 'chmod' (read-only only). */
  kind: 'tmpfs' | 'chmod'
  readOnly(on: boolean): void
  /** Fills the file system to the last byte; returns the bytes written. */
  fill(): number
  unfill(): void
  destroy(): void
}

function sh(cmd: string, args: string[]) {
  try {
    execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string }
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.stderr?.toString().trim() || e.message}`)
  }
}

function chmodTree(path: string, writable: boolean) {
  const st = statSync(path)
  if (st.isDirectory()) {
    for (const e of readdirSync(path)) chmodTree(join(path, e), writable)
    chmodSync(path, writable ? 0o755 : 0o555)
  } else chmodSync(path, writable ? 0o644 : 0o444)
}

export function faultFolder(sizeMb = 256): FaultFolder {
  const dir = mkdtempSync(join(tmpdir(), 'gridweave-fault-disk-'))
  const filler = join(dir, 'filler')
  if (process.getuid?.() !== 0) {
    return {
      dir,
      kind: 'chmod',
      readOnly: (on) => chmodTree(dir, !on),
      fill() {
        throw new Error('a full disk needs a file system of its own: run this test as root (it mounts a small tmpfs), as CI does')
      },
      unfill() {},
      destroy: () => {
        chmodTree(dir, true)
        rmSync(dir, { recursive: true, force: true })
      },
    }
  }
  try {
    sh('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0755`, 'gridweave-fault', dir])
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(
      `as root, a read-only or full data folder is only real on a file system of its own (chmod does not stop root), and mounting a tmpfs was refused: ${(err as Error).message}. Run the test where root may mount (CI does).`,
    )
  }
  return {
    dir,
    kind: 'tmpfs',
    readOnly: (on) => sh('mount', ['-o', `remount,${on ? 'ro' : 'rw'}`, dir]),
    fill() {
      const fd = openSync(filler, 'a')
      let written = 0
      try {
        for (const size of [1 << 20, 1 << 12, 1]) {
          const buf = Buffer.alloc(size)
          for (;;) {
            try {
              written += writeSync(fd, buf)
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break
              throw err
            }
          }
        }
      } finally {
        closeSync(fd)
      }
      return written
    },
    unfill: () => rmSync(filler, { force: true }),
    destroy() {
      try {
        sh('umount', [dir])
      } catch {
        sh('umount', ['-l', dir])
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * Why this environment cannot make a real read-only or full data folder, or undefined when it can: as root
 * that needs permission to mount a tmpfs (a container without CAP_SYS_ADMIN refuses it); as another user
 * chmod makes it read-only, and a full disk still needs root. Tried once with a throwaway mount.
 */
export function faultFolderUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'a full disk needs a file system of its own: run this test as root (it mounts a small tmpfs), as CI does'
  const dir = mkdtempSync(join(tmpdir(), 'gridweave-fault-probe-'))
  try {
    sh('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'gridweave-fault-probe', dir])
    sh('umount', [dir])
    return undefined
  } catch (err) {
    return `as root, a read-only or full data folder is only real on a file system of its own (chmod does not stop root), and mounting a tmpfs was refused here: ${(err as Error).message}`
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
