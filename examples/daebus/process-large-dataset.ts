/**
 * A long action that reports progress as it goes. Each `ctx.progress()` is a non-final Daebus
 * response (`"final": false`); the caller reads them with `stream()` (or `onProgress`), then the
 * final result. Leaving the loop early would cancel the job: the handler's ctx.signal aborts.
 *
 *   npx tsx examples/daebus/process-large-dataset.ts
 */
import { connect } from '../../src/index.js'
import { type ExampleOptions, runIfMain } from '../support.js'

export interface Dataset {
  process_large_dataset: {
    payload: { rows: number; chunkSize: number }
    progress: { processed: number; total: number }
    result: { processed: number; checksum: number }
  }
}

export async function main(options: ExampleOptions & { rows?: number } = {}) {
  const print = options.print ?? console.log
  const server = await connect({ url: options.url, codec: 'json' })
  const client = await connect({ url: options.url, codec: 'json' })
  try {
    const app = server.service<Dataset>('dataset_service')
    app.action('process_large_dataset', async ({ rows, chunkSize }, ctx) => {
      let checksum = 0
      for (let start = 0; start < rows; start += chunkSize) {
        if (ctx.signal.aborted) throw ctx.signal.reason
        const end = Math.min(rows, start + chunkSize)
        for (let row = start; row < end; row++) checksum = (checksum + row * 31) % 1_000_003
        await ctx.progress({ processed: end, total: rows })
      }
      return { processed: rows, checksum }
    })
    await app.start()

    const parts: Array<
      Dataset['process_large_dataset']['progress'] | Dataset['process_large_dataset']['result']
    > = []
    const job = client.caller<Dataset>('dataset_service', { timeoutMs: 30_000 })
    for await (const part of job.stream('process_large_dataset', {
      rows: options.rows ?? 10_000,
      chunkSize: 2_500,
    })) {
      parts.push(part)
      print('total' in part ? `progress: ${part.processed}/${part.total}` : `done: ${JSON.stringify(part)}`)
    }
    return { parts }
  } finally {
    await client.close()
    await server.close()
  }
}

runIfMain('process-large-dataset', main)
