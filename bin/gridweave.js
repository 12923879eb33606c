#!/usr/bin/env node
// Launcher for `npx gridweave …`: runs server/cli/main.ts through tsx, resolved from this package, so it
// works from any working directory; the exit code and stdio are the CLI's own.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(join(root, 'package.json'))
const tsx = join(dirname(require.resolve('tsx/package.json')), 'dist', 'cli.mjs')
const result = spawnSync(process.execPath, [tsx, join(root, 'server', 'cli', 'main.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
})
if (result.error) {
  process.stderr.write(`gridweave: cannot start tsx: ${result.error.message}\n`)
  process.exit(1)
}
process.exit(result.status ?? 1)
