import { createReadStream, createWriteStream } from 'node:fs'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Db, Queryable } from '../db/index.js'
import { HttpError } from '../plugins/errors.js'
import { exportCount, exportTextWidths, planHead } from '../repo/exports.js'
import { COLUMNS, type ExportLayer } from './columns.js'
import { csvChunks } from './csv.js'
import { flatgeobufChunks } from './flatgeobuf.js'
import { geojsonChunks } from './geojson.js'
import { assignmentRows, geojsonPages, layerRows } from './rows.js'
import { shapefileZip } from './shapefile.js'
import { streamFromTempDir } from './temp-dir.js'

export type ExportFormat = 'geojson' | 'csv' | 'shp.zip' | 'fgb'
export const EXPORT_FORMATS: readonly ExportFormat[] = ['geojson', 'csv', 'shp.zip', 'fgb']

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  geojson: 'application/geo+json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  'shp.zip': 'application/zip',
  fgb: 'application/flatgeobuf',
}

export interface ExportRequest {
  planId: number
  version: number
  layer: ExportLayer
  format: ExportFormat
  /** CSV only: start with a UTF-8 byte order mark (for Excel). */
  bom?: boolean
}

/** Base name of the file and of the files inside a zip: `plan-12-v7-grids`. */
export function exportName(planId: number, version: number, what: string): string {
  return `plan-${planId}-v${version}-${what}`
}

/** The first statement of every export's transaction: one snapshot for all its pages, no writes. */
export const SNAPSHOT = 'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY'

/** Longest an export may hold its transaction when the client reads it as it is built (PostgreSQL). */
export const DEFAULT_EXPORT_TIMEOUT_MS = 60_000

export interface ExportOptions {
  /**
   * PostgreSQL streams straight from the transaction: once this long has passed the download is cut
   * off and the transaction rolled back, so a slow client cannot keep a pool client forever (the
   * server's request timeout; 0 = default).
   */
  timeoutMs?: number
}

/**
 * How one export is read, through `tx` only, at `version`: as chunks (GeoJSON, CSV, FlatGeobuf), or
 * into files that a stream then sends (a Shapefile: its headers need totals).
 */
type Producer =
  | { kind: 'chunks'; run: (tx: Queryable, version: number) => AsyncIterable<Uint8Array | string> }
  | { kind: 'files'; run: (tx: Queryable, version: number) => Promise<Readable> }

function producer(r: Omit<ExportRequest, 'version'>): Producer {
  const name = (version: number) => exportName(r.planId, version, r.layer)
  const columns = COLUMNS[r.layer]
  switch (r.format) {
    case 'geojson':
      return { kind: 'chunks', run: (tx, v) => geojsonChunks(geojsonPages(tx, r.layer, r.planId, v), name(v)) }
    case 'csv':
      return { kind: 'chunks', run: (tx, v) => csvChunks(assignmentRows(tx, r.planId, v), { bom: r.bom }) }
    case 'fgb':
      return {
        kind: 'chunks',
        run: async function* (tx, v) {
          const count = await exportCount(tx, r.layer, r.planId)
          yield* flatgeobufChunks(layerRows(tx, r.layer, r.planId, v), columns, count, name(v))
        },
      }
    case 'shp.zip':
      return {
        kind: 'files',
        run: async (tx, v) => shapefileZip(layerRows(tx, r.layer, r.planId, v), columns, await exportTextWidths(tx, r.layer, r.planId), name(v)),
      }
  }
}

/** A snapshot transaction opened, with the plan's version in it, and its end. */
interface Snapshot {
  version: number
  /** Settles when the transaction has committed or rolled back. */
  done: Promise<void>
}

/**
 * Runs `body` in a read-only REPEATABLE READ transaction of `db` and resolves as soon as the plan's
 * version in that snapshot is known (404 when there is no such plan), while `body` goes on.
 */
async function openSnapshot(db: Db, planId: number, body: (tx: Queryable, version: number) => Promise<void>): Promise<Snapshot> {
  let started!: (v: number) => void
  const version = new Promise<number>((resolve) => (started = resolve))
  const done = db.transaction(async (tx) => {
    await tx.exec(SNAPSHOT)
    const head = await planHead(tx, planId)
    if (!head) throw new HttpError(404, `Plan ${planId} does not exist.`)
    started(head.version)
    await body(tx, head.version)
  })
  return { version: await Promise.race([version, done.then(() => version)]), done }
}

/**
 * The export of the plan's version in one database snapshot (every page sees the version the export
 * started at, whatever edits commit meanwhile), with that version. The CSV is the unit assignment
 * whatever the layer.
 *
 * PostgreSQL (MVCC: writers go on): the file is streamed as the client reads it, from a transaction
 * that holds one pool client until the last page is read, the client goes away (rolled back) or
 * `timeoutMs` has passed (cut off, rolled back). Embedded database (one connection, which an open
 * transaction keeps from every other statement): the export is written to a temporary file inside the
 * transaction and the file is sent after the commit, so a slow or stalled client holds nothing. A
 * Shapefile is written to files on both (its headers need totals), then zipped as it is sent.
 */
export async function exportStream(db: Db, r: Omit<ExportRequest, 'version'>, opts: ExportOptions = {}): Promise<{ version: number; stream: Readable }> {
  const p = producer(r)
  if (p.kind === 'files' || db.kind === 'pglite') {
    let file: Readable | undefined
    const snap = await openSnapshot(db, r.planId, async (tx, version) => {
      file = p.kind === 'files' ? await p.run(tx, version) : await spool(p.run(tx, version))
    })
    try {
      await snap.done
    } catch (err) {
      file?.destroy() // written, but the transaction failed to end: not sent (and removed)
      throw err
    }
    return { version: snap.version, stream: file! }
  }
  const out = new PassThrough()
  const timeoutMs = opts.timeoutMs || DEFAULT_EXPORT_TIMEOUT_MS
  const snap = await openSnapshot(db, r.planId, async (tx, version) => {
    // Ends `out` after the last chunk; rejects (rolling the transaction back) when `out` is destroyed:
    // the client went away or the time is up.
    await pipeline(Readable.from(p.run(tx, version)), out)
  })
  // Only the transaction is bounded: once it has ended, what is left in the buffers may take its time.
  const timer = setTimeout(() => out.destroy(new Error(`export of plan ${r.planId} cut off after ${timeoutMs} ms: the client read too slowly`)), timeoutMs)
  timer.unref()
  snap.done.then(
    () => clearTimeout(timer),
    (err: Error) => {
      clearTimeout(timer)
      out.destroy(err)
    },
  )
  return { version: snap.version, stream: out }
}

/**
 * Writes `source` to a fresh temporary file (one chunk in memory at a time) and returns a stream of
 * the file, which is removed once the stream ends, fails or is destroyed.
 */
async function spool(source: AsyncIterable<Uint8Array | string>): Promise<Readable> {
  return streamFromTempDir('gridweave-export-', async (dir) => {
    const path = join(dir, 'export')
    await pipeline(Readable.from(source), createWriteStream(path, { highWaterMark: 1 << 20 }))
    return createReadStream(path, { highWaterMark: 1 << 20 })
  })
}
