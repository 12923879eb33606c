import { Worker } from 'node:worker_threads'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { EngineInput, EngineOutput } from './engine.js'

const TS_ENTRY = new URL('./worker.ts', import.meta.url)
const JS_ENTRY = new URL('./worker.js', import.meta.url)

/**
 * Runs the engine in a worker thread. `signal` aborts it (the thread is terminated at once, mid-run).
 * The CPU-heavy partition never blocks the server's event loop.
 */
export function runInWorker(input: EngineInput, signal?: AbortSignal): Promise<EngineOutput> {
  const entry = existsSync(fileURLToPath(JS_ENTRY)) ? JS_ENTRY.href : TS_ENTRY.href
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('cancelled'))
    const worker = new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: { entry } })
    let settled = false
    const done = (fn: () => void) => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', onAbort)
      fn()
      void worker.terminate()
    }
    const onAbort = () => done(() => reject(new Error('cancelled')))
    signal?.addEventListener('abort', onAbort)
    worker.once('message', (m: { ok: true; out: EngineOutput } | { ok: false; error: string }) =>
      done(() => (m.ok ? resolve(m.out) : reject(new Error(m.error)))),
    )
    worker.once('error', (err) => done(() => reject(err)))
    worker.once('exit', (code) => done(() => reject(new Error(`the engine thread exited with code ${code}`))))
    worker.postMessage(input)
  })
}
