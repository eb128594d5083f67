import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { ClosedError, MalformedMessageError, type SwitchboardError } from '../../src/errors.js'
import type { Instrumentation } from '../../src/observe/instrumentation.js'
import type { Logger } from '../../src/observe/logger.js'
import { deferred, uniq, until, withTimeout } from '../helpers/wait.js'
import { activeChannels, listenJson, publishRaw, recordingLogger } from '../rpc/harness.js'
import { recording } from './recording-instrumentation.js'

let url: string
let buses: Bus[]
beforeEach(() => {
  url = `memory://${uniq('rpc-observe')}`
  buses = []
})
afterEach(async () => {
  await Promise.allSettled(buses.map((bus) => bus.close()))
})

async function bus(
  options: { instrumentation?: Instrumentation; logger?: Logger; closeTimeoutMs?: number } = {},
) {
  const made = await connect({ url, logger: recordingLogger(), ...options })
  buses.push(made)
  return made
}

describe('the caller side: called(service, action, outcome, durationMs), and caller.stats() as its view', () => {
  test('success, remote_error, timeout, no_responder and cancelled, each once; a late reply is a drop', async () => {
    const server = await bus()
    const never = deferred()
    const app = server
      .service('calc')
      .action('ok', () => 1)
      .action('boom', () => {
        throw Object.assign(new Error('no'), { code: 'E_NO' })
      })
      .action('hang', () => never.promise)
    await app.start()
    const { instrumentation, of } = recording()
    const client = await bus({ instrumentation })
    const calc = client.caller('calc', { timeoutMs: 5_000 })
    await calc.request('ok', {})
    await calc.request('boom', {}).catch(() => {})
    await calc.request('hang', {}, { timeoutMs: 20 }).catch(() => {})
    await client
      .caller('nobody')
      .request('x', {})
      .catch(() => {})
    const controller = new AbortController()
    const cancelled = calc.request('hang', {}, { signal: controller.signal }).catch(() => {})
    controller.abort()
    await cancelled
    const called = of('called')
    expect(called.map(([service, action, outcome]) => [service, action, outcome])).toEqual([
      ['calc', 'ok', 'success'],
      ['calc', 'boom', 'remote_error'],
      ['calc', 'hang', 'timeout'],
      ['nobody', 'x', 'no_responder'],
      ['calc', 'hang', 'cancelled'],
    ])
    for (const [, , , durationMs] of called) expect(durationMs).toBeGreaterThanOrEqual(0)
    // Timed for real when an instrumentation listens: the timed-out call took its timeout at least.
    expect(called[2]?.[3]).toBeGreaterThan(0)
    expect(calc.stats().calls).toEqual({
      success: 1,
      remote_error: 1,
      timeout: 1,
      no_responder: 1,
      cancelled: 1,
      failed: 0,
    })
    // The timed-out request's handler answers at last: a late reply, dropped and counted as such.
    // (The cancelled one sends none, once its cancel has arrived: four requests and the cancel.)
    await until(() => app.stats().received === 5, 'the cancel to reach the service')
    never.resolve()
    await until(() => calc.stats().lateReplies === 1, 'the late reply')
    expect(of('dropped')).toEqual([['late', 1]])
  })

  test('a malformed reply takes the bus error path: logged at warn when nobody listens, counted once', async () => {
    const logger = recordingLogger()
    const { instrumentation, of } = recording()
    const client = await bus({ instrumentation, logger })
    await listenJson(client, 'mute')
    const caller = client.caller('mute', { timeoutMs: 20 })
    await caller.request('x', {}).catch(() => {})
    const [replyTo] = await activeChannels(client, 'caller:*')
    await publishRaw(client, replyTo as string, 'not json at all')
    await until(() => caller.stats().malformedReplies === 1, 'the malformed reply')
    expect(of('reported').map(([e]) => (e as SwitchboardError).code)).toEqual(['MALFORMED_MESSAGE'])
    expect(logger.records.filter((r) => r.level === 'warn' || r.level === 'error')).toEqual([
      expect.objectContaining({ level: 'warn', obj: expect.objectContaining({ code: 'MALFORMED_MESSAGE' }) }),
    ])
    expect(client.stats().malformed).toBe(1)
  })

  test("close() fails pending requests with ClosedError once the bus's closeTimeoutMs has passed", async () => {
    const server = await bus()
    const never = deferred()
    await server
      .service('stuck')
      .action('wait', () => never.promise)
      .start()
    const client = await bus({ closeTimeoutMs: 50 })
    const pending = client
      .caller('stuck', { timeoutMs: 60_000 })
      .request('wait', {})
      .catch((e: unknown) => e)
    await until(async () => (await activeChannels(client, 'caller:*')).length === 1, 'the request to go out')
    await withTimeout(client.close(), 'close()')
    // Before, the client waited a fixed 10 s of its own, past close() and this bound.
    expect(await withTimeout(pending, 'the pending request to fail')).toBeInstanceOf(ClosedError)
    never.resolve()
  })
})

