/**
 * Final part ids. Locked parts keep their lock id and, in rebalance mode, parts keep the initial id
 * they continue, whenever that id is below the part count and not taken — so one new or vanished part
 * does not renumber all the others (callers diff plans by id). Other parts take the free ids: locked
 * first, then by their lowest node, which makes the numbering deterministic.
 */

export interface TempPart {
  /** Lock id, or the initial id this part continues; -1 for none. */
  pref: number
  minNode: number
  locked: boolean
  /** Index of the piece the part was drawn in; -1 for locked parts. */
  piece: number
}

/** Returns the live temp parts in numbering order and the final id of each temp part (-1 if dead). */
export function numberParts(temp: TempPart[], dead: Uint8Array): { order: number[]; finalOf: Int32Array } {
  // Two pieces may claim the same initial id (a part that got split): the one with the lowest node
  // keeps it, the other numbers as new.
  const claimed = new Map<number, number>()
  for (let t = 0; t < temp.length; t++) {
    const p = temp[t]
    if (p.locked || p.pref < 0 || dead[t]) continue
    const other = claimed.get(p.pref)
    if (other === undefined) claimed.set(p.pref, t)
    else if (temp[other].minNode > p.minNode) {
      temp[other].pref = -1
      claimed.set(p.pref, t)
    } else p.pref = -1
  }
  const order = temp.map((_, i) => i).filter((i) => !dead[i])
  order.sort((i, j) => {
    const a = temp[i]
    const b = temp[j]
    if (a.locked !== b.locked) return a.locked ? -1 : 1
    const ap = a.pref >= 0
    const bp = b.pref >= 0
    if (ap !== bp) return ap ? -1 : 1
    if (ap && a.pref !== b.pref) return a.pref - b.pref
    return a.minNode - b.minNode
  })
  const P = order.length
  const finalOf = new Int32Array(temp.length).fill(-1)
  const used = new Uint8Array(P)
  for (const t of order) {
    const pref = temp[t].pref
    if (pref >= 0 && pref < P && !used[pref]) {
      finalOf[t] = pref
      used[pref] = 1
    }
  }
  let nextFree = 0
  for (const t of order) {
    if (finalOf[t] >= 0) continue
    while (used[nextFree]) nextFree++
    finalOf[t] = nextFree
    used[nextFree] = 1
  }
  return { order, finalOf }
}
