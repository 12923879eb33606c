/**
 * Shapes of the plan API as the editor reads them. Auth and users follow server/schemas/auth.ts and
 * users.ts; plans, jobs, edits and comparison follow issue 7 and are read tolerantly (see client.ts),
 * because those routes were being written while this editor was.
 */
export type Role = 'admin' | 'planner' | 'police' | 'analyst'

export interface User {
  id: number
  username: string
  displayName: string | null
  role: Role
  jurisdictionId: number | null
  mustChangePassword?: boolean
}

export interface LoginReply {
  token: string
  tokenType: 'Bearer'
  expiresIn: number
  user: User
}

export type PlanStatus = 'draft' | 'published' | 'archived'

export interface Plan {
  id: number
  name: string
  status: PlanStatus
  version: number
  districtId: number
  params?: PlanParams
  grids?: number
  cells?: number
  copiedFrom?: number | null
  createdAt?: string
  updatedAt?: string
}

export interface PlanDetail extends Plan {
  gridList: Array<{ id: number; code: string; name: string | null; communityId: number | null; cellId: number | null; locked: boolean }>
  cellList: Array<{ id: number; code: string; name: string | null; jurisdictionId: number | null; locked: boolean }>
}

/** server/schemas/plans.ts PlanUnits: every unit of the district in id order, as parallel arrays. */
export interface PlanUnits {
  version: number
  units: {
    id: number[]
    extId: string[]
    population: number[]
    households: number[]
    community: Array<number | null>
    /** grid id in the plan; null when unassigned */
    grid: Array<number | null>
  }
}

export interface PlanParams {
  weight?: 'population' | 'households'
  min?: number
  max?: number
  cellMin?: number
  cellMax?: number
  seed?: number
}

/** server/schemas/jobs.ts JobStatus */
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled'

export interface Job {
  id: string
  state: JobState
  /** 0..1 */
  progress: number
  message?: string
  planId?: number
  error?: string
}

/** Server edit bodies (server/schemas/plans.ts EditBody), POST /api/plans/:id/edits with If-Match. */
export type ServerEdit =
  | { op: 'move'; units: number[]; grid: number | null; allowDisconnected?: boolean }
  | { op: 'assign'; grids: number[]; cell: number | null }
  | { op: 'lock'; target: 'grid' | 'cell'; ids: number[]; locked: boolean }
  | { op: 'split'; grid: number; units: number[]; code?: string; allowDisconnected?: boolean }
  | { op: 'merge'; into: number; grids: number[]; allowDisconnected?: boolean }

export interface GridMetrics {
  gridId: number
  code: string
  communityId: number | null
  cellId: number | null
  locked: boolean
  units: number
  population: number
  households: number
  weight: number
  deviation: number | null
  inBand: boolean | null
  pieces: number
  crossesCommunity: boolean
}

export interface ServerViolation {
  code: string
  gridId?: number
  cellId?: number
  unitIds?: number[]
  message: string
}

/** server/schemas/plans.ts EditResult */
export interface EditReply {
  planId?: number
  version: number
  editId?: number
  grids?: GridMetrics[]
  violations?: ServerViolation[]
  removedGrids?: number[]
  createdGrids?: number[]
  createdCells?: number[]
}

export interface PlanSummaryMetrics {
  grids: number
  cells: number
  units: number
  unassigned: number
  population: number
  households: number
  maxAbsDeviation: number
  nonContiguous: number
  meanPolsbyPopper: number
  cellsInBand: number
  inBandShare: number | null
  valid: boolean
  [k: string]: number | boolean | null
}

/** server/schemas/plans.ts CompareReply (b − a). */
export interface CompareReply {
  a: { planId: number; version: number; summary: PlanSummaryMetrics }
  b: { planId: number; version: number; summary: PlanSummaryMetrics }
  unitsMoved: number
  peopleMoved: number
  householdsMoved?: number
  gridsAdded: string[]
  gridsRemoved: string[]
  summaryDelta: Record<string, number>
  /** Changed units: properties unitId, extId, population, from, to. */
  changes: { type: 'FeatureCollection'; features: unknown[] }
}

export const EXPORT_FORMATS = ['geojson', 'csv', 'shp.zip', 'fgb'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]
