/** A strong entity tag from its parts: `"plan-12-v7-grids-geojson"`. */
export function etag(...parts: (string | number)[]): string {
  return `"${parts.join('-')}"`
}

/**
 * Whether an `If-None-Match` header matches `tag` (RFC 9110 §13.1.2: weak comparison, a list, or `*`),
 * i.e. whether the client's copy is current and a 304 answers it.
 */
export function notModified(ifNoneMatch: string | string[] | undefined, tag: string): boolean {
  const bare = tag.replace(/^W\//, '')
  return entityTags(ifNoneMatch).some((t) => t === '*' || t === bare)
}

/** The tags of an `If-None-Match` header (a list, possibly repeated), trimmed and without the weak `W/` prefix. */
export function entityTags(ifNoneMatch: string | string[] | undefined): string[] {
  if (!ifNoneMatch) return []
  return (Array.isArray(ifNoneMatch) ? ifNoneMatch.join(',') : ifNoneMatch).split(',').map((t) => t.trim().replace(/^W\//, ''))
}
