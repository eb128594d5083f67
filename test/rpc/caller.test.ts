import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import {
  BufferOverflowError,
  CancelledError,
  ClosedError,
  MalformedMessageError,
  NoResponderError,
  RemoteError,
  SwitchboardError,
  TimeoutError,
} from '../../src/errors.js'
import { deferred, uniq, until } from '../helpers/wait.js'
import { activeChannels, Buses, listenJson, publishRaw } from './harness.js'

let buses: Buses
beforeEach(() => {
  buses = new Buses()
})
afterEach(async () => {
  vi.useRealTimers()
  await buses.close()
})

describe('request()', () => {
  test('resolves to the final response of the action', async () => {
    const server = await buses.connect()
    const app = server.service('calc').action('add', (p: { a: number; b: number }) => p.a + p.b)
    await app.start()
    const client = await buses.connect()
    expect(await client.caller('calc').request('add', { a: 2, b: 3 })).toBe(5)
  })

  test('sends the deadline with the request: 5000 ms from now by default', async () => {
    const bus = await buses.connect()
    const seen = await listenJson<{ deadline: number; reply_to: string }>(bus, 'silent')
    const controller = new AbortController()
    const before = Date.now()
    const pending = bus.caller('silent').request('x', {}, { signal: controller.signal })
    pending.catch(() => {})
    const [envelope] = await seen.take(1)
    const after = Date.now()
    controller.abort()
    expect(envelope?.deadline).toBeGreaterThanOrEqual(before + 5000)
    expect(envelope?.deadline).toBeLessThanOrEqual(after + 5000)
  })

  test('times out after 5000 ms by default, with a TimeoutError naming service.action and the timeout', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const bus = await buses.connect()
    const seen = await listenJson(bus, 'sleepy')
    const pending = bus.caller('sleepy').request('nap', {})
    const outcome = pending.then(
      () => undefined,
      (error: unknown) => error,
    )
    await seen.take(1)
    vi.advanceTimersByTime(4999)
    vi.advanceTimersByTime(1)
    const error = await outcome
    expect(error).toBeInstanceOf(TimeoutError)
    expect(error).toMatchObject({
      code: 'TIMEOUT',
      message: 'request to sleepy.nap timed out after 5000 ms',
      timeoutMs: 5000,
      service: 'sleepy',
      action: 'nap',
    })
  })

  test('the caller option and the per-request option change the timeout', async () => {
    const bus = await buses.connect()
    await listenJson(bus, 'sleepy2')
    const caller = bus.caller('sleepy2', { timeoutMs: 30 })
    await expect(caller.request('a', {})).rejects.toThrow('request to sleepy2.a timed out after 30 ms')
    await expect(caller.request('b', {}, { timeoutMs: 40 })).rejects.toThrow(
      'request to sleepy2.b timed out after 40 ms',
    )
  })

  test('a thrown error becomes a RemoteError with the remote message and code', async () => {
    const server = await buses.connect()
    await server
      .service('failing')
      .action('boom', () => {
        throw Object.assign(new Error('disk full'), { code: 'E_DISK' })
      })
      .action('plain', async () => {
        throw new Error('no code here')
      })
      .start()
    const caller = (await buses.connect()).caller('failing')
    const error = await caller.request('boom', {}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RemoteError)
    expect(error).toMatchObject({
      code: 'REMOTE',
      message: 'disk full',
      remoteCode: 'E_DISK',
      service: 'failing',
      action: 'boom',
    })
    await expect(caller.request('plain', {})).rejects.toMatchObject({
      message: 'no code here',
      remoteCode: undefined,
    })
  })

  test('PUBLISH reaching 0 receivers fails at once with NoResponderError, not after the timeout', async () => {
    const bus = await buses.connect()
    // A one-minute timeout: waiting it out would fail this test by its own 20 s limit.
    const error = await bus
      .caller('nobody_home', { timeoutMs: 60_000 })
      .request('ping', {})
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NoResponderError)
    expect(error).toMatchObject({ code: 'NO_RESPONDER', service: 'nobody_home', action: 'ping' })
    expect(bus.caller('nobody_home').stats().pending).toBe(0)
  })

  test('onProgress receives each progress value, in order, before the promise resolves', async () => {
    const server = await buses.connect()
    await server
      .service('jobs')
      .action('count', async (p: { to: number }, ctx) => {
        for (let i = 1; i <= p.to; i++) await ctx.progress({ done: i })
        return 'finished'
      })
      .start()
    const progress: unknown[] = []
    const result = await (await buses.connect())
      .caller('jobs')
      .request('count', { to: 3 }, { onProgress: (p) => progress.push(p) })
    expect(result).toBe('finished')
    expect(progress).toEqual([{ done: 1 }, { done: 2 }, { done: 3 }])
  })

  test('an onProgress callback that throws is logged and does not break the request', async () => {
    const server = await buses.connect()
    await server
      .service('jobs2')
      .action('one', async (_p, ctx) => {
        await ctx.progress(1)
        return 'ok'
      })
      .start()
    const caller = (await buses.connect()).caller('jobs2')
    await expect(
      caller.request(
        'one',
        {},
        {
          onProgress: () => {
            throw new Error('bad callback')
          },
        },
      ),
    ).resolves.toBe('ok')
  })

  test('a request to a closed bus rejects with ClosedError', async () => {
    const bus = await buses.connect()
    const caller = bus.caller('x')
    await bus.close()
    await expect(caller.request('a', {})).rejects.toBeInstanceOf(ClosedError)
    await expect(caller.send('a', {})).rejects.toBeInstanceOf(ClosedError)
  })

  test('a payload that cannot be encoded rejects without publishing', async () => {
    const bus = await buses.connect()
    await listenJson(bus, 'enc')
    await expect(bus.caller('enc').request('a', { f: () => 1 })).rejects.toMatchObject({ code: 'ENCODE' })
    expect(bus.caller('enc').stats().pending).toBe(0)
  })
})

