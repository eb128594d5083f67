import { afterEach, describe, expect, it } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { InvalidArgumentError, MalformedMessageError, type SwitchboardError } from '../../src/errors.js'
import type { PubSubBus } from '../../src/pubsub/pubsub-bus.js'
import type { OverflowInfo } from '../../src/pubsub/subscription.js'
import { collector, deferred, uniq, until, withTimeout } from '../helpers/wait.js'
import { FakeTransport, fakeBus } from '../pubsub/fake-transport.js'
import { recordingLogger } from '../rpc/harness.js'
import { recording } from './recording-instrumentation.js'

const TEXT = { name: 'text', encode: (v: unknown) => Buffer.from(String(v)), decode: (b: Uint8Array) => b }

let buses: Array<Bus | PubSubBus> = []
afterEach(async () => {
  await Promise.allSettled(buses.map((bus) => bus.close()))
  buses = []
})

async function busWith(options: Parameters<typeof connect>[0] & object): Promise<Bus> {
  const bus = await connect({ url: `memory://${uniq('observe')}`, ...options })
  buses.push(bus)
  return bus
}

async function publishMany(bus: Bus, ch: string, n: number): Promise<void> {
  const batch = bus.batch()
  for (let i = 0; i < n; i++) batch.publish(ch, i)
  await batch.exec()
}

describe('ConnectOptions.instrumentation hears every message', () => {
  it('published by channel (each channel of a multi-channel publish, each message of a batch), delivered by subscription with its pattern', async () => {
    const { instrumentation, of } = recording()
    const bus = await busWith({ instrumentation })
    const [a, b] = [uniq('a'), uniq('b')]
    const got = collector<string>(4)
    await bus.subscribe(a, () => got.push('exact'))
    await bus.subscribe(`${a.slice(0, -3)}*`, () => got.push('pattern'))
    await bus.publish([a, b], 1)
    await bus.batch().publish(a, 2).publish(b, 3).exec()
    await withTimeout(got.done, 'four deliveries')
    expect(of('published')).toEqual([
      [a, 1],
      [b, 1],
      [a, 1],
      [b, 1],
    ])
    expect(of('delivered')).toHaveLength(4)
    expect(of('delivered')).toContainEqual([a, `${a.slice(0, -3)}*`])
    expect(of('delivered')).toContainEqual([a, undefined])
    expect(bus.stats()).toMatchObject({ published: 4, delivered: 4 })
  })

  it('a partial instrumentation is enough, and a non-function event is refused before connecting', async () => {
    const published: string[] = []
    const bus = await busWith({ instrumentation: { published: (channel) => published.push(channel) } })
    const ch = uniq('ch')
    await bus.publish(ch, 1)
    expect(published).toEqual([ch])
    await expect(
      connect({ url: `memory://${uniq('bad')}`, instrumentation: { link: 'yes' as never } }),
    ).rejects.toBeInstanceOf(InvalidArgumentError)
  })
})

describe('drops are counted in messages', () => {
  it('10,050 messages into an unread subscription: 50 dropped on the subscription, the bus and the instrumentation; one overflow report', async () => {
    const { instrumentation, of } = recording()
    const bus = await busWith({ instrumentation })
    const ch = uniq('flood')
    const reports: OverflowInfo[] = []
    bus.on('overflow', (info) => reports.push(info))
    const unread = await bus.subscribe(ch)
    const last = deferred<void>()
    await bus.subscribe(ch, (d) => {
      if (d === 10_049) last.resolve()
    })
    await publishMany(bus, ch, 10_050)
    await withTimeout(last.promise, 'all 10,050 delivered')
    expect(unread.stats.dropped).toBe(50)
    expect(bus.stats().dropped).toBe(50)
    const drops = of('dropped')
    expect(new Set(drops.map(([reason]) => reason))).toEqual(new Set(['overflow']))
    expect(drops.reduce((sum, [, n]) => sum + (n as number), 0)).toBe(50)
    expect(reports).toHaveLength(1)
    expect(bus.stats().delivered).toBe(20_100)
  })

  it("a handler's backlog discarded by close() is counted as dropped, with reason 'closed'", async () => {
    const { instrumentation, of } = recording()
    const bus = await busWith({ instrumentation, closeTimeoutMs: 50, logger: recordingLogger() })
    const ch = uniq('stuck')
    const started = deferred<void>()
    const sub = await bus.subscribe(ch, () => {
      started.resolve()
      return new Promise(() => {})
    })
    await publishMany(bus, ch, 3)
    await until(() => sub.stats.received === 3, 'three received')
    await withTimeout(started.promise, 'the handler to start')
    await bus.close()
    expect(of('dropped')).toEqual([['closed', 2]])
    expect(sub.stats.dropped).toBe(2)
    expect(bus.stats().dropped).toBe(2)
  })

  it('a message that fails its schema is dropped as invalid: counted on the subscription and the bus', async () => {
    const { instrumentation, of } = recording()
    const bus = await busWith({ instrumentation, logger: recordingLogger() })
    const ch = uniq('typed')
    const ok = deferred<void>()
    const sub = await bus.subscribe(ch, () => ok.resolve(), {
      schema: {
        '~standard': {
          version: 1,
          vendor: 'test',
          validate: (v) => (v === 'good' ? { value: v } : { issues: [{ message: 'not good' }] }),
        },
      },
    })
    await bus.publish(ch, 'bad')
    await bus.publish(ch, 'good')
    await withTimeout(ok.promise, 'the good message')
    expect(of('dropped')).toEqual([['invalid', 1]])
    expect(sub.stats).toMatchObject({ received: 2, invalid: 1, dropped: 0 })
    expect(bus.stats()).toMatchObject({ invalid: 1, dropped: 0 })
  })
})

