import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { RemoteError, TimeoutError } from '../../src/errors.js'
import { pythonWith, runPython } from '../helpers/python.js'
import { RedisServer, redisServerBinary } from '../helpers/redis-server.js'
import { uniq } from '../helpers/wait.js'
import { Buses } from '../rpc/harness.js'

/** Python Daebus peers against switchboard, over a disposable redis-server. */
const python = pythonWith(['redis'], 'python3-redis')

describe.skipIf(!python || !redisServerBinary)('interop with Python Daebus peers (redis)', () => {
  let server: RedisServer
  let buses: Buses
  beforeAll(async () => {
    server = await RedisServer.start()
    buses = new Buses(server.url)
  })
  afterAll(async () => {
    await buses?.close()
    await server?.stop()
  })

  test('a Python caller calls a switchboard service: final, progress and error replies', async () => {
    const name = uniq('py_target')
    const bus = await buses.connect()
    await bus
      .service(name)
      .action('get_status', () => ({ cpu: 12.5, healthy: true }))
      .action('process_large_dataset', async (p: { items: number }, ctx) => {
        for (let i = 1; i <= p.items; i++) await ctx.progress({ processed: i, total: p.items })
        return { processed: p.items }
      })
      .action('process_data', (p: { data: unknown[] }) => {
        if (p.data.length === 0) throw Object.assign(new Error('input is empty'), { code: 'EMPTY_INPUT' })
        return p.data.length
      })
      .start()
    const { exited } = runPython('daebus_caller.py', ['127.0.0.1', String(server.port), name])
    const { code, stdout, stderr } = await exited
    expect(code, stderr).toBe(0)
    const results = JSON.parse(stdout) as Record<string, Record<string, unknown>>
    expect(results.final).toEqual({
      receivers: 1,
      keys: ['status', 'payload', 'request_id', 'final'],
      status: 'success',
      payload: { cpu: 12.5, healthy: true },
      progress: [],
    })
    expect(results.progress).toMatchObject({
      status: 'success',
      payload: { processed: 3 },
      progress: [
        { processed: 1, total: 3 },
        { processed: 2, total: 3 },
        { processed: 3, total: 3 },
      ],
    })
    expect(results.error).toMatchObject({
      status: 'error',
      payload: { error: 'input is empty', code: 'EMPTY_INPUT' },
    })
    // Daebus drops an unknown action and its caller times out; switchboard answers.
    expect(results.unknown).toMatchObject({ status: 'error', payload: { code: 'UNKNOWN_ACTION' } })
  })

  test('a Python responder answers a switchboard caller: progress, final and error', async () => {
    const name = uniq('py_service')
    const py = runPython('daebus_responder.py', ['127.0.0.1', String(server.port), name])
    await py.ready
    const caller = (await buses.connect()).caller(name, { timeoutMs: 5000 })
    const progress: unknown[] = []
    expect(await caller.request('add', { a: 2, b: 3 }, { onProgress: (p) => progress.push(p) })).toEqual({
      sum: 5,
    })
    expect(progress).toEqual([{ partial: 2 }])
    const parts: unknown[] = []
    for await (const part of caller.stream('add', { a: 10, b: 1 })) parts.push(part)
    expect(parts).toEqual([{ partial: 10 }, { sum: 11 }])
    const error = await caller.request('fail', {}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RemoteError)
    expect(error).toMatchObject({ message: 'python says no', remoteCode: undefined })
    // Daebus drops unknown actions: all a caller can do is time out, and it names what it waited for.
    await expect(caller.request('unknown', {}, { timeoutMs: 100 })).rejects.toThrow(TimeoutError)
    expect(await caller.request('quit', {})).toEqual({ bye: true })
    expect((await py.exited).code).toBe(0)
  })
})
