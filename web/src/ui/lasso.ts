import type { EditorMap } from '../map/adapter.js'
import type { EditorSession } from './editor.js'
import { extendLasso, unitsInRing } from '../ops/lasso.js'

const SVG = 'http://www.w3.org/2000/svg'

/**
 * The lasso being drawn over the map (an SVG polyline in map pixels), and the units it encloses: those
 * whose box centre lies inside the ring, tested in lng/lat so that it does not matter how the map moved.
 */
export class Lasso {
  readonly el = document.createElementNS(SVG, 'svg')
  private line = document.createElementNS(SVG, 'polyline')
  /** Screen points of the ring being drawn; undefined when no lasso is being drawn. */
  points: Array<[number, number]> | undefined

  constructor(private readonly map: EditorMap) {
    this.el.setAttribute('class', 'gw-lasso')
    this.el.setAttribute('aria-hidden', 'true')
    Object.assign(this.el.style, { position: 'absolute', left: '0', top: '0', width: '100%', height: '100%', pointerEvents: 'none', zIndex: '3', display: 'none' })
    Object.assign(this.line.style, { fill: 'rgba(0,80,208,.12)', stroke: '#000', strokeWidth: '2', strokeDasharray: '5 3' })
    this.el.append(this.line)
  }

  start(x: number, y: number) {
    this.points = [[x, y]]
    this.el.style.display = ''
    this.draw()
  }

  extend(x: number, y: number) {
    if (this.points && extendLasso(this.points, x, y)) this.draw()
  }

  /** Stops drawing and returns the ring drawn (screen points). */
  end(): Array<[number, number]> {
    const ring = this.points ?? []
    this.points = undefined
    this.el.style.display = 'none'
    this.line.setAttribute('points', '')
    return ring
  }

  private draw() {
    this.line.setAttribute('points', (this.points ?? []).map(([x, y]) => `${x},${y}`).join(' '))
  }

  /** Unit indexes whose centre lies inside a ring of screen points, ascending. */
  units(s: EditorSession, ring: ReadonlyArray<readonly [number, number]>): number[] {
    if (ring.length < 3) return []
    // no boxes yet (the topology has not arrived): nothing can be tested
    if (!s.unitCentres) return []
    return unitsInRing(ring.map((p) => this.map.unproject([p[0], p[1]])), s.unitCentres)
  }
}