describe('transport link states reach the instrumentation', () => {
  it('connected, disconnected and reconnected, and bus.stats().reconnects counts the returns', async () => {
    const { instrumentation, of } = recording()
    const transport = new FakeTransport()
    const bus = await fakeBus(transport, { instrumentation })
    buses.push(bus)
    transport.emitStatus({ type: 'disconnected', error: new Error('gone') })
    transport.emitStatus({ type: 'reconnected' })
    transport.emitStatus({ type: 'disconnected', error: undefined })
    transport.emitStatus({ type: 'reconnected' })
    expect(of('link')).toEqual([
      ['connected'],
      ['disconnected'],
      ['reconnected'],
      ['disconnected'],
      ['reconnected'],
    ])
    expect(bus.stats().reconnects).toBe(2)
  })
})

describe('one error path: counted by code, then the error listeners, else the log at the level of its code', () => {
  /** A bus with a malformed message and a handler that throws, both on their way. */
  async function twoErrors(listen: boolean) {
    const { instrumentation, of } = recording()
    const logger = recordingLogger()
    const bus = await busWith({ instrumentation, logger, codec: 'json' })
    const emitted: SwitchboardError[] = []
    if (listen) bus.on('error', (e) => emitted.push(e))
    const ch = uniq('errors')
    const handled = deferred<void>()
    await bus.subscribe(ch, (d) => {
      if (d === 'throw') {
        handled.resolve()
        throw new Error('handler broke')
      }
    })
    await bus.publish(ch, 'not json {', { codec: TEXT })
    await bus.publish(ch, 'throw')
    await withTimeout(handled.promise, 'the throwing handler')
    await until(() => of('reported').length === 2, 'two reports')
    const logged = logger.records.filter((r) => r.level === 'warn' || r.level === 'error')
    return { bus, emitted, logged, reported: of('reported').map(([e]) => (e as SwitchboardError).code) }
  }

  it('with no listener: each is logged once, a malformed message at warn and a handler error at error', async () => {
    const { bus, emitted, logged, reported } = await twoErrors(false)
    expect(emitted).toEqual([])
    expect(logged.map((r) => [r.level, r.obj.code])).toEqual([
      ['warn', 'MALFORMED_MESSAGE'],
      ['error', 'SUBSCRIBER'],
    ])
    expect(reported).toEqual(['MALFORMED_MESSAGE', 'SUBSCRIBER'])
    expect(bus.stats()).toMatchObject({ malformed: 1, handlerErrors: 1 })
  })

  it('with a listener: each is emitted once and not logged, and counted the same', async () => {
    const { bus, emitted, logged, reported } = await twoErrors(true)
    expect(emitted.map((e) => e.code)).toEqual(['MALFORMED_MESSAGE', 'SUBSCRIBER'])
    expect(emitted[0]).toBeInstanceOf(MalformedMessageError)
    expect(logged).toEqual([])
    expect(reported).toEqual(['MALFORMED_MESSAGE', 'SUBSCRIBER'])
    expect(bus.stats()).toMatchObject({ malformed: 1, handlerErrors: 1 })
  })

  it('a transport error takes the same path: counted, and logged at error when nobody listens', async () => {
    const { instrumentation, of } = recording()
    const logger = recordingLogger()
    const transport = new FakeTransport()
    const bus = await fakeBus(transport, { instrumentation, logger })
    buses.push(bus)
    transport.emitStatus({ type: 'error', error: new Error('read ECONNRESET') })
    expect(of('reported').map(([e]) => (e as SwitchboardError).code)).toEqual(['CONNECTION'])
    expect(logger.records.filter((r) => r.level === 'error').map((r) => r.obj.code)).toEqual(['CONNECTION'])
  })
})
