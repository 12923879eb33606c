/**
 * The editor's in-memory plan, and the edit vocabulary. Pure data: no DOM, no map library, so edit
 * operations and the undo stack run in Node tests. Units, grids and cells are addressed by index
 * (their position in the arrays below); server ids travel alongside for the API.
 */

export type WeightName = 'population' | 'households'

export interface GridInfo {
  /** Server id (string to keep leading zeros and bigint ids intact); a client-made grid has id ''. */
  id: string
  code: string
  /** Index into PlanState.communities, or -1 when unknown. */
  community: number
  locked: boolean
  /** Set when a merge emptied the grid; the index stays so that undo can bring it back. */
  removed: boolean
}

export interface CellInfo {
  id: string
  code: string
  /** Index into PlanState.jurisdictions, or -1 when unknown. */
  jurisdiction: number
  locked: boolean
}

/** Unit adjacency in CSR form (rook: shared boundary, not corners), optional. */
export interface Adjacency {
  xadj: Int32Array
  adjncy: Int32Array
}

export interface Band {
  on: WeightName
  min: number
  max: number
}

export interface PlanState {
  readonly version: number
  readonly band: Band
  readonly cellBand: { min: number; max: number }
  readonly unitIds: readonly string[]
  /** Community index of each unit (-1 unknown). */
  readonly unitCommunity: Int32Array
  readonly population: Float64Array
  readonly households: Float64Array
  /** Grid index of each unit, -1 when unassigned. */
  readonly unitGrid: Int32Array
  readonly grids: readonly GridInfo[]
  /** Cell index of each grid, -1 when none. */
  readonly gridCell: Int32Array
  readonly cells: readonly CellInfo[]
  readonly communities: readonly { id: string; code: string; name: string; jurisdiction: number }[]
  readonly jurisdictions: readonly { id: string; code: string; name: string }[]
  /** Per-grid sums, kept up to date by every edit in O(units touched). */
  readonly gridPopulation: Float64Array
  readonly gridHouseholds: Float64Array
  readonly gridUnits: Int32Array
  readonly adjacency?: Adjacency
}

/**
 * A serialisable edit: what the API is sent, and what undo replays. Primitive edits apply without
 * validation (undo must be able to restore anything); user-facing operations validate first.
 */
export type Edit =
  | { op: 'set-unit-grids'; units: number[]; grids: number[] }
  | { op: 'set-grid-cells'; grids: number[]; cells: number[] }
  | { op: 'set-grid-locks'; grids: number[]; locked: boolean[] }
  | { op: 'set-cell-locks'; cells: number[]; locked: boolean[] }
  | { op: 'add-grid'; grid: number; code: string; community: number }
  | { op: 'remove-grid'; grid: number }
  | { op: 'restore-grid'; grid: number }
  | { op: 'batch'; edits: Edit[] }

/** Why an operation was refused; exported codes the UI translates (i18n `reasons.*`). */
export const REASONS = [
  'grid-locked',
  'source-locked',
  'cell-locked',
  'cross-community',
  'cross-jurisdiction',
  'no-change',
  'empty-selection',
  'unknown-grid',
  'unknown-cell',
  'not-adjacent',
  'same-grid',
  'split-all',
  'forbidden',
] as const
export type Reason = (typeof REASONS)[number]

export interface Refused {
  valid: false
  reason: Reason
  /** A suggested fix the UI can show next to the reason (i18n `reasons.*` key). */
  suggestion?: 'suggestLock' | 'suggestCommunity'
}

export interface Applied {
  valid: true
  state: PlanState
  /** The edit that was applied and the edit that undoes it. */
  edit: Edit
  inverse: Edit
  /** Units whose grid changed and grids whose numbers changed, for repainting only what moved. */
  touchedUnits: number[]
  touchedGrids: number[]
}

export type OpResult = Applied | Refused
