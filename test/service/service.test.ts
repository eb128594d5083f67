import type { StandardSchemaV1 } from '@standard-schema/spec'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { connect } from '../../src/client/connect.js'
import { ClosedError, InvalidArgumentError, NoResponderError, RemoteError } from '../../src/errors.js'
import { ConsoleLogger } from '../../src/observe/console-logger.js'
import { Blueprint } from '../../src/service/blueprint.js'
import { Service } from '../../src/service/service.js'
import { deferred, uniq, until } from '../helpers/wait.js'
import { Buses, listenJson, publishRaw, recordingLogger } from '../rpc/harness.js'

let buses: Buses
beforeEach(() => {
  buses = new Buses()
})
afterEach(async () => {
  await buses.close()
})

/** A Daebus-style raw request on the shared channel, and the responses that come back. */
async function rawCall(
  service: string,
  action: string,
  payload: unknown,
  extra: Record<string, unknown> = {},
) {
  const client = await buses.connect()
  const replyTo = `caller:${uniq()}`
  const replies = await listenJson(client, replyTo)
  const requestId = uniq('req')
  await publishRaw(client, service, {
    action,
    payload,
    reply_to: replyTo,
    request_id: requestId,
    service,
    ...extra,
  })
  return { replies, requestId, replyTo, client }
}

