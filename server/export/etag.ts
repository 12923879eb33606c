/** A strong entity tag from its parts: `"plan-12-v7-grids-geojson"`. */
export function etag(...parts: (string | number)[]): string {
  return `"${parts.join('-')}"`
}

/**
 * Whether an `If-None-Match` header matches `tag` (RFC 9110 §13.1.2: weak comparison, a list, or `*`),
 * i.e. whether the client's copy is current and a 304 answers it.
 */
export function notModified(ifNoneMatch: string | string[] | undefined, tag: string): boolean {
  if (!ifNoneMatch) return false
  const header = Array.isArray(ifNoneMatch) ? ifNoneMatch.join(',') : ifNoneMatch
  const bare = tag.replace(/^W\//, '')
  return header.split(',').some((t) => {
    const s = t.trim()
    return s === '*' || s.replace(/^W\//, '') === bare
  })
}
