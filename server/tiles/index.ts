import type GeoJSONVT from 'geojson-vt'
import type { Db, Queryable } from '../db/index.js'
import type { UserWithHash } from '../plugins/auth.js'
import { baseLayerFeatures, baseTileMvt, planLayerFeatures, planTileMvt, unitAttributes, unitGeometryFeatures, userAndPlanVersion, userPlanVersionAndTile, planFootprints, type FootprintBox, type UnitAttributes } from '../repo/tiles.js'
import { entityTags, etag, notModified } from '../export/etag.js'
import { cutTile, layerIndex } from './tiler.js'
import { Lru } from './lru.js'
import { BASE_TILE_LAYERS, BUFFER, EXTENT, type BaseTileLayer, type PlanTileLayer } from './layers.js'

export interface TileAnswer {
  /** 200 with a tile, 204 for an empty tile, 304 when If-None-Match is current, 404 for no such plan. */
  status: 200 | 204 | 304 | 404
  etag?: string
  body?: Buffer
}

export interface TileServiceOptions {
  /** Tiles kept in memory, by count and by bytes. */
  maxTiles?: number
  maxTileBytes?: number
  /** Whole-layer indexes kept by the in-process tiler (embedded database). */
  maxIndexes?: number
  /** Force the in-process tiler even on PostgreSQL (benchmarks, tests). */
  inProcess?: boolean
}

/**
 * Authenticates a tile request with `read` (which returns the user and what the tile needs, in one round
 * trip) and returns read's result; `key` names the read for the embedded database's memo.
 */
export type TileHead = <T extends { user: UserWithHash | undefined }>(key: string, read: (q: Queryable, userId: number) => Promise<T>) => Promise<T>

interface Indexed {
  version: string
  index: GeoJSONVT
}

/** A plan version's unit properties for the units tiles, with the district (and its fingerprint) they belong to. */
interface UnitsAt {
  version: string
  districtId: number
  stamp: string
  attrs: UnitAttributes
}

/**
 * Vector tiles of plan layers (per plan version) and base-map layers. Indexes are keyed by plan id +
 * version (or a base table's fingerprint); a plan tile is kept with the version it was cut at and served at
 * a later version only when the database says no edit since reached it (edit footprints, read per request's
 * version), so a new version is never answered with an old tile, and replicas need no coordination (DESIGN §7).
 */
export class TileService {
  /** Plan tiles by plan, layer and z/x/y with the version they were cut at; base tiles by layer, stamp and z/x/y. */
  private tiles: Lru<{ version: number; tile: Buffer }>
  /** In-process indexes of plan layers (a few plans' units, grids and cells) ... */
  private indexes: Lru<Promise<Indexed>>
  /** ... and of the base-map layers, kept apart so that plans being edited never evict them. */
  private baseIndexes = new Lru<Promise<Indexed>>(BASE_TILE_LAYERS.length)
  /**
   * The units layer is indexed once per district (geometry, unit_id, name: what no edit changes) and each
   * plan version only reads its units' properties, without geometry, to cut tiles from that index.
   */
  private unitGeometry = new Lru<Promise<Indexed>>(2)
  private unitsAt = new Lru<Promise<UnitsAt>>(8)
  private readonly inProcess: boolean
  /**
   * Plan tiles being cut by ST_AsMVT, by plan, layer and tile (any version): a request for a tile already
   * being cut waits for that cut and takes it if it is at the version the request read, instead of running
   * the same statement again (after an edit, every viewer of a plan asks for the same tiles at once).
   */
  private cutting = new Map<string, Promise<{ version: number | null; tile: Buffer }>>()
  /** The footprints of each plan's recent edits, at its latest version read (see unchangedSince). */
  private footprints = new Lru<Promise<{ version: string; boxes: Map<number, FootprintBox> }>>(256)

  constructor(private readonly db: Db, opts: TileServiceOptions = {}) {
    this.tiles = new Lru<{ version: number; tile: Buffer }>(opts.maxTiles ?? 20_000, opts.maxTileBytes ?? 64 << 20, (t) => t.tile.length + 100)
    this.indexes = new Lru<Promise<Indexed>>(opts.maxIndexes ?? 8)
    this.inProcess = opts.inProcess ?? db.kind !== 'postgres'
  }

