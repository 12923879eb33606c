/** Tiny raster images made in code (no files, no network): the hatch that marks locked grids. */
export function hatch(size = 12, colour: [number, number, number, number] = [40, 40, 40, 200]): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(size * size * 4)
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      // two-pixel diagonal stripes
      if ((x + y) % size < 2) data.set(colour, (y * size + x) * 4)
    }
  return { width: size, height: size, data }
}