describe('the service side: handled, skipped and load, and app.stats() as their view', () => {
  test('one outcome per request: success, failed, unknown_action, overloaded, deadline_exceeded, cancelled', async () => {
    const { instrumentation, of } = recording()
    const server = await bus({ instrumentation })
    const release = deferred()
    const app = server
      .service('work', { concurrency: 1, maxQueue: 1 })
      .action('ok', () => 'fine')
      .action('fail', () => {
        throw new Error('broken')
      })
      .action('block', () => release.promise)
    await app.start()
    const caller = (await bus()).caller('work', { timeoutMs: 60_000 })
    await caller.request('ok', {})
    await caller.request('fail', {}).catch(() => {})
    await caller.request('none', {}).catch(() => {})
    const blocking = caller.request('block', {})
    await until(() => app.stats().inFlight === 1, 'the blocking request to run')
    const controller = new AbortController()
    const queued = caller.request('ok', {}, { signal: controller.signal }).catch(() => {})
    await until(() => app.stats().queued === 1, 'one request to queue')
    await caller.request('ok', {}).catch(() => {})
    controller.abort()
    await queued
    await until(() => app.stats().cancelled === 1, 'the queued request to be dropped')
    const client = await bus()
    const replyTo = `caller:${uniq()}`
    const replies = await listenJson<{ payload: { code: string } }>(client, replyTo)
    await publishRaw(client, app.instanceChannel, {
      action: 'ok',
      payload: {},
      reply_to: replyTo,
      request_id: uniq('late'),
      service: 'work',
      deadline: Date.now() - 60_000,
    })
    const [refusal] = await replies.take(1)
    expect(refusal?.payload.code).toBe('DEADLINE_EXCEEDED')
    release.resolve()
    await blocking
    expect(of('handled').map(([service, action, outcome]) => [service, action, outcome])).toEqual([
      ['work', 'ok', 'success'],
      ['work', 'fail', 'failed'],
      ['work', 'none', 'unknown_action'],
      ['work', 'ok', 'overloaded'],
      ['work', 'ok', 'cancelled'],
      ['work', 'ok', 'deadline_exceeded'],
      ['work', 'block', 'success'],
    ])
    expect(app.stats()).toMatchObject({
      succeeded: 2,
      failed: 1,
      unknownAction: 1,
      overloaded: 1,
      cancelled: 1,
      deadlineExceeded: 1,
      closed: 0,
      inFlight: 0,
      queued: 0,
    })
    // Every request and the one cancel message, on the service's two channels.
    expect(app.stats().received).toBe(8)
  })

  test('load(service, instance, inFlight, queued) follows the running and waiting requests, ending idle', async () => {
    const { instrumentation, of } = recording()
    const server = await bus({ instrumentation })
    const release = deferred()
    const app = server.service('gauge', { concurrency: 1 }).action('block', () => release.promise)
    await app.start()
    const caller = (await bus()).caller('gauge')
    const calls = [caller.request('block', {}), caller.request('block', {})]
    await until(() => app.stats().queued === 1, 'one running, one queued')
    release.resolve()
    await Promise.all(calls)
    expect(of('load')).toEqual([
      ['gauge', app.instanceId, 1, 0],
      ['gauge', app.instanceId, 1, 1],
      ['gauge', app.instanceId, 1, 0],
      ['gauge', app.instanceId, 0, 0],
    ])
  })

  test('a stopped service answers CLOSED, counted as closed', async () => {
    const { instrumentation, of } = recording()
    const server = await bus({ instrumentation })
    const started = deferred()
    const app = server.service('stopping').action('block', () => {
      started.resolve()
      return new Promise(() => {})
    })
    await app.start()
    const pending = (await bus())
      .caller('stopping', { timeoutMs: 60_000 })
      .request('block', {})
      .catch((e: unknown) => e)
    await withTimeout(started.promise, 'the handler to start')
    await app.stop({ timeoutMs: 0 })
    expect(await withTimeout(pending, 'the CLOSED answer')).toMatchObject({ code: 'CLOSED' })
    expect(of('handled').map(([, , outcome]) => outcome)).toEqual(['closed'])
    expect(app.stats().closed).toBe(1)
  })

  test('a request on the shared channel is handled by one instance and skipped by the other', async () => {
    const { instrumentation, of } = recording()
    const server = await bus({ instrumentation })
    const apps = ['a', 'b'].map((id) =>
      server.service('shared', { instanceId: id, claimGraceMs: 0 }).action('who', () => id),
    )
    for (const app of apps) await app.start()
    const client = await bus()
    const replyTo = `caller:${uniq()}`
    const replies = await listenJson(client, replyTo)
    await publishRaw(client, 'shared', {
      action: 'who',
      payload: {},
      reply_to: replyTo,
      request_id: uniq('daebus'),
      service: 'shared',
    })
    await replies.take(1)
    await until(() => of('skipped').length === 1, 'the other instance to skip it')
    expect(of('handled').map(([, , outcome]) => outcome)).toEqual(['success'])
    expect(of('skipped')).toEqual([['shared', 'who', 'claimed_elsewhere']])
    const stats = apps.map((app) => app.stats())
    expect(stats.map((s) => s.succeeded + s.claimedElsewhere)).toEqual([1, 1])
  })

  test("a malformed request reaches the bus 'error' event and is counted on the service and the bus", async () => {
    const { instrumentation, of } = recording()
    const server = await bus({ instrumentation })
    const errors: SwitchboardError[] = []
    server.on('error', (e) => errors.push(e))
    const app = server.service('strict').action('a', () => 1)
    await app.start()
    await publishRaw(await bus(), 'strict', '{"action": "a", "payl')
    await until(() => app.stats().malformed === 1, 'the malformed request')
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(MalformedMessageError)
    expect(errors[0]?.message).toMatch(/^malformed request to service "strict": request is not valid JSON/)
    expect(server.stats().malformed).toBe(1)
    expect(of('reported')).toHaveLength(1)
  })
})
