/**
 * Debian's chromium for the browser tests and the editor bench: headless with SwiftShader GL (no GPU), a
 * fresh profile folder, and no request allowed to leave 127.0.0.1. No vitest here, so a bench can use it.
 */
import { chromium, type BrowserContext, type Page } from 'playwright-core'

/** apt-get install chromium fonts-noto-cjk; never `npx playwright install`. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium'
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
]

/**
 * Chromium on the profile folder `profile`, in Chinese, with its first page. Requests that leave
 * 127.0.0.1 (other than data: and blob:) are blocked; they and page errors are listed in `problems`.
 * `acceptDownloads` is Playwright's own default when not given.
 */
export async function launchChromium(
  profile: string,
  opts: { viewport: { width: number; height: number }; acceptDownloads?: boolean },
): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: FLAGS, locale: 'zh-CN', viewport: opts.viewport,
    ...(opts.acceptDownloads === undefined ? {} : { acceptDownloads: opts.acceptDownloads }),
  })
  const page = context.pages()[0] ?? (await context.newPage())
  const problems: string[] = []
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url())
    if (u.protocol === 'data:' || u.protocol === 'blob:' || u.hostname === '127.0.0.1') return route.continue()
    problems.push(`external request blocked: ${u.href}`)
    return route.abort()
  })
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
  return { context, page, problems }
}
