/**
 * Node script, not part of the bundle: writes the SDF glyph ranges MapLibre loads from the style's
 * `glyphs` URL (web/public/glyphs/{fontstack}/{range}.pbf, copied into web/dist by Vite), so map labels
 * need no CDN. Run it again only to change the font or add ranges: `npm run glyphs`.
 *
 * No maintained npm package builds glyph PBFs without a native add-on that downloads prebuilt binaries
 * (fontnik), so the glyphs are drawn with @mapbox/tiny-sdf — the rasteriser MapLibre itself uses for
 * local glyphs — in Debian's chromium through playwright-core, from the font file given (DejaVu Sans
 * Bold from fonts-dejavu-core by default), with the metrics of MapLibre's glyph PBFs: 24 px, 3 px
 * buffer, radius 8, cutoff 0.25.
 */
import { mkdirSync, readFileSync, writeFileSync, copyFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PbfWriter } from 'pbf'
import { chromium } from 'playwright-core'

export interface SdfGlyph {
  id: number
  bitmap: Uint8Array
  width: number
  height: number
  left: number
  top: number
  advance: number
}

/** MapLibre shifts a glyph by its `top` from an origin above the em box; this puts the baseline where glyph PBFs do. */
const TOP_ADJUSTMENT = 27

/** Encodes one range of one fontstack as the glyphs protobuf (fontstack = 1: name, range, glyphs = 3). */
export function encodeGlyphRange(name: string, range: string, glyphs: SdfGlyph[]): Uint8Array {
  const pbf = new PbfWriter()
  pbf.writeMessage(1, (_: unknown, p: PbfWriter) => {
    p.writeStringField(1, name)
    p.writeStringField(2, range)
    for (const g of glyphs)
      p.writeMessage(3, (_: unknown, q: PbfWriter) => {
        q.writeVarintField(1, g.id)
        if (g.bitmap.length) q.writeBytesField(2, g.bitmap)
        q.writeVarintField(3, g.width)
        q.writeVarintField(4, g.height)
        q.writeSVarintField(5, g.left)
        q.writeSVarintField(6, g.top)
        q.writeVarintField(7, g.advance)
      }, undefined)
  }, undefined)
  return pbf.finish()
}

/** Draws code points [start, end] of a font file as SDF glyphs in chromium. Control characters are left out. */
export async function drawGlyphs(fontFile: string, start: number, end: number, chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium'): Promise<SdfGlyph[]> {
  const tinySdf = readFileSync(fileURLToPath(import.meta.resolve('@mapbox/tiny-sdf')), 'utf8').replace('export default class TinySDF', 'class TinySDF')
  const font = readFileSync(fontFile).toString('base64')
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu'] })
  try {
    const page = await browser.newPage()
    await page.setContent('<!doctype html><html><body></body></html>')
    await page.addScriptTag({ type: 'module', content: `${tinySdf}\nwindow.TinySDF = TinySDF` })
    await page.waitForFunction(() => 'TinySDF' in window)
    const raw = await page.evaluate(async ({ font, start, end }) => {
      const face = new FontFace('gw-glyphs', `url(data:font/ttf;base64,${font})`)
      document.fonts.add(await face.load())
      type Drawn = { data: Uint8ClampedArray; glyphWidth: number; glyphHeight: number; glyphTop: number; glyphLeft: number; glyphAdvance: number }
      const Sdf = (window as unknown as { TinySDF: new (o: object) => { draw(c: string): Drawn } }).TinySDF
      const sdf = new Sdf({ fontSize: 24, buffer: 3, radius: 8, cutoff: 0.25, fontFamily: 'gw-glyphs' })
      const out = []
      for (let id = start; id <= end; id++) {
        if (id < 0x20 || (id >= 0x7f && id < 0xa0) || id === 0xad) continue
        const g = sdf.draw(String.fromCodePoint(id))
        out.push({ id, bitmap: Array.from(g.data), width: g.glyphWidth, height: g.glyphHeight, left: g.glyphLeft, top: g.glyphTop, advance: g.glyphAdvance })
      }
      return out
    }, { font, start, end })
    return raw.map((g) => ({
      id: g.id,
      // a glyph without ink (the space) carries no bitmap, as in glyph PBFs
      bitmap: g.width && g.height ? Uint8Array.from(g.bitmap) : new Uint8Array(0),
      width: g.width,
      height: g.height,
      left: Math.round(g.left),
      top: Math.round(g.top - TOP_ADJUSTMENT),
      advance: Math.round(g.advance),
    }))
  } finally {
    await browser.close()
  }
}

async function main() {
  const root = fileURLToPath(new URL('../../', import.meta.url))
  const fontFile = process.env.GLYPH_FONT ?? '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'
  const fontstack = process.env.GLYPH_FONTSTACK ?? 'DejaVuSans-Bold'
  const licence = process.env.GLYPH_LICENCE ?? '/usr/share/doc/fonts-dejavu-core/copyright'
  const out = join(root, 'public', 'glyphs', fontstack)
  mkdirSync(out, { recursive: true })
  for (const [a, b] of [[0, 255]] as const) {
    const glyphs = await drawGlyphs(fontFile, a, b)
    writeFileSync(join(out, `${a}-${b}.pbf`), encodeGlyphRange(fontstack, `${a}-${b}`, glyphs))
    console.log(`${fontstack}/${a}-${b}.pbf: ${glyphs.length} glyphs`)
  }
  if (existsSync(licence)) copyFileSync(licence, join(out, 'LICENSE.txt'))
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main()
