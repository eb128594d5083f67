import { afterEach, beforeEach, expect, it } from 'vitest'
import { ClosedError, ConnectionError } from '../../src/errors.js'
import { RedisTransport } from '../../src/transport/redis/redis-transport.js'
import { bytes } from '../contract/inbox.js'
import { describeRedis, freePort, RedisServer } from '../helpers/redis-server.js'
import { uniq, withTimeout } from '../helpers/wait.js'
import { connectedTransport, FAST, type Fixture } from './redis-fixtures.js'

/** The error a promise rejects with (undefined if it resolves), handled from the start. */
const settled = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  )

/** Bound for "rejects promptly": far above what it takes, far below a hang. */
const PROMPT_MS = 2_000

describeRedis('RedisTransport while the server is away', () => {
  let server: RedisServer
  const fixtures: Fixture[] = []
  const open = async (): Promise<Fixture> => {
    const f = await connectedTransport(server.url)
    fixtures.push(f)
    return f
  }

  beforeEach(async () => {
    server = await RedisServer.start()
  })
  afterEach(async () => {
    await Promise.all(fixtures.splice(0).map((f) => f.t.close()))
    await server.stop()
  })

  it('rejects publish, publishBatch and other commands at once with ConnectionError, then works again', async () => {
    const { t, statuses } = await open()
    const ch = uniq('offline')
    await t.subscribe('channel', [ch])
    await server.kill()
    await statuses.next('disconnected')

    const calls: Array<[string, Promise<unknown>]> = [
      ['publish', settled(t.publish(ch, bytes('x')))],
      ['publishBatch', settled(t.publishBatch([[ch, bytes('x')]]))],
      ['numsub', settled(t.numsub([ch]))],
      ['channels', settled(t.channels('*'))],
      ['claim', settled(t.claim(uniq('k'), 1_000))],
      ['readClaim', settled(t.readClaim(uniq('k')))],
      ['subscribe', settled(t.subscribe('channel', [uniq('new')]))],
      ['psubscribe', settled(t.subscribe('pattern', [`${uniq('new')}*`]))],
    ]
    for (const [name, call] of calls) {
      const error = await withTimeout(call, `${name} to reject`, PROMPT_MS)
      expect(error, name).toBeInstanceOf(ConnectionError)
      expect((error as ConnectionError).url, name).toBe(server.url)
      expect((error as Error).message, name).toContain(server.url)
    }

    await server.restart()
    await statuses.next('reconnected')
    expect(await t.publish(ch, bytes('x'))).toBe(1)
  })

  it('rejects a publish in flight when the connection drops under it', async () => {
    const { t } = await open()
    server.pause()
    const pending = settled(t.publish(uniq('inflight'), bytes('x')))
    // SIGKILL works on a stopped process; its sockets close.
    await server.kill()
    const error = await withTimeout(pending, 'the publish to reject', PROMPT_MS)
    expect(error).toBeInstanceOf(ConnectionError)
  })

  it('refused connection: connect() rejects with ConnectionError naming the URL, without retrying', async () => {
    const port = await freePort()
    const t = new RedisTransport(`redis://127.0.0.1:${port}`, FAST)
    const error = await withTimeout(settled(t.connect()), 'connect to fail', PROMPT_MS)
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as ConnectionError).url).toBe(`redis://127.0.0.1:${port}`)
    expect((error as Error).message).toMatch(new RegExp(`redis://127\\.0\\.0\\.1:${port}.*ECONNREFUSED`))
    await t.close()
  })

  it('never shows the password: not in url, not in errors', async () => {
    const port = await freePort()
    const t = new RedisTransport(`redis://app:hunter2@127.0.0.1:${port}`, FAST)
    expect(t.url).toBe(`redis://app:***@127.0.0.1:${port}`)
    const error = await settled(t.connect())
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as Error).message).toContain(`redis://app:***@127.0.0.1:${port}`)
    expect((error as Error).message).not.toContain('hunter2')
    await t.close()
  })

  it('a wrong password fails connect() with the server reason', async () => {
    server.cli('config', 'set', 'requirepass', 'right')
    const t = new RedisTransport(`redis://:wrong@127.0.0.1:${server.port}`, FAST)
    await expect(t.connect()).rejects.toThrow(/WRONGPASS|invalid password/)
    await t.close()
  })

  it('calls before connect() reject with ConnectionError saying so', async () => {
    const t = new RedisTransport(server.url, FAST)
    await expect(t.publish('x', bytes('x'))).rejects.toThrow(/call connect\(\) first/)
    await expect(t.subscribe('channel', ['x'])).rejects.toThrow(ConnectionError)
    await t.close()
  })

  it('close() while the server is away resolves, and emits nothing more', async () => {
    const { t, statuses } = await open()
    await t.subscribe('channel', [uniq('x')])
    await server.kill()
    await statuses.next('disconnected')
    await withTimeout(t.close(), 'close', PROMPT_MS)
    await server.restart()
    await expect(t.publish('x', bytes('x'))).rejects.toBeInstanceOf(ClosedError)
    expect(statuses.types).toEqual(['connected', 'disconnected'])
  })

  it('close() is bounded by closeTimeoutMs when the server hangs, and rejects what was in flight', async () => {
    const { t } = await open()
    server.pause()
    const pending = settled(t.publish(uniq('hung'), bytes('x')))
    try {
      await withTimeout(t.close(), 'close on a hung server', PROMPT_MS)
      const error = await withTimeout(pending, 'the hung publish to settle', PROMPT_MS)
      // Written, never answered: Redis may run it when it resumes, and the error says so.
      expect(error).toBeInstanceOf(ConnectionError)
      expect((error as ConnectionError).maybeDelivered).toBe(true)
      expect((error as Error).message).toMatch(/is closed.*may have received it/)
    } finally {
      server.resume()
    }
  })

  it('close() flushes: a publish issued just before it is answered', async () => {
    const sub = await open()
    const pub = await open()
    const ch = uniq('flush')
    await sub.t.subscribe('channel', [ch])
    const published = pub.t.publishBatch(
      Array.from({ length: 100 }, (_, i) => [ch, bytes(String(i))] as const),
    )
    await pub.t.close()
    expect(await published).toEqual(Array.from({ length: 100 }, () => 1))
    await sub.inbox.waitForCount((m) => m.channel === ch, 100, 'all 100 messages')
  })
})

it('refuses URLs it cannot serve with a clear ConnectionError', () => {
  expect(() => new RedisTransport('redis+cluster://h:7000,h:7001')).toThrow(ConnectionError)
  expect(() => new RedisTransport('redis+cluster://h:7000,h:7001')).toThrow(
    /Redis Cluster needs the cluster transport/,
  )
  expect(() => new RedisTransport('memory://x')).toThrow(/MemoryTransport/)
  expect(() => new RedisTransport('http://x')).toThrow(/unknown scheme/)
})
