import { afterEach, beforeEach, expect, it } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import type { ConnectOptions } from '../../src/client/connect-options.js'
import { ConnectionError, SlowConsumerError } from '../../src/errors.js'
import { ConsoleLogger } from '../../src/observe/console-logger.js'
import { busStatusLog } from '../helpers/bus-status.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { TcpProxy } from '../helpers/tcp-proxy.js'
import { Timeline } from '../helpers/timeline.js'
import { uniq, until, withTimeout } from '../helpers/wait.js'

/**
 * Issue 9 point 2: no link hangs, and `reconnected` means delivery works. The bus talks to Redis
 * through a TcpProxy that goes silent the way a frozen middlebox or a dead NAT entry does: no FIN,
 * no RST, the server healthy all along. Short timeouts keep each case to seconds: a liveness check
 * bounded by commandTimeoutMs (1 s) and an attempt bounded by connectTimeoutMs (1 s) both fit many
 * times into the 6 s waits below.
 */
const SHORT: ConnectOptions = {
  retry: { initialDelayMs: 20, maxDelayMs: 200 },
  redis: { commandTimeoutMs: 1_000, connectTimeoutMs: 1_000, closeTimeoutMs: 200 },
  closeTimeoutMs: 500,
  logger: new ConsoleLogger('error'),
}
const BOUND_MS = 6_000
/** Room for the bounded waits of one case to run out and say what they saw. */
const TEST_MS = 40_000

