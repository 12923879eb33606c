// Worker-thread entry: runs one engine call and posts the result back (see run.ts).
import { parentPort } from 'node:worker_threads'
import { runEngine, type EngineInput } from './engine.js'

parentPort!.once('message', (input: EngineInput) => {
  try {
    const out = runEngine(input)
    parentPort!.postMessage({ ok: true, out }, [out.assignment.buffer as ArrayBuffer])
  } catch (err) {
    parentPort!.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) })
  }
})
