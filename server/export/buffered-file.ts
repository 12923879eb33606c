import { open, type FileHandle } from 'node:fs/promises'

/** Appends to a file through a 1 MiB buffer and patches bytes already written (file headers). */
export class BufferedFile {
  private chunks: Buffer[] = []
  private pending = 0
  /** Bytes appended so far, flushed or not. */
  length = 0
  private constructor(private readonly fh: FileHandle, private flushed = 0) {}

  static async create(path: string): Promise<BufferedFile> {
    return new BufferedFile(await open(path, 'w'))
  }

  async append(buf: Buffer): Promise<void> {
    this.chunks.push(buf)
    this.pending += buf.length
    this.length += buf.length
    if (this.pending >= 1 << 20) await this.flush()
  }

  async flush(): Promise<void> {
    if (!this.pending) return
    const data = Buffer.concat(this.chunks, this.pending)
    this.chunks = []
    this.pending = 0
    await this.fh.write(data, 0, data.length, this.flushed)
    this.flushed += data.length
  }

  /** Overwrites bytes at `position` (must already be flushed, e.g. a header at 0). */
  async patch(position: number, buf: Buffer): Promise<void> {
    await this.flush()
    await this.fh.write(buf, 0, buf.length, position)
  }

  async close(): Promise<void> {
    await this.flush()
    await this.fh.close()
  }
}
