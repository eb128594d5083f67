import { Worker } from 'node:worker_threads'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { type Bundle, bundleTs } from '../helpers/run-cli.js'

// The reader's loop runs on whatever a server sends: a bug there hangs the connection's thread.
// The properties run in a worker, which is stopped if it does not finish in time.

let worker: Bundle
beforeAll(async () => {
  worker = await bundleTs('test/fuzz/resp-reader-fuzz.worker.ts')
})
afterAll(() => worker?.remove())

test('the RESP reader survives random and mutated bytes, and reads valid streams in any chunks', async () => {
  // Its own heap limit: a reader that allocates without end fails this test, not the test run.
  const thread = new Worker(worker.file, { resourceLimits: { maxOldGenerationSizeMb: 256 } })
  let timer: NodeJS.Timeout | undefined
  try {
    const report = await new Promise<unknown>((resolve, reject) => {
      thread.once('message', resolve)
      thread.once('error', reject)
      timer = setTimeout(
        () => reject(new Error('the RESP reader fuzz did not finish in 15 s: a loop hangs')),
        15_000,
      )
    })
    expect(report).toBeNull()
  } finally {
    clearTimeout(timer)
    await thread.terminate()
  }
})
