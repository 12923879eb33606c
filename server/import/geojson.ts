/**
 * Streams a GeoJSON FeatureCollection feature by feature. A token-level guard enforces the limits while
 * the bytes arrive (file size, depth, coordinate numbers, feature count, bytes per feature), so a hostile
 * file is refused before it is ever held in memory.
 */
import { Tokenizer, TokenParser, TokenType } from '@streamparser/json'
import { ProblemCode } from '../../geo/validate/index.js'
import { ImportError } from './errors.js'
import { mib, type ImportLimits } from './limits.js'

const CRS_OK = /^(urn:ogc:def:crs:OGC:1\.3:CRS84|urn:ogc:def:crs:OGC::CRS84|urn:ogc:def:crs:EPSG::4326|EPSG:4326|CRS84|WGS84)$/i

export interface GeoJSONStats {
  bytes: number
  features: number
  coordinates: number
  crs?: string
}

/** Yields each raw feature (unchecked) in file order; `stats` is filled as it goes. */
export async function* readGeoJSON(
  source: AsyncIterable<Uint8Array | string>,
  limits: ImportLimits,
  stats: GeoJSONStats = { bytes: 0, features: 0, coordinates: 0 },
): AsyncGenerator<unknown> {
  const tokenizer = new Tokenizer({ numberBufferSize: 64, stringBufferSize: 64 * 1024 })
  const parser = new TokenParser({ paths: ['$.type', '$.crs', '$.features.*'], keepStack: false })
  const queue: unknown[] = []
  let depth = 0
  let featureStart = -1
  let topType: unknown
  let sawFeatures = false
  let lastKey: unknown
  // containers: true = array; used to count numbers inside arrays of arrays (coordinates)
  const arrays: boolean[] = []

  tokenizer.onToken = (t) => {
    const tok = t.token
    if (tok === TokenType.LEFT_BRACE || tok === TokenType.LEFT_BRACKET) {
      if (depth === 0 && tok !== TokenType.LEFT_BRACE)
        throw new ImportError(400, ProblemCode.notFeatureCollection, 'the file is a JSON array; expected a GeoJSON FeatureCollection object', 'file')
      if (depth === 1 && lastKey === 'features' && tok === TokenType.LEFT_BRACKET) sawFeatures = true
      depth++
      arrays.push(tok === TokenType.LEFT_BRACKET)
      if (depth > limits.maxDepth)
        throw new ImportError(400, ProblemCode.tooDeep, `JSON nesting exceeds ${limits.maxDepth} levels at byte ${t.offset}; GeoJSON needs at most 8`, 'file')
      if (depth === 3 && sawFeatures) featureStart = t.offset
    } else if (tok === TokenType.RIGHT_BRACE || tok === TokenType.RIGHT_BRACKET) {
      depth--
      arrays.pop()
      if (depth === 2 && featureStart >= 0) {
        featureStart = -1
        if (++stats.features > limits.maxFeatures)
          throw new ImportError(413, ProblemCode.tooManyFeatures, `the file has more than ${limits.maxFeatures} features; split it or raise the limit`, 'file')
      }
    } else if (tok === TokenType.NUMBER) {
      // a number directly inside an array below a feature is (almost always) a coordinate
      if (depth >= 5 && arrays[arrays.length - 1]) {
        if (++stats.coordinates > limits.maxCoordinates)
          throw new ImportError(413, ProblemCode.tooManyCoordinates, `the file has more than ${limits.maxCoordinates} coordinate numbers; split it or simplify`, 'file')
      }
    } else if (tok === TokenType.STRING && depth === 1) {
      lastKey = t.value
    }
    if (featureStart >= 0 && t.offset - featureStart > limits.maxFeatureBytes)
      throw new ImportError(413, ProblemCode.tooLarge, `feature ${stats.features} is larger than ${mib(limits.maxFeatureBytes)}; simplify it`, `features[${stats.features}]`)
    parser.write(t)
  }
  parser.onValue = ({ value, key, parent }) => {
    if (parent && Array.isArray(parent)) {
      queue.push(value)
      return
    }
    if (key === 'type') {
      topType = value
      if (value !== 'FeatureCollection')
        throw new ImportError(
          400,
          ProblemCode.notFeatureCollection,
          `top-level "type" is ${JSON.stringify(value)}; expected "FeatureCollection" (wrap a single Feature in one)`,
          'type',
        )
    } else if (key === 'crs') {
      const name = (value as { properties?: { name?: unknown } } | null)?.properties?.name
      stats.crs = typeof name === 'string' ? name : JSON.stringify(value)
      if (typeof name !== 'string' || !CRS_OK.test(name.trim()))
        throw new ImportError(
          400,
          ProblemCode.unsupportedCrs,
          `the file declares crs ${stats.crs}; only WGS84 lng, lat (EPSG:4326 / CRS84) is imported. Reproject it first`,
          'crs',
        )
    }
  }
  parser.onError = (err) => {
    throw err
  }

  const wrap = (err: unknown) => {
    if (err instanceof ImportError) return err
    if ((err as { statusCode?: number }).statusCode === 413)
      return new ImportError(413, ProblemCode.tooLarge, `the file is larger than ${mib(limits.maxBytes)}; split it`, 'file')
    const msg = err instanceof Error ? err.message : String(err)
    return new ImportError(400, ProblemCode.malformedJson, `the file is not valid JSON: ${msg}`, 'file')
  }

  try {
    for await (const chunk of source) {
      stats.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength
      if (stats.bytes > limits.maxBytes)
        throw new ImportError(413, ProblemCode.tooLarge, `the file is larger than ${mib(limits.maxBytes)}; split it`, 'file')
      try {
        tokenizer.write(chunk)
      } catch (err) {
        throw wrap(err)
      }
      while (queue.length) yield queue.shift()
    }
    try {
      tokenizer.end()
    } catch (err) {
      throw wrap(err)
    }
  } catch (err) {
    throw wrap(err)
  }
  while (queue.length) yield queue.shift()
  if (depth !== 0 && stats.bytes > 0)
    throw new ImportError(400, ProblemCode.malformedJson, `the file ends inside an unfinished JSON value after ${stats.bytes} bytes (truncated upload?)`, 'file')
  if (stats.bytes === 0) throw new ImportError(400, ProblemCode.malformedJson, 'the file is empty', 'file')
  if (topType === undefined)
    throw new ImportError(400, ProblemCode.notFeatureCollection, 'the object has no "type"; expected "FeatureCollection"', 'type')
  if (!sawFeatures)
    throw new ImportError(400, ProblemCode.notFeatureCollection, 'the FeatureCollection has no "features" array', 'features')
}