describe('stream()', () => {
  test('yields the progress values, then the final value', async () => {
    const server = await buses.connect()
    await server
      .service('big')
      .action('process', async (p: { chunks: number }, ctx) => {
        for (let i = 0; i < p.chunks; i++) await ctx.progress({ chunk: i })
        return { total: p.chunks }
      })
      .start()
    const parts: unknown[] = []
    for await (const part of (await buses.connect()).caller('big').stream('process', { chunks: 3 }))
      parts.push(part)
    expect(parts).toEqual([{ chunk: 0 }, { chunk: 1 }, { chunk: 2 }, { total: 3 }])
  })

  test('an error response ends the stream with a RemoteError after the progress before it', async () => {
    const server = await buses.connect()
    await server
      .service('big2')
      .action('process', async (_p, ctx) => {
        await ctx.progress('step 1')
        throw new Error('corrupt chunk')
      })
      .start()
    const parts: unknown[] = []
    const stream = (await buses.connect()).caller('big2').stream('process', {})
    const error = await (async () => {
      for await (const part of stream) parts.push(part)
    })().catch((e: unknown) => e)
    expect(parts).toEqual(['step 1'])
    expect(error).toBeInstanceOf(RemoteError)
    expect(error).toMatchObject({ message: 'corrupt chunk' })
  })

  test('leaving the loop early cancels the request: the handler sees ctx.signal abort', async () => {
    const server = await buses.connect()
    const aborted = deferred<unknown>()
    await server
      .service('endless')
      .action('ticks', async (_p, ctx) => {
        ctx.signal.addEventListener('abort', () => aborted.resolve(ctx.signal.reason))
        for (let i = 0; !ctx.signal.aborted; i++) {
          await ctx.progress(i)
          await new Promise((r) => setImmediate(r))
        }
        return 'stopped'
      })
      .start()
    const seen: unknown[] = []
    for await (const tick of (await buses.connect()).caller('endless').stream('ticks', {})) {
      seen.push(tick)
      if (seen.length === 3) break
    }
    expect(seen).toEqual([0, 1, 2])
    expect(await withLimit(aborted.promise)).toBeInstanceOf(CancelledError)
  })

  test('a reader that falls behind past streamBufferSize fails with BufferOverflowError instead of growing', async () => {
    const server = await buses.connect()
    const app = server.service('flood')
    app.action('spew', async (_p, ctx) => {
      for (let i = 0; i < 50; i++) await ctx.progress(i)
      return 'end'
    })
    await app.start()
    const caller = (await buses.connect()).caller('flood', { streamBufferSize: 10 })
    const stream = caller.stream('spew', {})
    // Until the stream overflowed, which ends the request: the handler finishing says only that
    // the responses left, not that they all arrived.
    await until(() => caller.stats().pending === 0, 'the flood to overflow the stream')
    const parts: unknown[] = []
    const error = await (async () => {
      for await (const part of stream) parts.push(part)
    })().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(BufferOverflowError)
    expect(parts).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })
  test('the final value always reaches a full stream buffer: it is never dropped in silence', async () => {
    const server = await buses.connect()
    const app = server.service('fill')
    app.action('exact', async (_p, ctx) => {
      for (let i = 0; i < 5; i++) await ctx.progress(i)
      return 'final'
    })
    await app.start()
    const stream = (await buses.connect()).caller('fill', { streamBufferSize: 5 }).stream('exact', {})
    await until(() => app.stats().succeeded === 1, 'the action to finish')
    const parts: unknown[] = []
    for await (const part of stream) parts.push(part)
    expect(parts).toEqual([0, 1, 2, 3, 4, 'final'])
  })
})