describe('actions', () => {
  test('a returned value is one final success response, in Daebus form', async () => {
    const bus = await buses.connect()
    await bus
      .service('sys')
      .action('get_status', () => ({ cpu: 12.5, ok: true }))
      .start()
    const { replies, requestId } = await rawCall('sys', 'get_status', {})
    expect(await replies.take(1)).toEqual([
      { status: 'success', payload: { cpu: 12.5, ok: true }, request_id: requestId, final: true },
    ])
  })

  test('a thrown error is an error response with the message, and the code when it has one', async () => {
    const bus = await buses.connect()
    await bus
      .service('err')
      .action('coded', () => {
        throw Object.assign(new Error('quota exceeded'), { code: 'E_QUOTA' })
      })
      .action('plain', () => {
        throw new Error('just broken')
      })
      .start()
    const coded = await rawCall('err', 'coded', {})
    expect(await coded.replies.take(1)).toEqual([
      {
        status: 'error',
        payload: { error: 'quota exceeded', code: 'E_QUOTA' },
        request_id: coded.requestId,
        final: true,
      },
    ])
    const plain = await rawCall('err', 'plain', {})
    expect(await plain.replies.take(1)).toEqual([
      { status: 'error', payload: { error: 'just broken' }, request_id: plain.requestId, final: true },
    ])
  })

  test('ctx.progress() sends non-final responses, in order, before the final one', async () => {
    const bus = await buses.connect()
    await bus
      .service('prog')
      .action('run', async (_p, ctx) => {
        await ctx.progress({ pct: 50 })
        void ctx.progress({ pct: 99 })
        return { pct: 100 }
      })
      .start()
    const { replies, requestId } = await rawCall('prog', 'run', {})
    expect(await replies.take(3)).toEqual([
      { status: 'success', payload: { pct: 50 }, request_id: requestId, final: false },
      { status: 'success', payload: { pct: 99 }, request_id: requestId, final: false },
      { status: 'success', payload: { pct: 100 }, request_id: requestId, final: true },
    ])
  })

  test('an unknown action gets an error response naming the action and the service', async () => {
    const bus = await buses.connect()
    const app = bus.service('known').action('a', () => 1)
    await app.start()
    const { replies, requestId } = await rawCall('known', 'b', {})
    expect(await replies.take(1)).toEqual([
      {
        status: 'error',
        payload: { error: 'unknown action "b" on service "known"', code: 'UNKNOWN_ACTION' },
        request_id: requestId,
        final: true,
      },
    ])
    expect(app.stats().unknownAction).toBe(1)
  })

  test('a request that is not JSON is logged; one lacking fields also gets a BAD_REQUEST reply', async () => {
    const logger = recordingLogger()
    const bus = await buses.connect(logger)
    const app = bus.service('strict').action('a', () => 1)
    await app.start()
    const client = await buses.connect()
    await publishRaw(client, 'strict', '{"action": "a", "payl')
    await until(() => app.stats().malformed === 1, 'the first malformed request')
    expect(logger.records).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: expect.stringMatching(/^malformed request to service "strict": request is not valid JSON/),
      }),
    )
    const replyTo = `caller:${uniq()}`
    const replies = await listenJson(client, replyTo)
    await publishRaw(client, 'strict', {
      payload: {},
      reply_to: replyTo,
      request_id: 'r-7',
      service: 'strict',
    })
    expect(await replies.take(1)).toEqual([
      {
        status: 'error',
        payload: { error: 'request lacks "action" (a non-empty string)', code: 'BAD_REQUEST' },
        request_id: 'r-7',
        final: true,
      },
    ])
    expect(app.stats().malformed).toBe(2)
  })

  test('ctx carries the request id, reply channel, service, action and headers', async () => {
    const bus = await buses.connect()
    const seen = deferred<Record<string, unknown>>()
    await bus
      .service('ctx_svc')
      .action('look', (_p, ctx) => {
        seen.resolve({
          requestId: ctx.requestId,
          replyTo: ctx.replyTo,
          service: ctx.service,
          action: ctx.action,
          headers: ctx.headers,
          aborted: ctx.signal.aborted,
        })
      })
      .start()
    const { requestId, replyTo, replies } = await rawCall('ctx_svc', 'look', null, {
      headers: { traceparent: 't-1' },
    })
    await replies.take(1)
    expect(await seen.promise).toEqual({
      requestId,
      replyTo,
      service: 'ctx_svc',
      action: 'look',
      headers: { traceparent: 't-1' },
      aborted: false,
    })
  })

  test('payloads and results can carry TypedArrays (Redis Toolkit tagged JSON on the wire)', async () => {
    const bus = await buses.connect()
    await bus
      .service('math')
      .action('scale', (p: { v: Float64Array; k: number }) => {
        expect(p.v).toBeInstanceOf(Float64Array)
        return { scaled: p.v.map((x) => x * p.k), count: new Int16Array([p.v.length]) }
      })
      .start()
    const result = (await (
      await buses.connect()
    )
      .caller('math')
      .request('scale', { v: new Float64Array([1.5, 2, -4]), k: 2 })) as {
      scaled: Float64Array
      count: Int16Array
    }
    expect(result.scaled).toBeInstanceOf(Float64Array)
    expect([...result.scaled]).toEqual([3, 4, -8])
    expect(result.count).toBeInstanceOf(Int16Array)
    expect([...result.count]).toEqual([3])
  })

  test('a result that cannot be encoded becomes an error response saying so', async () => {
    const bus = await buses.connect()
    await bus
      .service('enc_svc')
      .action('fn', () => ({ f: () => 1 }))
      .start()
    const error = await (await buses.connect())
      .caller('enc_svc')
      .request('fn', {})
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RemoteError)
    expect(error).toMatchObject({
      code: 'ENCODE',
      remoteCode: 'ENCODE',
      message: expect.stringMatching(/^enc_svc\.fn produced a result that cannot be sent/),
    })
  })

  test('a Standard Schema on an action validates the payload: VALIDATION error, or the parsed value', async () => {
    const positive: StandardSchemaV1<unknown, { n: number }> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: (value) => {
          const n = (value as { n?: unknown })?.n
          return typeof n === 'number' && n > 0
            ? { value: { n: n * 10 } }
            : { issues: [{ message: 'n must be a positive number' }] }
        },
      },
    }
    const bus = await buses.connect()
    await bus
      .service('valid')
      .action('take', (p) => p.n, { schema: positive })
      .start()
    const caller = (await buses.connect()).caller('valid')
    expect(await caller.request('take', { n: 2 })).toBe(20)
    await expect(caller.request('take', { n: -1 })).rejects.toMatchObject({
      code: 'VALIDATION',
      remoteCode: 'VALIDATION',
      message: 'payload of valid.take failed validation: n must be a positive number',
    })
  })

  test('a fire-and-forget request whose handler throws is logged at error level', async () => {
    const logger = recordingLogger()
    const bus = await buses.connect(logger)
    const app = bus.service('ff').action('oops', () => {
      throw new Error('nobody hears this')
    })
    await app.start()
    await (await buses.connect()).caller('ff').send('oops', {})
    await until(() => app.stats().failed === 1, 'the handler to fail')
    expect(logger.records).toContainEqual(
      expect.objectContaining({ level: 'error', msg: 'ff.oops failed (fire-and-forget): nobody hears this' }),
    )
  })

  test('names are checked: duplicates and the reserved cancel action are refused', async () => {
    const bus = await buses.connect()
    const app = bus.service('dup').action('a', () => 1)
    expect(() => app.action('a', () => 2)).toThrow(InvalidArgumentError)
    expect(() => app.action('__cancel__', () => 2)).toThrow(/reserved/)
    expect(() => app.action('__actions__', () => 2)).toThrow(/reserved/)
    expect(() => new Service('', { bus })).toThrow(InvalidArgumentError)
  })

  test('an error too large to send is cut to fit, and the slot it held is free for the next request', async () => {
    const serviceBus = await connect({
      url: buses.url,
      maxPayloadBytes: 400,
      logger: new ConsoleLogger('silent'),
    })
    const callerBus = await buses.connect()
    try {
      const service = serviceBus.service(uniq('cut'), { concurrency: 1 })
      service.action('fail', () => {
        throw new Error('x'.repeat(1000))
      })
      service.action('ok', () => 1)
      await service.start()
      const caller = callerBus.caller(service.name, { timeoutMs: 2000 })
      const failure = await caller.request('fail', {}).catch((error: unknown) => error)
      expect(failure).toBeInstanceOf(RemoteError)
      expect((failure as RemoteError).message).toContain('(cut to fit maxPayloadBytes)')
      expect(await caller.request('ok', {})).toBe(1)
      expect(service.stats()).toMatchObject({ inFlight: 0, queued: 0, failed: 1, succeeded: 1 })
    } finally {
      await serviceBus.close()
    }
  })
})

