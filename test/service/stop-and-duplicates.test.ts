import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { RemoteError } from '../../src/errors.js'
import { deferred, uniq } from '../helpers/wait.js'
import { Buses, listenJson, publishRaw, recordingLogger } from '../rpc/harness.js'

let buses: Buses
beforeEach(() => {
  buses = new Buses()
})
afterEach(async () => {
  await buses.close()
})

/** A Daebus-style envelope from one reply channel; the same id twice is the same request twice. */
function envelope(service: string, replyTo: string, requestId: string, payload: unknown = null) {
  return { action: 'work', payload, reply_to: replyTo, request_id: requestId, service }
}

describe('a request published twice runs once', () => {
  test('a copy that arrives while the first runs, or after it finished, by either channel, is dropped', async () => {
    const bus = await buses.connect()
    const name = uniq('dup')
    const runs = new Map<string, number>()
    const started = deferred()
    const release = deferred()
    const app = bus.service(name).action('work', async (_p, ctx) => {
      runs.set(ctx.requestId, (runs.get(ctx.requestId) ?? 0) + 1)
      if (ctx.requestId === 'twice') {
        started.resolve()
        await release.promise
      }
      return ctx.requestId
    })
    await app.start()
    const client = await buses.connect()
    const replyTo = `caller:${uniq()}`
    const replies = await listenJson<{ request_id: string; status: string }>(client, replyTo)
    const twice = envelope(name, replyTo, 'twice')
    await publishRaw(client, app.instanceChannel, twice)
    await started.promise
    // While the first copy runs: a copy on the instance channel, and one on the shared channel,
    // whose claim nobody holds (the first copy came by the instance channel).
    await publishRaw(client, app.instanceChannel, twice)
    await publishRaw(client, name, twice)
    await publishRaw(client, app.instanceChannel, envelope(name, replyTo, 'marker-1'))
    expect((await replies.take(1))[0]?.request_id).toBe('marker-1')
    release.resolve()
    expect((await replies.take(2))[1]?.request_id).toBe('twice')
    // After it finished.
    await publishRaw(client, app.instanceChannel, twice)
    // The same request_id from another caller (another reply channel) is another request.
    const other = `caller:${uniq()}`
    const otherReplies = await listenJson<{ request_id: string }>(client, other)
    await publishRaw(client, app.instanceChannel, envelope(name, other, 'marker-2'))
    await otherReplies.take(1)
    // Replies go out in the order requests arrived: an answer to the last copy would be here by now.
    await publishRaw(client, app.instanceChannel, envelope(name, replyTo, 'marker-3'))
    const all = await replies.take(3)
    expect(all.map((r) => r.request_id)).toEqual(['marker-1', 'twice', 'marker-3'])
    expect(replies.items).toHaveLength(3)
    expect(runs.get('twice')).toBe(1)
  })

  test('with dedupeWindowMs: 0, only copies that arrive while the first is queued or running are dropped', async () => {
    const bus = await buses.connect()
    const name = uniq('dup0')
    let runs = 0
    const app = bus.service(name, { dedupeWindowMs: 0 }).action('work', () => {
      runs += 1
      return runs
    })
    await app.start()
    const client = await buses.connect()
    const replyTo = `caller:${uniq()}`
    const replies = await listenJson<{ payload: number }>(client, replyTo)
    await publishRaw(client, app.instanceChannel, envelope(name, replyTo, 'again'))
    await replies.take(1)
    await publishRaw(client, app.instanceChannel, envelope(name, replyTo, 'again'))
    expect((await replies.take(2)).map((r) => r.payload)).toEqual([1, 2])
  })
})

describe('stop() and the handlers still running', () => {
  test('stop() resolves only once every handler has settled, with a copy of a running request sent meanwhile', async () => {
    const bus = await buses.connect()
    const name = uniq('settle')
    let running = 0
    const runs: string[] = []
    const started = deferred()
    // The first run of 'r' waits for `first`, any later one for `later`: a copy that ran would
    // outlive the first, which is how stop() used to return early.
    const first = deferred()
    const later = deferred()
    const app = bus.service(name).action('work', async (_p, ctx) => {
      runs.push(ctx.requestId)
      if (ctx.requestId !== 'r') return 'marker'
      running += 1
      started.resolve()
      try {
        await (runs.filter((id) => id === 'r').length === 1 ? first.promise : later.promise)
      } finally {
        running -= 1
      }
      return 'r'
    })
    await app.start()
    const client = await buses.connect()
    const replyTo = `caller:${uniq()}`
    const replies = await listenJson<{ request_id: string }>(client, replyTo)
    await publishRaw(client, app.instanceChannel, envelope(name, replyTo, 'r'))
    await started.promise
    await publishRaw(client, app.instanceChannel, envelope(name, replyTo, 'r'))
    // Handled in arrival order: once the marker is answered, the copy has been dealt with.
    await publishRaw(client, app.instanceChannel, envelope(name, replyTo, 'marker'))
    await replies.take(1)
    const runningWhenStopped = app.stop().then(() => running)
    first.resolve()
    try {
      expect(await runningWhenStopped).toBe(0)
      expect(runs).toEqual(['r', 'marker'])
      expect((await replies.take(2)).map((r) => r.request_id)).toEqual(['marker', 'r'])
    } finally {
      later.resolve()
    }
  })

  test('stop({ timeoutMs }) with a handler that outlives it: a CLOSED reply, the signal aborts, and stop() waits for the handler to settle', async () => {
    const bus = await buses.connect()
    const name = uniq('outlive')
    const started = deferred()
    let settled = false
    const app = bus.service(name).action('work', async (_p, ctx) => {
      started.resolve()
      try {
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve))
        // Cleanup that takes a few turns of the event loop after the abort, as closing a file would.
        for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
        throw ctx.signal.reason
      } finally {
        settled = true
      }
    })
    await app.start()
    const pending = (await buses.connect())
      .caller(name, { timeoutMs: 60_000 })
      .request('work', {})
      .catch((e: unknown) => e)
    await started.promise
    await app.stop({ timeoutMs: 30 })
    expect(settled).toBe(true)
    expect(app.stats().inFlight).toBe(0)
    const error = await pending
    expect(error).toBeInstanceOf(RemoteError)
    expect(error).toMatchObject({ remoteCode: 'CLOSED' })
  })

  test('a handler that ignores its aborted signal: stop() resolves timeoutMs later, names it at error level, and inFlight still counts it', async () => {
    const logger = recordingLogger()
    const bus = await buses.connect(logger)
    const name = uniq('deaf')
    const started = deferred()
    const app = bus.service(name).action('work', async () => {
      started.resolve()
      await new Promise(() => {})
    })
    await app.start()
    const caller = (await buses.connect()).caller(name, { timeoutMs: 60_000 })
    const pending = caller.request('work', {}).catch((e: unknown) => e)
    await started.promise
    await app.stop({ timeoutMs: 30 })
    expect(app.state).toBe('stopped')
    expect(app.stats().inFlight).toBe(1)
    const report = logger.records.find((r) => r.level === 'error' && /still running/.test(r.msg ?? ''))
    expect(report?.obj.running).toEqual([{ action: 'work', requestId: expect.any(String) }])
    expect(await pending).toMatchObject({ remoteCode: 'CLOSED' })
  })
})
