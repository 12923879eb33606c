import { describe, expect, it } from 'vitest'
import { bandFromTolerance, checkPartition, choosePartCount, partition, resolveBand } from './index.js'
import { randomTiling } from './synthetic.js'

describe('band helpers', () => {
  it('turns target ± tolerance into a band', () => {
    expect(bandFromTolerance(1250, 0.2)).toEqual({ min: 1000, max: 1500, target: 1250 })
    expect(() => bandFromTolerance(1250, 20)).toThrow(/fraction/)
    expect(() => resolveBand(10, 5)).toThrow(/min <= max/)
  })

  it('chooses the part count nearest the target inside the band', () => {
    const band = resolveBand(1000, 1500)
    expect(choosePartCount(5000, 100, band)).toEqual({ k: 4, status: 'ok' }) // 1250 each
    expect(choosePartCount(900, 100, band)).toEqual({ k: 1, status: 'lighter-than-min' })
    expect(choosePartCount(1600, 100, band).status).toBe('band-unreachable') // 1 too heavy, 2 too light
    expect(choosePartCount(5000, 3, band).k).toBe(3) // never more parts than nodes
  })
})

describe('partition', () => {
  const { graph, weights } = randomTiling({ cols: 30, rows: 30, seed: 3, parents: 4, enclaves: 2, barriers: 1 })

  it('keeps a plan that is already in band unchanged in rebalance mode', () => {
    const first = partition(graph, weights, { min: 900, max: 1600, seed: 5 })
    const again = partition(graph, weights, { min: 900, max: 1600, seed: 9, initial: first.assignment })
    expect(Array.from(again.assignment)).toEqual(Array.from(first.assignment))
  })

  it('rebalances by touching only the parts near a change', () => {
    const opts = { min: 900, max: 1600, seed: 5 }
    const first = partition(graph, weights, opts)
    // One part gains a lot of population: it and its neighbours change, distant parts do not.
    const w2 = weights.slice()
    const grown = first.assignment[450]
    for (let v = 0; v < graph.n; v++) if (first.assignment[v] === grown) w2[v] *= 1.8
    const re = partition(graph, w2, { ...opts, initial: first.assignment })
    expect(checkPartition(graph, w2, re, opts)).toEqual([])
    let moved = 0
    for (let v = 0; v < graph.n; v++) if (re.assignment[v] !== first.assignment[v]) moved++
    const fresh = partition(graph, w2, opts)
    let freshMoved = 0
    for (let v = 0; v < graph.n; v++) if (fresh.assignment[v] !== first.assignment[v]) freshMoved++
    expect(moved).toBeGreaterThan(0)
    expect(moved).toBeLessThan(freshMoved)
  })

  it('isolates a unit heavier than max and says so', () => {
    const w = weights.slice()
    w[200] = 5000
    const res = partition(graph, w, { min: 900, max: 1600, seed: 1 })
    expect(checkPartition(graph, w, res, { min: 900, max: 1600 })).toEqual([])
    const heavy = res.exceptions.find((e) => e.code === 'unit-heavier-than-max')
    expect(heavy?.nodes).toEqual([200])
  })

  it('returns a valid plan with a zero time budget', () => {
    const res = partition(graph, weights, { min: 900, max: 1600, seed: 1, timeBudgetMs: 0 })
    expect(checkPartition(graph, weights, res, { min: 900, max: 1600 })).toEqual([])
  })

  it('handles all-zero weights and an empty graph', () => {
    const zero = new Float64Array(graph.n)
    const res = partition(graph, zero, { min: 900, max: 1600 })
    expect(checkPartition(graph, zero, res, { min: 900, max: 1600 })).toEqual([])
    expect(res.exceptions.some((e) => e.code === 'component-lighter-than-min')).toBe(true)
    const empty = randomTiling({ cols: 0, rows: 0, seed: 1 })
    expect(partition(empty.graph, empty.weights, { min: 1, max: 2 })).toEqual({
      assignment: new Int32Array(0),
      parts: 0,
      exceptions: [],
    })
  })

  it('rejects bad weights with a message that names the node', () => {
    const bad = weights.slice()
    bad[7] = -1
    expect(() => partition(graph, bad, { min: 900, max: 1600 })).toThrow(/node 7/)
  })
})
