import { applyEdit, type ApplyResult } from './apply.js'
import type { Applied, Edit, PlanState } from './types.js'

/** One undoable step: the edit as applied and the edit that reverses it. */
export interface Step {
  edit: Edit
  inverse: Edit
}

/** An immutable undo/redo history; `limit` steps are kept (oldest dropped first). */
export interface History {
  readonly past: readonly Step[]
  readonly future: readonly Step[]
  readonly limit: number
}

export function createHistory(limit = 100): History {
  if (limit < 1) throw new Error('createHistory: limit must be at least 1')
  return { past: [], future: [], limit }
}

/** Records a new step; a new step clears the redo branch. */
export function record(h: History, step: Step): History {
  const past = [...h.past, step]
  if (past.length > h.limit) past.splice(0, past.length - h.limit)
  return { ...h, past, future: [] }
}

export const canUndo = (h: History) => h.past.length > 0
export const canRedo = (h: History) => h.future.length > 0

/** Undoes the last step by replaying its inverse; undefined when there is nothing to undo. */
export function undo(h: History, s: PlanState): { history: History; result: ApplyResult; step: Step; replayed: Edit } | undefined {
  const step = h.past[h.past.length - 1]
  if (!step) return undefined
  const result = applyEdit(s, step.inverse)
  return { history: { ...h, past: h.past.slice(0, -1), future: [...h.future, step] }, result, step, replayed: step.inverse }
}

/** Redoes the last undone step by replaying its edit. */
export function redo(h: History, s: PlanState): { history: History; result: ApplyResult; step: Step; replayed: Edit } | undefined {
  const step = h.future[h.future.length - 1]
  if (!step) return undefined
  const result = applyEdit(s, step.edit)
  return { history: { ...h, past: [...h.past, step], future: h.future.slice(0, -1) }, result, step, replayed: step.edit }
}

/**
 * One brush drag as one step. Each accepted move during the drag is applied at once (the live numbers
 * move with the brush); `finish` folds them into a single set-unit-grids edit from each touched unit's
 * grid before the drag to its grid after it. Units painted back to where they started drop out.
 */
export class Stroke {
  private readonly before = new Map<number, number>()
  constructor(public state: PlanState) {}

  /** Takes the result of moveUnits on `this.state`; refused results are ignored. */
  add(r: Applied): void {
    const e = r.edit
    if (e.op !== 'set-unit-grids') throw new Error('Stroke.add: only unit moves can be part of a stroke')
    for (const u of e.units) if (!this.before.has(u)) this.before.set(u, this.state.unitGrid[u]!)
    this.state = r.state
  }

  get size(): number {
    return this.before.size
  }

  /** The folded step, or undefined when the drag changed nothing. */
  finish(): Step | undefined {
    const units: number[] = []
    const from: number[] = []
    const to: number[] = []
    for (const [u, g] of this.before) {
      const now = this.state.unitGrid[u]!
      if (now === g) continue
      units.push(u)
      from.push(g)
      to.push(now)
    }
    if (units.length === 0) return undefined
    return {
      edit: { op: 'set-unit-grids', units, grids: to },
      inverse: { op: 'set-unit-grids', units: [...units].reverse(), grids: from.reverse() },
    }
  }
}
