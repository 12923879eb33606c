import { join } from 'node:path'
import type { Readable } from 'node:stream'
import yazl from 'yazl'
import type { Column, ExportRow } from './columns.js'
import { BufferedFile } from './buffered-file.js'
import { DBF_EOF, DbfLayout } from './dbf.js'
import { streamFromTempDir } from './temp-dir.js'

/** ESRI WKT of WGS 84 (EPSG:4326), what ArcGIS and QGIS expect in a .prj. */
export const WGS84_PRJ =
  'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]'

const SHP_POLYGON = 5
const SHP_NULL = 0

type MultiPolygon = { type: 'MultiPolygon'; coordinates: number[][][][] }

/**
 * One polygon record's content. GeoJSON from the database follows RFC 7946 (exterior counter-clockwise);
 * Shapefiles want exteriors clockwise and holes counter-clockwise, so every ring is written reversed.
 */
function polygonContent(g: MultiPolygon): { content: Buffer; box: [number, number, number, number] } {
  const rings = g.coordinates.flat()
  const nPoints = rings.reduce((s, r) => s + r.length, 0)
  const b = Buffer.alloc(44 + 4 * rings.length + 16 * nPoints)
  let xmin = Infinity, ymin = Infinity, xmax = -Infinity, ymax = -Infinity
  b.writeInt32LE(SHP_POLYGON, 0)
  b.writeInt32LE(rings.length, 36)
  b.writeInt32LE(nPoints, 40)
  let part = 44
  let pt = 44 + 4 * rings.length
  let start = 0
  for (const ring of rings) {
    b.writeInt32LE(start, part)
    part += 4
    start += ring.length
    for (let i = ring.length - 1; i >= 0; i--) {
      const [x, y] = ring[i]
      b.writeDoubleLE(x, pt)
      b.writeDoubleLE(y, pt + 8)
      pt += 16
      if (x < xmin) xmin = x
      if (x > xmax) xmax = x
      if (y < ymin) ymin = y
      if (y > ymax) ymax = y
    }
  }
  b.writeDoubleLE(xmin, 4)
  b.writeDoubleLE(ymin, 12)
  b.writeDoubleLE(xmax, 20)
  b.writeDoubleLE(ymax, 28)
  return { content: b, box: [xmin, ymin, xmax, ymax] }
}

/** The 100-byte header shared by .shp and .shx. */
function mainHeader(fileBytes: number, box: [number, number, number, number]): Buffer {
  const b = Buffer.alloc(100)
  b.writeInt32BE(9994, 0)
  b.writeInt32BE(fileBytes / 2, 24)
  b.writeInt32LE(1000, 28)
  b.writeInt32LE(SHP_POLYGON, 32)
  box.forEach((v, i) => b.writeDoubleLE(Number.isFinite(v) ? v : 0, 36 + 8 * i))
  return b
}

/**
 * Writes `<name>.shp/.shx/.dbf/.prj/.cpg` of the rows into a fresh temporary folder, one row in memory
 * at a time (headers patched at the end), and returns a zip stream of them; the folder is removed when
 * the stream ends or fails.
 */
export async function shapefileZip(
  rows: AsyncIterable<ExportRow>,
  columns: readonly Column[],
  textWidths: Record<string, number>,
  name: string,
): Promise<Readable> {
  return streamFromTempDir('gridweave-shp-', async (dir) => {
    const dbf = new DbfLayout(columns, textWidths)
    const shp = await BufferedFile.create(join(dir, `${name}.shp`))
    const shx = await BufferedFile.create(join(dir, `${name}.shx`))
    const dbfFile = await BufferedFile.create(join(dir, `${name}.dbf`))
    const box: [number, number, number, number] = [Infinity, Infinity, -Infinity, -Infinity]
    let n = 0
    try {
      await shp.append(Buffer.alloc(100))
      await shx.append(Buffer.alloc(100))
      await dbfFile.append(dbf.header(0))
      for await (const row of rows) {
        const geom = row.geometry ? (JSON.parse(row.geometry) as MultiPolygon) : null
        let content: Buffer
        if (geom && geom.coordinates.length) {
          const p = polygonContent(geom)
          content = p.content
          box[0] = Math.min(box[0], p.box[0])
          box[1] = Math.min(box[1], p.box[1])
          box[2] = Math.max(box[2], p.box[2])
          box[3] = Math.max(box[3], p.box[3])
        } else {
          content = Buffer.alloc(4)
          content.writeInt32LE(SHP_NULL, 0)
        }
        n++
        const rec = Buffer.alloc(8)
        rec.writeInt32BE(n, 0)
        rec.writeInt32BE(content.length / 2, 4)
        const idx = Buffer.alloc(8)
        idx.writeInt32BE(shp.length / 2, 0)
        idx.writeInt32BE(content.length / 2, 4)
        await shp.append(rec)
        await shp.append(content)
        await shx.append(idx)
        await dbfFile.append(dbf.record(row))
      }
      await dbfFile.append(DBF_EOF)
      await shp.patch(0, mainHeader(shp.length, box))
      await shx.patch(0, mainHeader(shx.length, box))
      await dbfFile.patch(0, dbf.header(n))
    } finally {
      await Promise.all([shp.close(), shx.close(), dbfFile.close()])
    }
    const zip = new yazl.ZipFile()
    for (const ext of ['shp', 'shx', 'dbf']) zip.addFile(join(dir, `${name}.${ext}`), `${name}.${ext}`)
    zip.addBuffer(Buffer.from(WGS84_PRJ), `${name}.prj`)
    zip.addBuffer(Buffer.from('UTF-8'), `${name}.cpg`)
    zip.end()
    return zip.outputStream as Readable
  })
}