describe('send()', () => {
  test('is fire-and-forget: reply_to is null, the handler runs, and no response comes back', async () => {
    const server = await buses.connect()
    const got = deferred<unknown>()
    const app = server.service('metrics').action('record', (p: unknown) => {
      got.resolve(p)
      return 'ignored'
    })
    await app.start()
    const client = await buses.connect()
    // The request goes to the one instance's own channel (see the balancing tests).
    const wire = await listenJson<{ reply_to: unknown }>(client, app.instanceChannel)
    await client.caller('metrics').send('record', { cpu: 0.5 })
    expect(await withLimit(got.promise)).toEqual({ cpu: 0.5 })
    const [envelope] = await wire.take(1)
    expect(envelope?.reply_to).toBeNull()
    expect(client.caller('metrics').stats()).toMatchObject({ pending: 0, lateReplies: 0 })
  })

  test('rejects with NoResponderError when nothing receives it', async () => {
    const bus = await buses.connect()
    await expect(bus.caller('void').send('x', {})).rejects.toBeInstanceOf(NoResponderError)
  })
})

describe('cancellation', () => {
  test('aborting rejects at once with CancelledError, and the service sees ctx.signal abort', async () => {
    const server = await buses.connect()
    const started = deferred()
    const aborted = deferred<unknown>()
    const app = server.service('slow').action('work', async (_p, ctx) => {
      ctx.signal.addEventListener('abort', () => aborted.resolve(ctx.signal.reason))
      started.resolve()
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve))
      return 'late'
    })
    await app.start()
    const client = await buses.connect()
    const controller = new AbortController()
    const pending = client
      .caller('slow', { timeoutMs: 60_000 })
      .request('work', {}, { signal: controller.signal })
    await withLimit(started.promise)
    controller.abort()
    const error = await pending.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CancelledError)
    expect(error).toMatchObject({ code: 'CANCELLED', message: 'request to slow.work was cancelled' })
    const reason = await withLimit(aborted.promise)
    expect(reason).toBeInstanceOf(CancelledError)
    // The handler returned after the abort, and its reply was not sent: nothing arrives late. The
    // request is counted once, as cancelled, when its handler returns.
    await until(() => app.stats().cancelled === 1 && app.stats().inFlight === 0, 'the handler to return')
    app.action('ping', () => 'pong')
    expect(await client.caller('slow').request('ping', {})).toBe('pong')
    expect(client.caller('slow').stats().lateReplies).toBe(0)
    expect(app.stats()).toMatchObject({ cancelled: 1, succeeded: 1 })
  })

  test('a request cancelled while queued never runs', async () => {
    const server = await buses.connect()
    const release = deferred()
    const ran: string[] = []
    const app = server.service('single', { concurrency: 1 })
    app.action('job', async (p: { id: string }) => {
      ran.push(p.id)
      if (p.id === 'first') await release.promise
      return p.id
    })
    await app.start()
    const caller = (await buses.connect()).caller('single')
    const first = caller.request('job', { id: 'first' })
    await until(() => app.stats().inFlight === 1, 'first to run')
    const controller = new AbortController()
    const second = caller.request('job', { id: 'second' }, { signal: controller.signal })
    await until(() => app.stats().queued === 1, 'second to queue')
    controller.abort()
    await expect(second).rejects.toBeInstanceOf(CancelledError)
    await until(() => app.stats().cancelled === 1, 'the service to drop it')
    expect(app.stats().queued).toBe(0)
    release.resolve()
    expect(await first).toBe('first')
    expect(await caller.request('job', { id: 'third' })).toBe('third')
    expect(ran).toEqual(['first', 'third'])
  })

  test('an already aborted signal rejects without publishing anything', async () => {
    const bus = await buses.connect()
    const wire = await listenJson(bus, 'never')
    const controller = new AbortController()
    controller.abort(new Error('user left'))
    const error = await bus
      .caller('never')
      .request('x', {}, { signal: controller.signal })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CancelledError)
    expect((error as CancelledError).cause).toEqual(new Error('user left'))
    await bus.caller('never').send('marker', {})
    const [only] = await wire.take(1)
    expect(only).toMatchObject({ action: 'marker' })
  })
})

