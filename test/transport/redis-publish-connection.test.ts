import { expect, it } from 'vitest'
import { ConnectionError } from '../../src/errors.js'
import { PublishConnection } from '../../src/transport/redis/publish-connection.js'
import { resolveOptions } from '../../src/transport/redis/redis-transport-options.js'
import { parseUrl } from '../../src/transport/url.js'
import { bytes } from '../contract/inbox.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { uniq, until } from '../helpers/wait.js'
import { FAST, serverWithTransports } from './redis-fixtures.js'

/** The publish connection: the connection that carries PUBLISH only, and every one (publish-connection.ts). */
describeRedis('RedisTransport publish connection', () => {
  const redis = serverWithTransports()
  const { open } = redis

  /** CLIENT LIST lines of connections with this name. */
  const clients = (name: string): string[] =>
    redis.server
      .cli('client', 'list')
      .split('\n')
      .filter((line) => line.includes(` name=${name} `))

  const publishedOn = (name: string): number => {
    const line = clients(name)[0] ?? ''
    return line.includes(' cmd=publish ') ? 1 : 0
  }

  it('is open once connect() resolves, and every publish goes through it, none through node-redis', async () => {
    const name = uniq('pubconn')
    const sub = await open()
    const pub = await open(redis.server.url, { ...FAST, clientName: name })
    const ch = uniq('via')
    await sub.t.subscribe('channel', [ch])
    expect(clients(`${name}:pub`)).toHaveLength(1)
    expect(await pub.t.publish(ch, bytes('hello'))).toBe(1)
    expect(publishedOn(`${name}:pub`)).toBe(1)
    expect(await pub.t.publishBatch([[ch, bytes('batched')]])).toEqual([1])
    expect(clients(`${name}:cmd`)[0]).not.toContain(' cmd=publish ')
    await sub.inbox.waitForCount((m) => m.channel === ch, 2, 'both messages')
  })

  it('keeps a publisher in order from the first moment after connect()', async () => {
    const sub = await open()
    const ch = uniq('order')
    await sub.t.subscribe('channel', [ch])
    const pub = await open()
    const sent: Promise<number>[] = []
    for (let wave = 0; wave < 40; wave++) {
      for (let i = 0; i < 50; i++) sent.push(pub.t.publish(ch, bytes(String(wave * 50 + i))))
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(new Set(await Promise.all(sent))).toEqual(new Set([1]))
    const got = await sub.inbox.waitForCount((m) => m.channel === ch, 2000, 'all 2000 messages')
    expect(got.map((m) => Number(m.text))).toEqual(Array.from({ length: 2000 }, (_, i) => i))
  })

  it('authenticates as the command connection does', async () => {
    const secured = await RedisServer.start()
    try {
      secured.cli('config', 'set', 'requirepass', 's3cret')
      const list = (): string => secured.cli('-a', 's3cret', '--no-auth-warning', 'client', 'list')
      const name = uniq('auth')
      const pub = await open(`redis://:s3cret@127.0.0.1:${secured.port}`, { ...FAST, clientName: name })
      await until(
        () => list().includes(` name=${name}:pub `),
        'the publish connection to authenticate and open',
      )
      expect(await pub.t.publish(uniq('x'), bytes('x'))).toBe(0)
      expect(list()).toMatch(new RegExp(` name=${name}:pub .* cmd=publish `))
      await pub.t.close()
    } finally {
      await secured.stop()
    }
  })

  it('cut off alone: disconnected, publishes rejected at once with ConnectionError, then reconnected', async () => {
    const name = uniq('cut')
    const sub = await open()
    // A reconnection slow enough that the publish below surely finds the link down.
    const slow = {
      ...FAST,
      clientName: name,
      reconnect: { initialDelayMs: 1_500, maxDelayMs: 1_500, jitter: 0 },
    }
    const pub = await open(redis.server.url, slow)
    const ch = uniq('cut')
    await sub.t.subscribe('channel', [ch])
    expect(await pub.t.publish(ch, bytes('before'))).toBe(1)
    const id = /^id=(\d+) /.exec(clients(`${name}:pub`)[0] ?? '')?.[1] ?? '0'
    redis.server.cli('client', 'kill', 'id', id)
    const down = await pub.statuses.next('disconnected')
    expect(down.error?.message).toMatch(/lost the publish connection/)
    const refused = await pub.t.publish(ch, bytes('while down')).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(refused).toBeInstanceOf(ConnectionError)
    expect((refused as Error).message).toMatch(/PUBLISH .* the publish connection is down/)
    await pub.statuses.next('reconnected')
    expect(pub.statuses.types).toEqual(['connected', 'disconnected', 'reconnected'])
    expect(clients(`${name}:pub`)).toHaveLength(1)
    expect(await pub.t.publish(ch, bytes('after'))).toBe(1)
    await sub.inbox.waitFor((m) => m.text === 'after', 'the message after')
    // The refused publish was never sent: the subscriber got the others, in order.
    expect(sub.inbox.on(ch).map((m) => m.text)).toEqual(['before', 'after'])
  })

  it('hands a refused publish, with its payload, to onRefused, which may send it elsewhere; the replies after it still pair', async () => {
    const user = uniq('refused')
    redis.server.cli('ACL', 'SETUSER', user, 'on', '>pw', '~*', 'resetchannels', '&ok:*', '+@all')
    const target = parseUrl(`redis://${user}:pw@127.0.0.1:${redis.server.port}`)
    if (target.scheme !== 'redis') throw new Error('a redis:// server')
    const refused: Array<[string, string, string]> = []
    const connection: PublishConnection = new PublishConnection(
      target,
      resolveOptions(FAST),
      (error) => error,
      {
        onRefused: (error, channel, payload, receipt) => {
          refused.push([error.message.split(' ')[0] as string, String(channel), String(payload)])
          if (channel !== 'no:b') return false
          connection.publish('ok:b', payload, receipt)
          return true
        },
      },
    )
    await connection.connect()
    try {
      const publish = (channel: string, payload: string): Promise<number | string> =>
        new Promise<number>((published, publishFailed) =>
          connection.publish(channel, payload, { published, publishFailed }),
        ).catch((error: Error) => error.message)
      const outcomes = [publish('ok:a', 'A'), publish('no:b', 'B')]
      const ping = connection.ping()
      outcomes.push(publish('no:c', 'C'), publish('ok:d', 'D'))
      await ping
      const [a, b, c, d] = await Promise.all(outcomes)
      expect([a, b, d]).toEqual([0, 0, 0])
      expect(c).toMatch(/^NOPERM/)
      expect(refused).toEqual([
        ['NOPERM', 'no:b', 'B'],
        ['NOPERM', 'no:c', 'C'],
      ])
      expect(connection.pending).toBe(0)
    } finally {
      connection.destroy()
    }
  })

  it('a PING takes its turn among the publishes, big and small: every reply still pairs with its command', async () => {
    const options = resolveOptions(FAST)
    const target = parseUrl(redis.server.url)
    if (target.scheme !== 'redis') throw new Error('a redis:// server')
    const connection = new PublishConnection(target, options, (error) => error)
    await connection.connect()
    try {
      const ch = uniq('pings')
      const subscriber = await open()
      await subscriber.t.subscribe('channel', [ch])
      const counts: Array<Promise<number>> = []
      const pings: Array<Promise<void>> = []
      // Large payloads make several writes of about FLUSH_BYTES, held while one is in flight.
      for (let i = 0; i < 300; i++) {
        const payload = i % 3 === 0 ? 'x'.repeat(100_000) : String(i)
        counts.push(
          new Promise((published, publishFailed) =>
            connection.publish(ch, payload, { published, publishFailed }),
          ),
        )
        if (i % 50 === 0) pings.push(connection.ping())
      }
      expect(await Promise.all(counts)).toEqual(counts.map(() => 1))
      await Promise.all(pings)
      await subscriber.inbox.waitForCount((m) => m.channel === ch, 300, 'every message')
      expect(
        subscriber.inbox
          .on(ch)
          .filter((m) => m.text.length < 100)
          .map((m) => m.text),
      ).toEqual(
        Array.from({ length: 300 }, (_, i) => i)
          .filter((i) => i % 3 !== 0)
          .map(String),
      )
    } finally {
      connection.destroy()
    }
  })
})
