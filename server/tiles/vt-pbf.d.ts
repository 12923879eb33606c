// vt-pbf ships no types; this is the one function we use.
declare module 'vt-pbf' {
  interface VtPbf {
    /** Encodes geojson-vt tiles (one per layer name) as a Mapbox Vector Tile. */
    fromGeojsonVt(layers: Record<string, unknown>, options?: { version?: number; extent?: number }): Uint8Array
  }
  const vtpbf: VtPbf
  export default vtpbf
}
