import { open, type FileHandle } from 'node:fs/promises'

const CAPACITY = 1 << 20

/**
 * Appends to a file through one fixed 1 MiB buffer (small appends are copied into it, so a file of
 * many 8-byte records does not keep one Buffer object per record) and patches bytes already written
 * (file headers).
 */
export class BufferedFile {
  private buf = Buffer.allocUnsafe(CAPACITY)
  private used = 0
  private flushed = 0
  /** Bytes appended so far, flushed or not. */
  length = 0
  private constructor(private readonly fh: FileHandle) {}

  static async create(path: string): Promise<BufferedFile> {
    return new BufferedFile(await open(path, 'w'))
  }

  async append(data: Buffer): Promise<void> {
    if (this.used + data.length > CAPACITY) await this.flush()
    if (data.length > CAPACITY) {
      await this.fh.write(data, 0, data.length, this.flushed)
      this.flushed += data.length
    } else {
      data.copy(this.buf, this.used)
      this.used += data.length
    }
    this.length += data.length
  }

  async flush(): Promise<void> {
    if (!this.used) return
    await this.fh.write(this.buf, 0, this.used, this.flushed)
    this.flushed += this.used
    this.used = 0
  }

  /** Overwrites bytes at `position` (a header at 0), flushing first. */
  async patch(position: number, data: Buffer): Promise<void> {
    await this.flush()
    await this.fh.write(data, 0, data.length, position)
  }

  async close(): Promise<void> {
    await this.flush()
    await this.fh.close()
  }
}
