import type { I18n } from '../i18n/index.js'
import type { Client } from '../api/client.js'
import type { User } from '../api/types.js'
import type { EditorMap } from '../map/adapter.js'
import type { EditorSession } from './editor.js'

/** What every panel may use; panels never import each other, they talk through the app. */
export interface Ctx {
  i18n: I18n
  client: Client
  map: EditorMap
  user: User | null
  session: EditorSession | undefined
  status(kind: 'info' | 'ok' | 'warn' | 'error', text: string): void
  /** Opens a plan in the editor (loads its data and tiles). */
  openPlan(id: number): Promise<void>
  /** Re-renders every panel (after login, language switch, plan change). */
  refresh(): void
}

/** Roles that may edit grids (move, split, merge, lock); police only assign grids to cells. */
export const canEditGrids = (u: User | null) => u?.role === 'admin' || u?.role === 'planner'
export const canAssignCells = (u: User | null) => u?.role === 'admin' || u?.role === 'planner' || u?.role === 'police'
export const canManagePlans = (u: User | null) => u?.role === 'admin' || u?.role === 'planner'
