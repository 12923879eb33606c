import type { Edit, PlanState } from '../ops/types.js'
import type { ServerEdit } from './types.js'

/**
 * Translates a local edit (indices) into the server's edit requests (ids), in order. Unit moves with
 * several targets become one move per target grid. A batch that adds or restores a grid is a split on
 * the server, one that removes a grid is a merge (undoing a merge therefore splits again and the server
 * hands back a new grid id, which the caller writes into the state).
 * Unit moves, splits and merges are sent with allowDisconnected: a planner's intermediate state may leave
 * a grid in pieces (the live panel lists it with "zoom to"), as in Districtr; the server still enforces
 * communities and locks. Pure: runs in Node tests.
 */
export function toServerEdits(s: PlanState, e: Edit): ServerEdit[] {
  switch (e.op) {
    case 'set-unit-grids': {
      const byGrid = new Map<number, string[]>()
      e.units.forEach((u, i) => {
        const g = e.grids[i]!
        let list = byGrid.get(g)
        if (!list) byGrid.set(g, (list = []))
        list.push(s.unitIds[u]!)
      })
      // Grid -1 is the eraser: the server leaves those units unassigned (grid null).
      // Units with no database id (ext:…) could not be matched on load and stay local.
      return [...byGrid]
        .map(([g, units]) => ({ op: 'move' as const, units: units.filter(isDbId).map(Number), grid: g >= 0 ? Number(s.grids[g]!.id) : null, allowDisconnected: true }))
        .filter((e) => e.units.length > 0)
    }
    case 'set-grid-cells': {
      const byCell = new Map<number, string[]>()
      e.grids.forEach((g, i) => {
        const c = e.cells[i]!
        let list = byCell.get(c)
        if (!list) byCell.set(c, (list = []))
        list.push(s.grids[g]!.id)
      })
      return [...byCell].map(([c, grids]) => ({ op: 'assign', grids: grids.map(Number), cell: c < 0 ? null : Number(s.cells[c]!.id) }))
    }
    case 'set-grid-locks':
    case 'set-cell-locks': {
      const target = e.op === 'set-grid-locks' ? 'grid' : 'cell'
      const idx = e.op === 'set-grid-locks' ? e.grids : e.cells
      const out: ServerEdit[] = []
      for (const locked of [true, false]) {
        const ids = idx.filter((_, i) => e.locked[i] === locked).map((k) => Number((target === 'grid' ? s.grids[k]! : s.cells[k]!).id))
        if (ids.length) out.push({ op: 'lock', target, ids, locked })
      }
      return out
    }
    case 'batch': {
      const added = e.edits.find((x) => x.op === 'add-grid' || x.op === 'restore-grid') as { grid: number } | undefined
      const moves = e.edits.find((x) => x.op === 'set-unit-grids') as Extract<Edit, { op: 'set-unit-grids' }> | undefined
      if (added && moves) {
        const from = s.unitGrid[moves.units[0]!]!
        return [{ op: 'split', grid: Number(s.grids[from]!.id), units: moves.units.map((u) => s.unitIds[u]!).filter(isDbId).map(Number), allowDisconnected: true }]
      }
      const removed = e.edits.find((x) => x.op === 'remove-grid') as { grid: number } | undefined
      if (removed && moves) {
        const into = moves.grids[0]!
        return [{ op: 'merge', into: Number(s.grids[into]!.id), grids: [Number(s.grids[removed.grid]!.id)], allowDisconnected: true }]
      }
      return e.edits.flatMap((x) => toServerEdits(s, x))
    }
    case 'add-grid':
    case 'remove-grid':
    case 'restore-grid':
      // Only meaningful inside a split or merge batch; on their own they change nothing on the server.
      return []
  }
}

const isDbId = (id: string) => /^\d+$/.test(id)