describe('deadlines', () => {
  test('a request whose deadline has passed is skipped, with a DEADLINE_EXCEEDED reply', async () => {
    const server = await buses.connect()
    const ran: unknown[] = []
    const app = server.service('late_svc')
    app.action('work', (p: unknown) => ran.push(p))
    await app.start()
    const client = await buses.connect()
    const replyTo = `caller:${uniq()}`
    const replies = await listenJson(client, replyTo)
    await publishRaw(client, 'late_svc', {
      action: 'work',
      payload: 1,
      reply_to: replyTo,
      request_id: 'r-old',
      service: 'late_svc',
      // Past by more than the clock skew the service tolerates (maxClockSkewMs, 1000 by default).
      deadline: Date.now() - 5000,
    })
    const [reply] = await replies.take(1)
    expect(reply).toMatchObject({
      status: 'error',
      request_id: 'r-old',
      final: true,
      payload: { code: 'DEADLINE_EXCEEDED' },
    })
    expect(ran).toEqual([])
    expect(app.stats().deadlineExceeded).toBe(1)
  })

  test("ctx.deadline is the caller's, and ctx.signal aborts when it passes", async () => {
    const server = await buses.connect()
    const reason = deferred<unknown>()
    // Answers only once the test is over: an answer on abort, from this same process, could
    // otherwise arrive before the caller's own timeout fires.
    const release = deferred()
    const deadlines: (number | undefined)[] = []
    await server
      .service('deadline_svc')
      .action('wait', async (_p, ctx) => {
        deadlines.push(ctx.deadline)
        ctx.signal.addEventListener('abort', () => reason.resolve(ctx.signal.reason))
        await release.promise
      })
      .start()
    const before = Date.now()
    await expect(
      (await buses.connect()).caller('deadline_svc', { timeoutMs: 50 }).request('wait', {}),
    ).rejects.toBeInstanceOf(TimeoutError)
    expect(deadlines[0]).toBeGreaterThanOrEqual(before + 50)
    const error = await withLimit(reason.promise)
    release.resolve()
    expect(error).toBeInstanceOf(SwitchboardError)
    expect(error).toMatchObject({ code: 'DEADLINE_EXCEEDED' })
  })
})

