import { Worker } from 'node:worker_threads'
import { afterAll, beforeAll } from 'vitest'
import { type Bundle, bundleTs } from '../helpers/run-cli.js'

/**
 * Runs the fast-check properties of a `*.props.ts` file, one per test, each in its own worker
 * thread: a decoder that loops forever then fails its test when the time is up, and one that
 * allocates without end fails it on the worker's own heap limit, instead of the whole run hanging
 * or dying. Call at the top of a test file; it bundles the file once for all its tests.
 */
export function fuzzWorker(entry: string): { run(property: string, timeoutMs?: number): Promise<void> } {
  let bundle: Bundle | undefined
  beforeAll(async () => {
    bundle = await bundleTs(entry)
  })
  afterAll(() => bundle?.remove())
  return {
    async run(property, timeoutMs = 15_000) {
      if (bundle === undefined) throw new Error(`${entry} was not bundled`)
      const thread = new Worker(bundle.file, {
        workerData: { property, runs: Number(process.env.FUZZ_RUNS ?? 300) },
        resourceLimits: { maxOldGenerationSizeMb: 512 },
      })
      let timer: NodeJS.Timeout | undefined
      try {
        const report = await new Promise<unknown>((resolve, reject) => {
          thread.once('message', resolve)
          thread.once('error', reject)
          timer = setTimeout(
            () => reject(new Error(`"${property}" did not finish in ${timeoutMs} ms: a decoder hangs`)),
            timeoutMs,
          )
        })
        if (report !== null) throw new Error(String(report))
      } finally {
        clearTimeout(timer)
        await thread.terminate()
      }
    },
  }
}