describeRedis('Bus on Redis through a network that goes silent', () => {
  let server: RedisServer
  let proxy: TcpProxy
  let timeline: Timeline
  const buses: Bus[] = []

  beforeEach(async () => {
    server = await RedisServer.start()
    proxy = await TcpProxy.start({ port: server.port })
    timeline = new Timeline()
  })
  afterEach(async () => {
    // Report only: how long each case took to recover, for the README's figures.
    console.info(`${expect.getState().currentTestName}: ${timeline}`)
    // The proxy goes first: it cuts the frozen links, so that closing the buses waits on nothing.
    await proxy.close()
    await Promise.allSettled(buses.splice(0).map((bus) => bus.close()))
    await server.stop()
  })

  async function open(url: string): Promise<Bus> {
    const bus = await connect({ url, ...SHORT })
    buses.push(bus)
    return bus
  }

  /** A bus through the proxy, subscribed to `names`; what it receives is in `got`. */
  async function subscribed(...names: string[]) {
    const bus = await open(proxy.url)
    const log = busStatusLog(bus, timeline)
    const got: string[] = []
    for (const name of names) await bus.subscribe(name, (data) => got.push(String(data)))
    return { bus, log, got }
  }

  /** Connection attempts of one link (told apart by CLIENT SETNAME) that the black hole took. */
  const swallowed = (role: 'cmd' | 'sub') =>
    proxy.history.filter((c) => c.blackholed && c.greeting.includes(`switchboard:${role}`)).length

  // Issue 9 point 2: today the frozen subscriber is never noticed (0 messages for 45 s).
  it(
    'a subscriber connection frozen without FIN/RST is noticed: it is remade and delivery resumes',
    async () => {
      const ch = uniq('frozen')
      const { log, got } = await subscribed(ch)
      // The publisher goes straight to the server: only the subscriber's path is faulty.
      const direct = await open(server.url)
      await direct.publish(ch, 'before')
      await until(() => got.includes('before'), 'the message before the freeze')

      expect(proxy.freeze((c) => c.greeting.includes('switchboard:sub'))).toHaveLength(1)
      timeline.mark('froze the subscriber connection')
      let sent = 0
      await timeline.explain(
        until(
          async () => {
            sent += 1
            await direct.publish(ch, `after ${sent}`)
            return got.some((m) => m.startsWith('after'))
          },
          'a message published after the freeze',
          BOUND_MS,
        ),
      )
      timeline.mark('first message delivered after the freeze')
      // The bus said so: the subscriber link dropped and came back; and a link switchboard found
      // dead is no slow consumer.
      await timeline.explain(log.next('reconnected', 1, BOUND_MS))
      expect(log.types.filter((t) => t !== 'error').slice(0, 2)).toEqual(['disconnected', 'reconnected'])
      expect(log.of('error').filter((s) => s.error instanceof SlowConsumerError)).toEqual([])
    },
    TEST_MS,
  )

  // Issue 9 point 2: today an attempt whose handshake is never answered waits forever.
  it(
    'a reconnect attempt into a black hole has a deadline: it is retried, and the bus recovers once the black hole ends',
    async () => {
      const ch = uniq('blackhole')
      const { bus, log, got } = await subscribed(ch)
      expect(await bus.publish(ch, 'before')).toBe(1)
      await until(() => got.includes('before'), 'the message before the black hole')

      proxy.blackhole(true)
      proxy.cut()
      timeline.mark('cut every connection; new ones go into the black hole')
      await timeline.explain(log.next('disconnected', 1, BOUND_MS))
      // The first attempt of each link is accepted and never answered. With a deadline on each
      // attempt (connect plus handshake), each link gives up on it and tries again.
      await timeline.explain(
        until(
          () => swallowed('cmd') >= 2 && swallowed('sub') >= 2,
          'a second attempt of the command and the subscriber links into the black hole',
          BOUND_MS,
        ),
      )
      timeline.mark('both links retried inside the black hole')

      proxy.blackhole(false)
      timeline.mark('black hole off')
      await timeline.explain(log.next('reconnected', 1, BOUND_MS))
      expect(await bus.publish(ch, 'after')).toBe(1)
      await timeline.explain(until(() => got.includes('after'), 'the message after the black hole'))
    },
    TEST_MS,
  )

  // Issue 9 point 2: today connect() into a black hole never settles, whatever connectTimeoutMs says.
  it(
    'the first connect into a black hole fails with ConnectionError: connectTimeoutMs bounds the handshake too',
    async () => {
      proxy.blackhole(true)
      timeline.mark('black hole on; connect()')
      const settled = connect({ url: proxy.url, ...SHORT }).then(
        (bus) => {
          buses.push(bus)
          return bus
        },
        (error: unknown) => error,
      )
      const outcome = await timeline.explain(withTimeout(settled, 'connect() to settle', BOUND_MS))
      timeline.mark('connect() settled')
      expect(outcome).toBeInstanceOf(ConnectionError)
      expect((outcome as Error).message).toMatch(/timed out|timeout/i)
    },
    TEST_MS,
  )

  // Issue 9 point 2: today the subscriber link's handshake has no deadline either.
  it(
    'a first subscribe whose connection goes into a black hole fails with ConnectionError, and a later one works',
    async () => {
      const bus = await open(proxy.url)
      proxy.blackhole(true)
      timeline.mark('black hole on; subscribe()')
      const ch = uniq('first-sub')
      const got: string[] = []
      const settled = bus
        .subscribe(ch, (data) => got.push(String(data)))
        .then(
          () => undefined,
          (error: unknown) => error,
        )
      const outcome = await timeline.explain(withTimeout(settled, 'subscribe() to settle', BOUND_MS))
      timeline.mark('subscribe() settled')
      expect(outcome).toBeInstanceOf(ConnectionError)
      proxy.blackhole(false)
      await bus.subscribe(ch, (data) => got.push(String(data)))
      expect(await bus.publish(ch, 'after')).toBe(1)
      await until(() => got.includes('after'), 'the message after the black hole')
    },
    TEST_MS,
  )

  // Issue 9 point 2: today `reconnected` fires once the command link is back, the subscriber still frozen.
  it(
    '`reconnected` fires only once publish and every subscription work again',
    async () => {
      const ch = uniq('whole')
      const { bus, log, got } = await subscribed(ch, `${ch}:*`)
      expect(await bus.publish(ch, 'before')).toBe(1)
      await until(() => got.includes('before'), 'the message before the freeze')

      expect(proxy.freeze().length).toBeGreaterThanOrEqual(2)
      timeline.mark('froze every connection')
      await timeline.explain(log.next('reconnected', 1, BOUND_MS))
      // Right after `reconnected`: publish works, and so do the channel and the pattern.
      expect(await bus.publish(ch, 'after')).toBe(1)
      expect(await bus.publish(`${ch}:x`, 'after-pattern')).toBe(1)
      await timeline.explain(
        until(
          () => got.includes('after') && got.includes('after-pattern'),
          'both messages published right after reconnected',
        ),
      )
      timeline.mark('both delivered')
    },
    TEST_MS,
  )
})