describe('the reply channel', () => {
  test('late replies are dropped and counted', async () => {
    const server = await buses.connect()
    const release = deferred()
    await server
      .service('laggard')
      .action('slow', async () => {
        await release.promise
        return 'too late'
      })
      .start()
    const caller = (await buses.connect()).caller('laggard', { timeoutMs: 20 })
    await expect(caller.request('slow', {})).rejects.toBeInstanceOf(TimeoutError)
    expect(caller.stats().lateReplies).toBe(0)
    release.resolve()
    await until(() => caller.stats().lateReplies === 1, 'the late reply')
    expect(caller.stats().pending).toBe(0)
  })

  test('one reply channel per bus, shared by all its callers, subscribed on the first request', async () => {
    const bus = await buses.connect()
    const a = await listenJson<{ reply_to: string }>(bus, 'svc_a')
    const b = await listenJson<{ reply_to: string }>(bus, 'svc_b')
    const callerA = bus.caller('svc_a', { timeoutMs: 50 })
    const callerB = bus.caller('svc_b', { timeoutMs: 50 })
    expect(await activeChannels(bus, 'caller:*')).toEqual([])
    await Promise.allSettled([callerA.request('x', {}), callerB.request('y', {}), callerA.request('z', {})])
    const replyTos = [...(await a.take(2)), ...(await b.take(1))].map((e) => e.reply_to)
    expect(new Set(replyTos).size).toBe(1)
    expect(replyTos[0]).toMatch(/^caller:[0-9a-f-]{36}$/)
    expect(await activeChannels(bus, 'caller:*')).toEqual([replyTos[0]])
  })

  test('10,000 concurrent requests share it, and each gets its own answer', async () => {
    const server = await buses.connect()
    await server
      .service('echo', { concurrency: 100, maxQueue: 10_000 })
      .action('echo', (p: { i: number }) => ({ i: p.i, twice: p.i * 2 }))
      .start()
    const client = await buses.connect()
    const caller = client.caller('echo', { timeoutMs: 15_000 })
    const results = await Promise.all(Array.from({ length: 10_000 }, (_, i) => caller.request('echo', { i })))
    const wrong = results.filter(
      (r, i) => (r as { i: number }).i !== i || (r as { twice: number }).twice !== i * 2,
    )
    expect(wrong).toEqual([])
    expect(await activeChannels(client, 'caller:*')).toHaveLength(1)
    expect(caller.stats()).toEqual({
      pending: 0,
      lateReplies: 0,
      malformedReplies: 0,
      resent: 0,
      calls: { success: 10_000, remote_error: 0, timeout: 0, no_responder: 0, cancelled: 0, failed: 0 },
    })
  })

  test('a malformed response is dropped, counted, and reported on the bus error event', async () => {
    const bus = await buses.connect()
    await listenJson(bus, 'mute')
    const caller = bus.caller('mute', { timeoutMs: 50 })
    await caller.request('x', {}).catch(() => {})
    const [replyTo] = await activeChannels(bus, 'caller:*')
    const errors: unknown[] = []
    bus.on('error', (e) => errors.push(e))
    await publishRaw(bus, replyTo as string, 'not json at all')
    await until(() => caller.stats().malformedReplies === 1, 'the malformed reply')
    expect(errors[0]).toBeInstanceOf(MalformedMessageError)
  })
})

function withLimit<T>(promise: Promise<T>, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}