  /**
   * Tile z/x/y of a plan layer at the plan's current version. `head` authenticates the request with the
   * read it is given (the user and what the tile needs, in one round trip; see app.authenticateWith) under
   * a memo key. A tile is kept with the version it was cut at, and its tag names that version. At a later
   * version it is still the tile when no edit in between reached it (unchangedSince: edits record their
   * footprint); then a browser's copy of any version since answers 304, or the kept tile is sent again,
   * without cutting anything.
   */
  async planTile(planId: number, layer: PlanTileLayer, z: number, x: number, y: number, ifNoneMatch: string | string[] | undefined, head: TileHead): Promise<TileAnswer> {
    const tagFor = (v: number) => etag('plan', planId, `v${v}`, layer, z, x, y)
    const key = `${planId}:${layer}:${z}/${x}/${y}`
    if (entityTags(ifNoneMatch).includes('*')) {
      // `If-None-Match: *`: any copy of the tile is current (RFC 9110 §13.1.2)
      const { version } = await head('version', (q, userId) => userAndPlanVersion(q, userId, planId))
      return version === null ? { status: 404 } : { status: 304, etag: tagFor(version) }
    }
    const kept = this.tiles.get(key)
    const theirs = taggedVersion(ifNoneMatch, tagFor)
    let version: number | null
    if (kept === undefined && theirs === undefined && !this.inProcess && !this.cutting.has(key)) {
      // A first request of this tile: user, version and tile in one statement.
      const r = await this.cut(key, head(`tile:${layer}/${z}/${x}/${y}`, (q, userId) => userPlanVersionAndTile(q, userId, layer, planId, z, x, y)))
      if (r.version === null) return { status: 404 }
      this.keep(key, r.version, r.tile)
      return answer(tagFor(r.version), r.tile)
    }
    ;({ version } = await head('version', (q, userId) => userAndPlanVersion(q, userId, planId)))
    if (version === null) return { status: 404 }
    if (theirs === version) return { status: 304, etag: tagFor(theirs) }
    const older = [theirs, kept?.version].filter((v): v is number => v !== undefined && v < version!)
    if (older.length) {
      // Still the tile if no edit since reached it: the browser's copy first (304), else the kept one.
      const since = await this.unchangedSince(planId, Math.min(...older), version, z, x, y)
      const current = (v: number | undefined): v is number => v !== undefined && v >= since && v <= version!
      if (current(theirs)) return { status: 304, etag: tagFor(theirs) }
      if (kept && current(kept.version)) return answer(tagFor(kept.version), kept.tile)
    }

    // A request that waited (for its head, or behind a cut) may find the tile kept by another meanwhile.
    const done = this.tiles.get(key)
    if (done && done.version >= version) return answer(tagFor(done.version), done.tile)
    // Cut at `version` (or later: an edit may land in between; the tile carries the version it was cut at).
    let read: number
    let tile: Buffer
    if (this.inProcess && layer === 'units') {
      const at = await this.once(this.unitsAt, `units:${planId}`, String(version), async () => {
        const r = await unitAttributes(this.db, planId)
        return { ...r, version: String(r.version) }
      })
      if (at.version === 'null') return { status: 404 }
      const geo = await this.once(this.unitGeometry, `district:${at.districtId}`, at.stamp, async () => {
        const { stamp, features } = await unitGeometryFeatures(this.db, at.districtId)
        return { version: stamp, index: layerIndex(features) }
      })
      read = Number(at.version)
      // requests that waited for the same index: the first to resume cuts the tile, the others take it
      const cut = this.tiles.get(key)
      if (cut?.version === read) return answer(tagFor(read), cut.tile)
      tile = cutTile(geo.index, layer, z, x, y, (id) => at.attrs.get(id)) ?? EMPTY
      // the district's units changed between the two reads (an import): answer, but keep nothing
      if (geo.version !== at.stamp) return answer(tagFor(read), tile)
    } else if (this.inProcess) {
      const ix = await this.once(this.indexes, `plan:${planId}:${layer}`, String(version), async () => {
        const { version, features } = await planLayerFeatures(this.db, layer, planId)
        return { version: String(version), index: layerIndex(features) }
      })
      read = Number(ix.version)
      const cut = this.tiles.get(key)
      if (cut?.version === read) return answer(tagFor(read), cut.tile)
      tile = cutTile(ix.index, layer, z, x, y) ?? EMPTY
    } else {
      const r = await this.cutOnce(key, version, () => planTileMvt(this.db, layer, planId, z, x, y))
      if (r.version === null) return { status: 404 }
      read = r.version
      tile = r.tile
    }
    this.keep(key, read, tile)
    return answer(tagFor(read), tile)
  }

  /**
   * The oldest version at or after `from` at which plan tile z/x/y (any layer) is the same as at `version`:
   * every later version up to `version` must be an edit whose footprint misses the tile's buffered envelope.
   * A grid's or a cell's totals are in every tile it reaches, and an edit's footprint covers every grid and
   * cell it touched, so one footprint serves the three layers. The footprints of the last FOOTPRINT_WINDOW
   * versions are read once per plan version; anything older counts as changed.
   */
  private async unchangedSince(planId: number, from: number, version: number, z: number, x: number, y: number): Promise<number> {
    const fp = await this.once(this.footprints, `plan:${planId}`, String(version), async () => ({
      version: String(version),
      boxes: await planFootprints(this.db, planId, Math.max(0, version - FOOTPRINT_WINDOW), version),
    }))
    const env = tileEnvelope(z, x, y, BUFFER / EXTENT)
    for (let v = version; v > from; v--) {
      const box = fp.boxes.get(v)
      if (!box || (box[0] <= env[2] && env[0] <= box[2] && box[1] <= env[3] && env[1] <= box[3])) return v
    }
    return from
  }

  /** Keeps a plan tile cut at `version`, unless a tile cut at a later version is kept already. */
  private keep(key: string, version: number, tile: Buffer) {
    const kept = this.tiles.get(key)
    if (!kept || kept.version <= version) this.tiles.set(key, { version, tile })
  }