describe('listen() and background()', () => {
  test('listen handlers run inside the service, for channels and patterns, and stop with it', async () => {
    const bus = await buses.connect()
    const got: string[] = []
    const app = bus
      .service('listener')
      .listen('system_events', (data: { kind: string }) => {
        got.push(`event:${data.kind}`)
      })
      .listen('sensor:*', (data: number, msg) => {
        got.push(`${msg.channel}=${data}`)
      })
    await app.start()
    const client = await buses.connect()
    await client.publish('system_events', { kind: 'boot' })
    await client.publish('sensor:temp', 21)
    await until(() => got.length === 2, 'both messages')
    expect(got.sort()).toEqual(['event:boot', 'sensor:temp=21'])
    await app.stop()
    expect(await client.numsub('system_events')).toBe(0)
    expect(await client.publish('sensor:temp', 22)).toBe(0)
  })

  test('background runs periodically, never overlaps itself, and goes on after an error', async () => {
    const logger = recordingLogger()
    const bus = await buses.connect(logger)
    let running = 0
    let overlapped = false
    let runs = 0
    const app = bus.service('bg').background('tick', 5, async () => {
      runs += 1
      running += 1
      if (running > 1) overlapped = true
      // Each run takes longer than the interval.
      await new Promise((r) => setTimeout(r, 15))
      running -= 1
      if (runs === 2) throw new Error('flaky sensor')
    })
    await app.start()
    await until(() => runs >= 5, 'five runs')
    await app.stop()
    expect(overlapped).toBe(false)
    expect(logger.records).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: 'background task "tick" failed; it runs again in 5 ms',
        obj: expect.objectContaining({ task: 'tick' }),
      }),
    )
  })

  test('stop() aborts the task signal and waits for the run to end', async () => {
    const bus = await buses.connect()
    const inRun = deferred()
    let ended = false
    const app = bus.service('bg2').background(
      'long',
      60_000,
      async (signal) => {
        inRun.resolve()
        await new Promise((resolve) => signal.addEventListener('abort', resolve))
        ended = true
      },
      { immediate: true },
    )
    await app.start()
    await inRun.promise
    await app.stop()
    expect(ended).toBe(true)
  })

  test('listen() and background() are refused after start()', async () => {
    const app = (await buses.connect()).service('late_reg')
    await app.start()
    expect(() => app.listen('x', () => {})).toThrow(/before start/)
    expect(() => app.background('t', 10, () => {})).toThrow(/before start/)
  })
})

