import { defineConfig } from 'vitest/config'

// One runner for the whole repo. Database tests open an embedded PostGIS (~1 GB, ~10 s) per file,
// so files run in at most two forked workers and hooks get generous timeouts.
export default defineConfig({
  test: {
    include: ['geo/**/*.test.ts', 'server/**/*.test.ts', 'fixtures/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'web/dist/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    reporters: ['default'],
  },
})
