/**
 * The weight band a part must fall in, and the choice of how many parts a connected piece gets.
 * Weights are whatever the caller sums (population, households, a workload score); only their
 * non-negativity matters here.
 */

export interface Band {
  min: number
  max: number
  /** Preferred part weight; (min + max) / 2 when the caller gives none. */
  target: number
}

/**
 * Turns the CLI's `--target N --tolerance F` into a band: F is a fraction of the target
 * (0.2 means ±20 %), so target 1250 tolerance 0.2 gives [1000, 1500].
 */
export function bandFromTolerance(target: number, tolerance: number): Band {
  if (!(target > 0)) throw new RangeError(`target must be a positive number, got ${target}`)
  if (!(tolerance >= 0 && tolerance < 1)) {
    throw new RangeError(`tolerance is a fraction of the target in [0, 1), e.g. 0.2 for ±20 %; got ${tolerance}`)
  }
  return { min: target * (1 - tolerance), max: target * (1 + tolerance), target }
}

/** Checks the caller's band and fills in the target. Throws on programmer error (bad numbers). */
export function resolveBand(min: number, max: number, target?: number): Band {
  if (!(Number.isFinite(min) && Number.isFinite(max) && min >= 0 && max > 0 && min <= max)) {
    throw new RangeError(`band must satisfy 0 <= min <= max and max > 0; got min=${min} max=${max}`)
  }
  const t = target ?? (min + max) / 2
  if (!(t >= min && t <= max)) throw new RangeError(`target ${t} lies outside the band [${min}, ${max}]`)
  return { min, max, target: t }
}

/** How far a weight lies outside the band (0 inside). */
export function violation(w: number, band: Band): number {
  return w < band.min ? band.min - w : w > band.max ? w - band.max : 0
}

/**
 * Small tolerance so sums of float weights that land on a bound count as inside. Weights are
 * usually integer counts; this only absorbs rounding of fractional workload scores.
 */
export function inBand(w: number, band: Band): boolean {
  const eps = 1e-9 * Math.max(1, band.max)
  return w >= band.min - eps && w <= band.max + eps
}

export interface PartCount {
  k: number
  /** 'ok', or why no whole number of parts fits the band. */
  status: 'ok' | 'lighter-than-min' | 'band-unreachable'
}

/**
 * Number of parts for a connected piece of total weight W: among k with k·min ≤ W ≤ k·max, the one
 * nearest W/target. When none exists, ceil(W/max): all parts but one
 * can then be in band. Never more parts than nodes (each part needs at least one node).
 */
export function choosePartCount(W: number, nodes: number, band: Band): PartCount {
  if (nodes <= 1 || W <= 0) return { k: 1, status: W < band.min ? 'lighter-than-min' : 'ok' }
  if (W < band.min) return { k: 1, status: 'lighter-than-min' }
  const kLo = Math.max(1, Math.ceil(W / band.max - 1e-12))
  const kHi = band.min > 0 ? Math.floor(W / band.min + 1e-12) : Number.MAX_SAFE_INTEGER
  if (kLo <= kHi) {
    // The whole number nearest W/target (ties to fewer parts), clamped into the feasible range.
    const x = W / band.target
    const k = Math.min(kHi, Math.max(kLo, x - Math.floor(x) > 0.5 ? Math.ceil(x) : Math.max(1, Math.floor(x))))
    return { k: Math.min(k, nodes), status: 'ok' }
  }
  // kHi < kLo: kHi parts are all too heavy, kLo parts all too light. With kLo parts, kLo - 1 of them
  // can still sit inside the band and one takes the shortfall — more parts in band than any other
  // choice, which is the first objective.
  const k = kLo
  return { k: Math.max(1, Math.min(k, nodes)), status: 'band-unreachable' }
}
