// shpjs ships no types; only the two parsers used here are declared.
declare module 'shpjs' {
  export function parseShp(shp: Uint8Array | ArrayBuffer | DataView, prj?: string): unknown[]
  export function parseDbf(dbf: Uint8Array | ArrayBuffer | DataView, cpg?: string): Record<string, unknown>[]
}
