/**
 * A service whose action fails on bad input. Daebus drops a handler's exception, and its caller
 * waits out the timeout; switchboard sends an error response instead, with the message and the
 * error's `code`, and the caller gets a RemoteError at once.
 *
 *   npx tsx examples/daebus/process-data.ts
 */
import { connect, RemoteError } from '../../src/index.js'
import { type ExampleOptions, runIfMain } from '../support.js'

/** The service's action types, so that callers are checked too. */
export interface DataProcessor {
  process_data: { payload: { data: number[] }; result: { count: number; sum: number; mean: number } }
}

export async function main(options: ExampleOptions = {}) {
  const print = options.print ?? console.log
  const server = await connect({ url: options.url, codec: 'json' })
  const client = await connect({ url: options.url, codec: 'json' })
  try {
    const app = server.service<DataProcessor>('data_processor')
    app.action('process_data', ({ data }) => {
      if (!Array.isArray(data) || data.length === 0) {
        // A string `code` travels with the message: {"error": "...", "code": "EMPTY_INPUT"}.
        throw Object.assign(new Error('process_data needs a non-empty "data" array'), { code: 'EMPTY_INPUT' })
      }
      const sum = data.reduce((a, b) => a + b, 0)
      return { count: data.length, sum, mean: sum / data.length }
    })
    await app.start()

    const processor = client.caller<DataProcessor>('data_processor')
    const ok = await processor.request('process_data', { data: [3, 4, 8] })
    print(`processed: ${JSON.stringify(ok)}`)
    try {
      await processor.request('process_data', { data: [] })
      throw new Error('an empty input should have failed')
    } catch (error) {
      if (!(error instanceof RemoteError)) throw error
      print(`refused: ${error.message} (${error.remoteCode})`)
      return { ok, error: { message: error.message, code: error.remoteCode } }
    }
  } finally {
    await client.close()
    await server.close()
  }
}

runIfMain('process-data', main)