describe('Blueprint', () => {
  test('app.use() adds its actions, listeners and background tasks', async () => {
    const bus = await buses.connect()
    const events: unknown[] = []
    const ticked = deferred()
    const users = new Blueprint('users')
      .action('create_user', (p: { name: string }) => ({ id: 1, name: p.name }))
      .listen('user_events', (data) => {
        events.push(data)
      })
      .background('cleanup', 60_000, () => ticked.resolve(), { immediate: true })
    const app = bus.service('user_service').use(users)
    await app.start()
    const client = await buses.connect()
    expect(await client.caller('user_service').request('create_user', { name: 'ada' })).toEqual({
      id: 1,
      name: 'ada',
    })
    await client.publish('user_events', 'joined')
    await until(() => events.length === 1, 'the event')
    await ticked.promise
  })

  test('a name clash is refused, and nothing of that blueprint is added', async () => {
    const bus = await buses.connect()
    const app = bus.service('clash').action('a', () => 'service')
    expect(() => app.use(new Blueprint('bp').action('b', () => 'bp').action('a', () => 'bp'))).toThrow(
      'blueprint "bp": service "clash" already has an action "a"',
    )
    await app.start()
    await expect((await buses.connect()).caller('clash').request('b', {})).rejects.toMatchObject({
      code: 'UNKNOWN_ACTION',
      remoteCode: 'UNKNOWN_ACTION',
    })
  })
})

describe('concurrency', () => {
  test('at most `concurrency` handlers run at once (default 10); the rest wait', async () => {
    const bus = await buses.connect()
    const release = deferred()
    let running = 0
    let most = 0
    const app = bus.service('pool').action('work', async () => {
      running += 1
      most = Math.max(most, running)
      await release.promise
      running -= 1
      return 'ok'
    })
    await app.start()
    const caller = (await buses.connect()).caller('pool')
    const calls = Array.from({ length: 25 }, () => caller.request('work', {}))
    await until(() => app.stats().inFlight + app.stats().queued === 25, 'all 25 to arrive')
    expect(app.stats()).toMatchObject({ inFlight: 10, queued: 15 })
    release.resolve()
    expect(await Promise.all(calls)).toHaveLength(25)
    expect(most).toBe(10)
  })

  test('beyond maxQueue a request gets an immediate OVERLOADED error', async () => {
    const bus = await buses.connect()
    const release = deferred()
    const app = bus.service('tiny', { concurrency: 1, maxQueue: 2 }).action('work', async () => {
      await release.promise
      return 'done'
    })
    await app.start()
    const caller = (await buses.connect()).caller('tiny', { timeoutMs: 60_000 })
    const calls = Array.from({ length: 5 }, () => caller.request('work', {}).catch((e: unknown) => e))
    await until(() => app.stats().overloaded === 2, 'two refusals')
    release.resolve()
    const outcomes = await Promise.all(calls)
    expect(outcomes.filter((o) => o === 'done')).toHaveLength(3)
    const refused = outcomes.filter((o) => o instanceof RemoteError)
    expect(refused).toHaveLength(2)
    expect(refused[0]).toMatchObject({
      code: 'OVERLOADED',
      remoteCode: 'OVERLOADED',
      message: expect.stringMatching(/service "tiny" is overloaded/),
    })
  })

  test('with concurrency 1, requests to one instance start in arrival order', async () => {
    const bus = await buses.connect()
    const order: number[] = []
    await bus
      .service('fifo', { concurrency: 1 })
      .action('n', async (p: { n: number }) => {
        order.push(p.n)
        await new Promise((r) => setImmediate(r))
        return p.n
      })
      .start()
    const caller = (await buses.connect()).caller('fifo')
    await Promise.all(Array.from({ length: 50 }, (_, n) => caller.request('n', { n })))
    expect(order).toEqual(Array.from({ length: 50 }, (_, n) => n))
  })

  test('options are checked', async () => {
    const bus = await buses.connect()
    expect(() => bus.service('bad', { concurrency: 0 })).toThrow(/concurrency must be a positive integer/)
  })
})

