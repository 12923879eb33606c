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
  districtId?: number
  params?: PlanParams
  copiedFrom?: number | null
  createdAt?: string
  updatedAt?: string
}

export interface PlanParams {
  weight?: 'population' | 'households'
  min?: number
  max?: number
  cellMin?: number
  cellMax?: number
  seed?: number
}

export type JobState = 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed' | 'expired'

export interface Job {
  id: string
  state: JobState
  /** 0..1 */
  progress: number
  message?: string
  planId?: number
  error?: string
}

/** Server edit bodies (POST /api/plans/:id/edits with If-Match: the version the client saw). */
export type ServerEdit =
  | { op: 'move-units'; units: string[]; grid: string | null }
  | { op: 'assign-cell'; grids: string[]; cell: string | null }
  | { op: 'lock'; target: 'grid' | 'cell'; ids: string[]; locked: boolean }
  | { op: 'split-grid'; grid: string; units: string[] }
  | { op: 'merge-grids'; into: string; from: string }

export interface EditReply {
  version: number
  /** For split-grid: the grid the server created. */
  grid?: { id: string | number; code: string }
}

export interface CompareReply {
  unitsMoved: number
  peopleMoved: number
  gridsAdded: number
  gridsRemoved: number
  metrics?: Array<{ name: string; base: number | null; other: number | null; delta: number | null }>
  /** GeoJSON of changed units, when given. */
  changes?: GeoJSON.FeatureCollection
}

export const EXPORT_FORMATS = ['geojson', 'csv', 'shp.zip', 'fgb'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]
