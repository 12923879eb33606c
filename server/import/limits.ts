/** What one import may cost. Every limit is answered with 413 (size) or 400 (shape), never an OOM. */
export interface ImportLimits {
  /** Bytes of the uploaded file (GeoJSON, CSV, OSM, or the zip). */
  maxBytes: number
  /** Bytes of one GeoJSON feature as text. */
  maxFeatureBytes: number
  /** Features (or CSV rows). */
  maxFeatures: number
  /** Coordinate numbers (two per position) over the whole file. */
  maxCoordinates: number
  /** JSON nesting depth; a MultiPolygon in a FeatureCollection needs 8. */
  maxDepth: number
  /** Bytes of all files inside a Shapefile zip once inflated. */
  maxUnzippedBytes: number
  /** Problems listed in an answer; the rest are counted. */
  maxProblemsListed: number
}

export const DEFAULT_LIMITS: ImportLimits = {
  maxBytes: 256 * 1024 * 1024,
  maxFeatureBytes: 32 * 1024 * 1024,
  maxFeatures: 500_000,
  maxCoordinates: 40_000_000,
  maxDepth: 32,
  maxUnzippedBytes: 512 * 1024 * 1024,
  maxProblemsListed: 1000,
}

export function withLimits(over?: Partial<ImportLimits>): ImportLimits {
  return { ...DEFAULT_LIMITS, ...(over ?? {}) }
}

export const mib = (n: number) => (n < 1024 * 1024 ? `${n} bytes` : `${(n / 1024 / 1024).toFixed(0)} MiB`)
