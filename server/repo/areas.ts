import type { Queryable } from '../db/index.js'
import type { AreaLevel } from '../schemas/areas.js'

const SQL: Record<AreaLevel, string> = {
  district: `SELECT d.code, d.name, NULL AS parent, ST_AsGeoJSON(d.geom, 6)::json AS geometry
               FROM districts d WHERE ($1::text IS NULL OR d.code = $1) ORDER BY d.code`,
  jurisdiction: `SELECT j.code, j.name, d.code AS parent, ST_AsGeoJSON(j.geom, 6)::json AS geometry
               FROM jurisdictions j JOIN districts d ON d.id = j.district_id
              WHERE ($1::text IS NULL OR d.code = $1) ORDER BY j.code`,
  community: `SELECT c.code, c.name, j.code AS parent, ST_AsGeoJSON(c.geom, 6)::json AS geometry
               FROM communities c JOIN jurisdictions j ON j.id = c.jurisdiction_id JOIN districts d ON d.id = j.district_id
              WHERE ($1::text IS NULL OR d.code = $1) ORDER BY c.code`,
}

/** Outlines of one administrative level as an RFC 7946 FeatureCollection. */
export async function areasGeoJSON(db: Queryable, level: AreaLevel, district?: string) {
  const { rows } = await db.query<{ code: string; name: string; parent: string | null; geometry: unknown }>(SQL[level], [
    district ?? null,
  ])
  return {
    type: 'FeatureCollection' as const,
    features: rows.map((r) => ({
      type: 'Feature' as const,
      id: r.code,
      geometry: r.geometry,
      properties: { code: r.code, name: r.name, level, parent: r.parent },
    })),
  }
}
