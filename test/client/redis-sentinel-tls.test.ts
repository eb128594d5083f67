import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import type { ConnectOptions } from '../../src/client/connect-options.js'
import { ConnectionError } from '../../src/errors.js'
import { ConsoleLogger } from '../../src/observe/console-logger.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { makeCertificates, type TestCertificates } from '../helpers/tls-certs.js'
import { uniq, until } from '../helpers/wait.js'
import { SentinelProcess } from '../transport/sentinel-process.js'

/**
 * Issue 9 point 8: Sentinel over TLS works, or is refused with a clear error. Here the primary
 * and the Sentinel serve TLS only, and the bus is given the CA (`redis.tls`); `redis+sentinel://`
 * has no TLS form of its own. Giving `redis.tls` says the master speaks TLS, and the Sentinels
 * too unless `redis.sentinelTls` says otherwise.
 */
describeRedis('Bus through a Sentinel over TLS', () => {
  const name = 'sbtls'
  let certs: TestCertificates
  let primary: RedisServer
  /** Serves TLS only. */
  let tlsSentinel: SentinelProcess
  /** Serves clients on a plain port, and reaches the primary over TLS. */
  let plainSentinel: SentinelProcess
  const buses: Bus[] = []

  beforeAll(async () => {
    certs = makeCertificates()
    primary = await RedisServer.start(['--tls-replication', 'yes'], { tls: certs })
    tlsSentinel = await SentinelProcess.start(name, primary.port, { tls: certs })
    plainSentinel = await SentinelProcess.start(name, primary.port, { tls: certs, plainPort: true })
  })
  afterEach(async () => {
    await Promise.allSettled(buses.splice(0).map((bus) => bus.close()))
  })
  afterAll(async () => {
    await Promise.all([tlsSentinel?.stop(), plainSentinel?.stop(), primary?.stop()])
    certs?.remove()
  })

  /** A bus through `sentinel` with these Redis options, or the error connect() rejected with. */
  function open(sentinel: SentinelProcess, redis: ConnectOptions['redis']): Promise<Bus | Error> {
    return connect({
      url: `redis+sentinel://127.0.0.1:${sentinel.port}/${name}`,
      redis: { connectTimeoutMs: 2_000, ...redis },
      logger: new ConsoleLogger('error'),
    }).then(
      (bus) => {
        buses.push(bus)
        return bus
      },
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    )
  }

  /** A message round trip: subscribe, publish, receive. */
  async function roundTrip(bus: Bus): Promise<void> {
    const ch = uniq('tls-sentinel')
    const got: string[] = []
    await bus.subscribe(ch, (data) => got.push(String(data)))
    expect(await bus.publish(ch, 'over TLS')).toBe(1)
    await until(() => got.includes('over TLS'), 'a message through the Sentinel over TLS')
  }

  /** Connects with the CA given; checks a message round trip, or a refusal that names TLS. */
  async function worksOrRefusedClearly(sentinel: SentinelProcess): Promise<void> {
    const outcome = await open(sentinel, { tls: { ca: certs.ca } })
    if (outcome instanceof Error) {
      expect(outcome.message).toMatch(/TLS/)
      return
    }
    await roundTrip(outcome)
  }

  it('the harness: both Sentinels name the TLS primary, one over TLS, one in plain', () => {
    for (const sentinel of [tlsSentinel, plainSentinel]) {
      expect(sentinel.cli('sentinel', 'get-master-addr-by-name', name)).toBe(`127.0.0.1\n${primary.port}`)
    }
  })

  // Issue 9 point 8: redis.tls used to be ignored for redis+sentinel://: refused with "read ECONNRESET".
  it('TLS Sentinels and a TLS primary: works, or is refused with an error that says TLS', async () => {
    await worksOrRefusedClearly(tlsSentinel)
  })

  // Issue 9 point 8: the primary used to be reached in plain text whatever redis.tls said.
  it('a plain Sentinel and a TLS primary: works, or is refused with an error that says TLS', async () => {
    await worksOrRefusedClearly(plainSentinel)
  })

  it('redis.tls alone: the Sentinels and the primary are both reached over TLS, and messages flow', async () => {
    const bus = await open(tlsSentinel, { tls: { ca: certs.ca } })
    if (bus instanceof Error) throw bus
    await roundTrip(bus)
  })

  it('redis.tls alone and a plain Sentinel: refused with a ConnectionError that says TLS and how to say plain', async () => {
    const error = await open(plainSentinel, { tls: { ca: certs.ca }, connectTimeoutMs: 1_000 })
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as Error).message).toMatch(
      /asked over TLS, as redis\.sentinelTls says \(it follows redis\.tls unless given\); set it to false/,
    )
  })

  it('redis.sentinelTls: false reaches a plain Sentinel, and the primary still over TLS', async () => {
    const bus = await open(plainSentinel, { tls: { ca: certs.ca }, sentinelTls: false })
    if (bus instanceof Error) throw bus
    await roundTrip(bus)
  })

  it('redis.sentinelTls takes settings of its own: the Sentinels are checked against them', async () => {
    const other = makeCertificates()
    try {
      // The Sentinel's certificate is not signed by this other CA: the Sentinels' own settings
      // are the ones used for them, so it is refused, though the primary's settings would pass.
      const error = await open(tlsSentinel, {
        tls: { ca: certs.ca },
        sentinelTls: { ca: other.ca },
        connectTimeoutMs: 1_000,
      })
      expect(error).toBeInstanceOf(ConnectionError)
      expect((error as Error).message).toMatch(/asked over TLS.*certificate/)
      const bus = await open(tlsSentinel, { tls: { ca: certs.ca }, sentinelTls: { ca: certs.ca } })
      if (bus instanceof Error) throw bus
      await roundTrip(bus)
    } finally {
      other.remove()
    }
  })

  it('without redis.tls, a TLS primary is not reached: the refusal still comes within the deadline', async () => {
    const error = await open(plainSentinel, { connectTimeoutMs: 1_000 })
    expect(error).toBeInstanceOf(ConnectionError)
  })
})