  /** Tile z/x/y of a base-map layer whose table has the fingerprint `stamp` (stampSql in repo/tiles.ts) as the caller read it. */
  async baseTile(layer: BaseTileLayer, stamp: string, z: number, x: number, y: number, ifNoneMatch?: string | string[]): Promise<TileAnswer> {
    const tag = etag('base', layer, stamp, z, x, y)
    if (notModified(ifNoneMatch, tag)) return { status: 304, etag: tag }
    const key = `base:${layer}:${stamp}:${z}/${x}/${y}`
    const cached = this.tiles.get(key)
    if (cached) return answer(tag, cached.tile)
    let read: string
    let tile: Buffer
    if (this.inProcess) {
      const ix = await this.once(this.baseIndexes, `base:${layer}`, stamp, async () => {
        const { stamp, features } = await baseLayerFeatures(this.db, layer)
        return { version: stamp, index: layerIndex(features) }
      })
      read = ix.version
      tile = cutTile(ix.index, layer, z, x, y) ?? EMPTY
    } else {
      ;({ stamp: read, tile } = await baseTileMvt(this.db, layer, z, x, y))
    }
    // An import may have landed since the stamp was read: the tile carries the stamp it was cut from.
    this.tiles.set(`base:${layer}:${read}:${z}/${x}/${y}`, { version: 0, tile })
    return answer(etag('base', layer, read, z, x, y), tile)
  }

  /**
   * The tile `key` at `version` or later: from a cut already running for it when that one reads `version`
   * or later (an edit may have landed since `version` was read; the answer carries the version it was cut
   * at), else from `start`, registered at once (no await in between) so that requests resuming together
   * start one cut, not one each. A cut at an older version is not taken.
   */
  private async cutOnce<T extends { version: number | null; tile: Buffer }>(key: string, version: number, start: () => Promise<T>): Promise<T | { version: number | null; tile: Buffer }> {
    for (;;) {
      const running = this.cutting.get(key)
      if (!running) return this.cut(key, start())
      const r = await running.catch(() => undefined)
      if (r && r.version !== null && r.version >= version) return r
      // cut() removes a settled cut from `cutting` before this resumes; look again for a newer one
      if (this.cutting.get(key) === running) return this.cut(key, start())
    }
  }

  /** `cut` registered under `key` in `cutting` while it runs (see `cutting`). */
  private cut<T extends { version: number | null; tile: Buffer }>(key: string, cut: Promise<T>): Promise<T> {
    this.cutting.set(key, cut)
    const done = () => {
      if (this.cutting.get(key) === cut) this.cutting.delete(key)
    }
    cut.then(done, done)
    return cut
  }

  /**
   * `load` of `name` (an index, or a version's unit properties) at `version` in `cache`, run once however
   * many requests ask at the same time. The loader reports the version it actually read (an edit may land
   * in between); older versions of the same name are dropped as soon as a newer one is loaded.
   */
  private once<T extends { version: string }>(cache: Lru<Promise<T>>, name: string, version: string, load: () => Promise<T>): Promise<T> {
    const key = `${name}@${version}`
    let p = cache.get(key)
    if (!p) {
      p = load()
      cache.set(key, p)
      p.then(
        (ix) => {
          const actual = `${name}@${ix.version}`
          if (actual !== key) cache.set(actual, p!)
          cache.deletePrefix(`${name}@`, actual)
        },
        () => cache.delete(key), // a failed load is retried by the next request
      )
    }
    return p
  }
}

const EMPTY = Buffer.alloc(0)

/** Plan versions whose edit footprints are read to keep a tile across versions (unchangedSince). */
const FOOTPRINT_WINDOW = 256

/**
 * Tile z/x/y as a lon/lat box [west, south, east, north], grown by `margin` tiles on every side (the
 * tile buffer), a hair wider still so that rounding never lets a footprint touching its edge slip by.
 */
function tileEnvelope(z: number, x: number, y: number, margin: number): [number, number, number, number] {
  const n = 2 ** z
  const lon = (t: number) => (t / n) * 360 - 180
  const lat = (t: number) => (Math.atan(Math.sinh(Math.PI * (1 - (2 * t) / n))) * 180) / Math.PI
  const eps = 1e-9
  return [lon(x - margin) - eps, lat(y + 1 + margin) - eps, lon(x + 1 + margin) + eps, lat(y - margin) + eps]
}


/** The latest plan version among the tags of an If-None-Match header that are this tile's tags (`tagFor`). */
function taggedVersion(ifNoneMatch: string | string[] | undefined, tagFor: (v: number) => string): number | undefined {
  let best: number | undefined
  for (const tag of entityTags(ifNoneMatch)) {
    const m = /-v(\d{1,9})-/.exec(tag)
    const v = m ? Number(m[1]) : NaN
    if (v >= 1 && tagFor(v) === tag && (best === undefined || v > best)) best = v
  }
  return best
}

function answer(tag: string, tile: Buffer): TileAnswer {
  return tile.length ? { status: 200, etag: tag, body: tile } : { status: 204, etag: tag }
}