describe('lifecycle', () => {
  test('stop() stops intake at once and lets in-flight requests finish', async () => {
    const bus = await buses.connect()
    const started = deferred()
    const release = deferred()
    const app = bus.service('graceful').action('slow', async () => {
      started.resolve()
      await release.promise
      return 'finished'
    })
    await app.start()
    const caller = (await buses.connect()).caller('graceful')
    const inFlight = caller.request('slow', {})
    await started.promise
    const stopping = app.stop()
    await until(() => app.state === 'stopping', 'stopping')
    // Intake has stopped: nothing is subscribed any more.
    await expect(caller.request('slow', {})).rejects.toBeInstanceOf(NoResponderError)
    release.resolve()
    expect(await inFlight).toBe('finished')
    await stopping
    expect(app.state).toBe('stopped')
  })

  test('after stop timeoutMs, what still runs gets a CLOSED error reply and its signal aborts', async () => {
    const bus = await buses.connect()
    const started = deferred()
    const aborted = deferred()
    const app = bus.service('stubborn').action('forever', async (_p, ctx) => {
      ctx.signal.addEventListener('abort', () => aborted.resolve())
      started.resolve()
      await new Promise(() => {})
    })
    await app.start()
    // Caught at once: the CLOSED reply comes while stop() still waits for the handler to settle.
    const pending = (await buses.connect())
      .caller('stubborn', { timeoutMs: 60_000 })
      .request('forever', {})
      .catch((e: unknown) => e)
    await started.promise
    await app.stop({ timeoutMs: 30 })
    const error = await pending
    expect(error).toBeInstanceOf(RemoteError)
    expect(error).toMatchObject({
      remoteCode: 'CLOSED',
      message: 'service "stubborn" stopped after waiting 30 ms before stubborn.forever finished',
    })
    await aborted.promise
  })

  test('queued requests are still served during a graceful stop', async () => {
    const bus = await buses.connect()
    const release = deferred()
    const app = bus.service('drain', { concurrency: 1 }).action('job', async (p: number) => {
      await release.promise
      return p
    })
    await app.start()
    const caller = (await buses.connect()).caller('drain')
    const calls = [1, 2, 3].map((n) => caller.request('job', n))
    await until(() => app.stats().queued === 2, 'two queued')
    const stopping = app.stop()
    release.resolve()
    expect(await Promise.all(calls)).toEqual([1, 2, 3])
    await stopping
  })

  test('closing the bus lets in-flight requests finish and answer', async () => {
    const server = await buses.connect()
    const started = deferred()
    const release = deferred()
    await server
      .service('closing')
      .action('slow', async () => {
        started.resolve()
        await release.promise
        return 'done'
      })
      .start()
    const pending = (await buses.connect()).caller('closing', { timeoutMs: 1000 }).request('slow', {})
    await started.promise
    const closing = server.close()
    release.resolve()
    await closing
    expect(await pending).toBe('done')
  })

  test('closing the bus stops its services', async () => {
    const bus = await buses.connect()
    const app = bus.service('owned').action('a', () => 1)
    await app.start()
    await bus.close()
    expect(app.state).toBe('stopped')
    await app.stopped
  })

  test('start() twice is one start; start() after stop() is refused', async () => {
    const bus = await buses.connect()
    const app = bus.service('once').action('a', () => 1)
    await Promise.all([app.start(), app.start()])
    expect(await bus.numsub('once')).toBe(1)
    await app.stop()
    await expect(app.start()).rejects.toBeInstanceOf(ClosedError)
  })

  test('new Service(name, { bus }) works like bus.service()', async () => {
    const bus = await buses.connect()
    const app = new Service('direct', { bus, instanceId: 'i-1' })
    app.action('hi', () => 'hello')
    await app.start()
    expect(app.instanceChannel).toBe('direct:instance:i-1')
    expect(await (await buses.connect()).caller('direct').request('hi', {})).toBe('hello')
  })
})
