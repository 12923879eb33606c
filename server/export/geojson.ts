/**
 * An RFC 7946 FeatureCollection as text chunks, one feature per line, from pages of feature text that
 * the database writes (repo/exports.ts geojsonPage: geometry in the right-hand rule, `id` = the first
 * column, properties in column order), so this only concatenates.
 */
export async function* geojsonChunks(pages: AsyncIterable<string>, name: string): AsyncGenerator<string> {
  yield `{"type":"FeatureCollection","name":${JSON.stringify(name)},"features":[\n`
  let first = true
  for await (const page of pages) {
    yield first ? page : `,\n${page}`
    first = false
  }
  yield '\n]}\n'
}
