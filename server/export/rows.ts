import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import type { Queryable } from '../db/index.js'
import { assignmentPage, exportPage, geojsonPage, gridLookup, planHead, type AssignmentRow } from '../repo/exports.js'
import type { ExportLayer, ExportRow } from './columns.js'
import { HttpError } from '../plugins/errors.js'

/** Rows per page: big enough that a 100k-unit export is ~100 queries, small enough to keep memory flat. */
export const PAGE_SIZE = 1000

/**
 * Features per page of the GeoJSON text export: one string of ~0.4 KB per unit feature, so a page is
 * under 1 MB and a 100k-unit export is ~50 statements.
 */
export const GEOJSON_PAGE_SIZE = 2000

/**
 * Thrown when the plan gets a new version while its export is being read. Exports read one snapshot
 * (export/index.ts), in which the version cannot move: this guard is the safety net for a caller that
 * reads outside one.
 */
export class PlanChangedError extends HttpError {
  constructor(planId: number, version: number) {
    super(409, `Plan ${planId} changed after version ${version} while it was being exported; download it again.`)
  }
}

/**
 * Every row of a paged, version-guarded query, in key order, one page in memory at a time. Each page
 * only returns rows while the plan is still at `version`; an empty page is the end only when it still
 * is, otherwise the export would silently be cut short, so it throws PlanChangedError.
 */
async function* paged<T extends { key: number }>(
  db: Queryable,
  planId: number,
  version: number,
  page: (after: number) => Promise<T[]>,
): AsyncGenerator<T> {
  let after = 0
  for (;;) {
    const rows = await page(after)
    if (rows.length === 0) {
      const head = await planHead(db, planId)
      if (!head || head.version !== version) throw new PlanChangedError(planId, version)
      return
    }
    yield* rows
    // The embedded database runs on this thread: let sockets and other requests move between pages.
    await yieldToEventLoop()
    after = Number(rows[rows.length - 1].key)
    if (rows.length < PAGE_SIZE) return // a short page was read under the version guard: this is the end
  }
}

/** The features of one layer of a plan at `version`. */
export async function* layerRows(db: Queryable, layer: ExportLayer, planId: number, version: number): AsyncGenerator<ExportRow> {
  const rows = paged(db, planId, version, (after) => exportPage(db, layer, planId, version, after, PAGE_SIZE))
  if (layer !== 'units') return yield* rows
  const grids = await gridLookup(db, planId, version)
  if (!grids) throw new PlanChangedError(planId, version)
  for await (const row of rows) {
    const g = row.grid_id === null || row.grid_id === undefined ? undefined : grids.get(Number(row.grid_id))
    row.grid_code = row.parent = g?.code ?? null
    row.cell_id = g?.cell_id ?? null
    row.cell_code = g?.cell_code ?? null
    row.locked = g?.locked ?? false
    yield row
  }
}

/** unit -> grid -> cell rows of a plan at `version`. */
export async function* assignmentRows(db: Queryable, planId: number, version: number): AsyncGenerator<AssignmentRow> {
  const grids = await gridLookup(db, planId, version)
  if (!grids) throw new PlanChangedError(planId, version)
  for await (const row of paged(db, planId, version, (after) => assignmentPage(db, planId, version, after, PAGE_SIZE))) {
    const g = row.grid_id === null ? undefined : grids.get(Number(row.grid_id))
    yield { ...row, grid_code: g?.code ?? null, cell_code: g?.cell_code ?? null }
  }
}

/**
 * The GeoJSON features of one layer of a plan at `version` as text pages built by the database (features
 * joined by ",\n"), one page in memory at a time, version-guarded like `paged`.
 */
export async function* geojsonPages(db: Queryable, layer: ExportLayer, planId: number, version: number): AsyncGenerator<string> {
  let after = 0
  for (;;) {
    const page = await geojsonPage(db, layer, planId, version, after, GEOJSON_PAGE_SIZE)
    if (page.n === 0) {
      const head = await planHead(db, planId)
      if (!head || head.version !== version) throw new PlanChangedError(planId, version)
      return
    }
    yield page.text
    await yieldToEventLoop()
    after = page.last
    if (page.n < GEOJSON_PAGE_SIZE) return
  }
}
