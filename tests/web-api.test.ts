import { describe, expect, it } from 'vitest'
import { createHttp, ConflictError, ApiError, NetworkError } from '../web/src/api/http.js'
import { capabilitiesFrom } from '../web/src/api/capabilities.js'
import { toServerEdits } from '../web/src/api/edits.js'
import { planStateFromApi } from '../web/src/api/load.js'
import { moveUnits, splitGrid, mergeGrids, setGridLock, assignCell, type Applied, type OpResult } from '../web/src/ops/index.js'

const ok = (r: OpResult) => {
  if (!r.valid) throw new Error(r.reason)
  return r as Applied
}


function loaded() {
  return planStateFromApi(
    {
      id: 1, districtId: 1, name: 'p', status: 'draft', version: 7, params: { weight: 'population', min: 200, max: 400 },
      gridList: [
        { id: 10, code: 'G10', name: null, communityId: 5, cellId: 100, locked: false },
        { id: 11, code: 'G11', name: null, communityId: 5, cellId: 100, locked: false },
      ],
      cellList: [
        { id: 100, code: 'J1', name: null, jurisdictionId: 3, locked: false },
        { id: 101, code: 'J2', name: null, jurisdictionId: 3, locked: false },
      ],
    },
    // GET /api/plans/:id/units: every unit in id order, the last one unassigned
    {
      version: 7,
      units: {
        id: [21, 22, 23, 24],
        extId: ['0001', '0002', '0003', '0004'],
        population: [100, 150, 120, 80],
        households: [30, 40, 35, 20],
        community: [5, 5, 5, 5],
        grid: [10, 10, 11, null],
      },
    },
  )
}
const demo = () => loaded().state

describe('planStateFromApi', () => {
  it('keeps every unit\'s database id (unassigned ones too) and ext id with leading zeros, and sums grids', () => {
    const l = loaded()
    const s = l.state
    expect(s.unitIds).toEqual(['21', '22', '23', '24'])
    expect(l.unitExtIds).toEqual(['0001', '0002', '0003', '0004'])
    expect([...s.unitGrid]).toEqual([0, 0, 1, -1])
    expect([...s.gridPopulation]).toEqual([250, 120])
    expect([...s.gridCell]).toEqual([0, 0])
    expect(s.version).toBe(7)
    expect(s.grids[0]!.community).toBe(0)
    expect(s.unitCommunity[3]).toBe(0)
    expect(s.communities[0]).toMatchObject({ id: '5', jurisdiction: 0 })
  })
})


describe('toServerEdits', () => {
  it('groups unit moves by target and uses ids', () => {
    const s = demo()
    const r = ok(moveUnits(s, { units: [1, 3], grid: 1 }))
    // unit 3 is unassigned but has its database id, so painting it is saved too
    expect(toServerEdits(s, r.edit)).toEqual([{ op: 'move', units: [22, 24], grid: 11, allowDisconnected: true }])
    // the inverse sends each unit back where it was: unit 3 out of every grid again (grid null, the eraser's move)
    expect(toServerEdits(r.state, r.inverse)).toEqual([
      { op: 'move', units: [24], grid: null, allowDisconnected: true },
      { op: 'move', units: [22], grid: 10, allowDisconnected: true },
    ])
    const erased = ok(moveUnits(s, { units: [0, 1], grid: -1 }))
    expect(toServerEdits(s, erased.edit)).toEqual([{ op: 'move', units: [21, 22], grid: null, allowDisconnected: true }])
  })
  it('maps split, merge, locks and cells', () => {
    const s = demo()
    const split = ok(splitGrid(s, { grid: 0, units: [1] }))
    expect(toServerEdits(s, split.edit)).toEqual([{ op: 'split', grid: 10, units: [22], allowDisconnected: true }])
    // undoing a split merges the new grid back (its id is the one the server returned)
    const named = { ...split.state, grids: split.state.grids.map((g, i) => (i === 2 ? { ...g, id: '12' } : g)) }
    expect(toServerEdits(named, split.inverse)).toEqual([{ op: 'merge', into: 10, grids: [12], allowDisconnected: true }])
    const merge = ok(mergeGrids(s, { into: 0, from: 1 }))
    expect(toServerEdits(s, merge.edit)).toEqual([{ op: 'merge', into: 10, grids: [11], allowDisconnected: true }])
    expect(toServerEdits(merge.state, merge.inverse)).toEqual([{ op: 'split', grid: 10, units: [23], allowDisconnected: true }])
    const lock = ok(setGridLock(s, { grids: [1], locked: true }))
    expect(toServerEdits(s, lock.edit)).toEqual([{ op: 'lock', target: 'grid', ids: [11], locked: true }])
    const cell = ok(assignCell(s, { grids: [1], cell: 1 }))
    expect(toServerEdits(s, cell.edit)).toEqual([{ op: 'assign', grids: [11], cell: 101 }])
  })
})

describe('http', () => {
  const reply = (status: number, body: unknown) =>
    Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }))

  it('sends the bearer token and If-Match, and turns 409 into a ConflictError with the current version', async () => {
    let seen: RequestInit | undefined
    const http = createHttp({
      getToken: () => 'tok',
      fetch: (async (_url: string, init: RequestInit) => {
        seen = init
        return reply(409, { error: 'Conflict', message: 'stale', details: { version: 9 } })
      }) as unknown as typeof fetch,
    })
    const err = await http.post('/api/plans/1/edits', { op: 'x' }, { ifMatch: 7 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConflictError)
    expect((err as ConflictError).version).toBe(9)
    const h = seen!.headers as Record<string, string>
    expect(h.Authorization).toBe('Bearer tok')
    expect(h['If-Match']).toBe('"7"')
  })
  it('calls onUnauthorized on 401 and reports network failures separately', async () => {
    let out = false
    const http = createHttp({ getToken: () => null, onUnauthorized: () => (out = true), fetch: (() => reply(401, { error: 'Unauthorized', message: 'sign in' })) as unknown as typeof fetch })
    const e = await http.get('/api/auth/me').catch((x: unknown) => x)
    expect(e).toBeInstanceOf(ApiError)
    expect((e as ApiError).status).toBe(401)
    expect(out).toBe(true)
    const down = createHttp({ getToken: () => null, fetch: (() => Promise.reject(new TypeError('fetch failed'))) as unknown as typeof fetch })
    expect(await down.get('/x').catch((x: unknown) => x)).toBeInstanceOf(NetworkError)
  })
})

describe('capabilities', () => {
  it('matches OpenAPI templates whatever the parameter names', () => {
    const c = capabilitiesFrom({ paths: { '/api/plans/{id}/export.{format}': { get: {} }, '/api/plans': { get: {}, post: {} } } })
    expect(c.has('GET', '/api/plans/:planId/export.:fmt')).toBe(true)
    expect(c.has('post', '/api/plans')).toBe(true)
    expect(c.has('DELETE', '/api/plans/{id}')).toBe(false)
  })
})
