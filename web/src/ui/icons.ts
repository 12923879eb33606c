/**
 * Inline SVG icons: no icon font and no emoji (an intranet machine may have no emoji font, and emoji
 * render as empty boxes there). Each icon is decorative; the text next to it carries the meaning.
 */
const PATHS = {
  lock: 'M5 7V5a3 3 0 0 1 6 0v2h1v7H4V7h1zm2 0h2V5a1 1 0 0 0-2 0v2z',
  unlock: 'M5 7V5a3 3 0 0 1 5.8-1l-1.9.7A1 1 0 0 0 7 5v2h5v7H4V7h1z',
  user: 'M8 8a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm-5 6c0-3 2.2-5 5-5s5 2 5 5H3z',
} as const

export function icon(name: keyof typeof PATHS): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg')
  svg.setAttribute('viewBox', '0 0 16 16')
  svg.setAttribute('width', '14')
  svg.setAttribute('height', '14')
  svg.setAttribute('aria-hidden', 'true')
  svg.setAttribute('class', 'gw-svg')
  const p = document.createElementNS('http://www.w3.org/2000/svg', 'path')
  p.setAttribute('d', PATHS[name])
  p.setAttribute('fill', 'currentColor')
  svg.append(p)
  return svg
}
