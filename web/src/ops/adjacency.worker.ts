/// <reference lib="webworker" />
import { unitAdjacency } from './adjacency.js'

// Off the main thread: hashing every unit edge of a 10k-unit plan takes a few hundred milliseconds.
self.onmessage = (e: MessageEvent<{ geometries: Array<GeoJSON.Geometry | null> }>) => {
  const { xadj, adjncy } = unitAdjacency(e.data.geometries)
  ;(self as unknown as Worker).postMessage({ xadj, adjncy }, [xadj.buffer, adjncy.buffer])
}
