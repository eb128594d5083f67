import { expect, it } from 'vitest'
import { bytes } from '../contract/inbox.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { uniq, until } from '../helpers/wait.js'
import { FAST, serverWithTransports } from './redis-fixtures.js'

/** The publish connection: a third connection that carries PUBLISH only (publish-connection.ts). */
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

  it('opens next to the command connection, and publishes go through it', async () => {
    const name = uniq('pubconn')
    const sub = await open()
    const pub = await open(redis.server.url, { ...FAST, clientName: name })
    const ch = uniq('via')
    await sub.t.subscribe('channel', [ch])
    // Listed once CLIENT SETNAME ran, the link takes publishes once it has read that reply too:
    // until then they still go through node-redis.
    await until(async () => {
      expect(await pub.t.publish(ch, bytes('hello'))).toBe(1)
      return publishedOn(`${name}:pub`) === 1
    }, 'a publish to go through the publish connection')
    await sub.inbox.waitFor((m) => m.text === 'hello', 'the message')
  })

  it('is not opened with publishConnection: false, and publishing works the same', async () => {
    const name = uniq('nopub')
    const sub = await open()
    const pub = await open(redis.server.url, { ...FAST, clientName: name, publishConnection: false })
    const ch = uniq('plain')
    await sub.t.subscribe('channel', [ch])
    expect(
      await pub.t.publishBatch([
        [ch, bytes('a')],
        [ch, bytes('b')],
      ]),
    ).toEqual([1, 1])
    await sub.inbox.waitForCount((m) => m.channel === ch, 2, 'both messages')
    expect(clients(`${name}:pub`)).toEqual([])
    expect(clients(`${name}:cmd`)).toHaveLength(1)
  })

  it('keeps a publisher in order while it takes over from node-redis', async () => {
    const sub = await open()
    const ch = uniq('order')
    await sub.t.subscribe('channel', [ch])
    const pub = await open()
    // Published from the first moment after connect(), through node-redis, then through the
    // publish connection once it is open: one sequence, in order, nothing lost.
    const sent: Promise<number>[] = []
    for (let wave = 0; wave < 40; wave++) {
      for (let i = 0; i < 50; i++) sent.push(pub.t.publish(ch, bytes(String(wave * 50 + i))))
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(new Set(await Promise.all(sent))).toEqual(new Set([1]))
    const got = await sub.inbox.waitForCount((m) => m.channel === ch, 2000, 'all 2000 messages')
    expect(got.map((m) => Number(m.text))).toEqual(Array.from({ length: 2000 }, (_, i) => i))
  })

  it('takes over even from a publisher that never lets node-redis go idle, still in order', async () => {
    const name = uniq('busy')
    const sub = await open()
    const ch = uniq('busy')
    await sub.t.subscribe('channel', [ch])
    const pub = await open(redis.server.url, { ...FAST, clientName: name })
    // A new wave every turn of the event loop, never awaiting the last: node-redis always has
    // publishes in flight when the publish connection opens.
    const sent: Promise<number>[] = []
    let n = 0
    while (clients(`${name}:pub`).length === 0 || n < 1000) {
      for (let i = 0; i < 20; i++) sent.push(pub.t.publish(ch, bytes(String(n++))))
      await new Promise((resolve) => setImmediate(resolve))
      if (n > 200_000) throw new Error('the publish connection never opened')
    }
    for (let i = 0; i < 20; i++) sent.push(pub.t.publish(ch, bytes(String(n++))))
    await Promise.all(sent)
    expect(publishedOn(`${name}:pub`)).toBe(1)
    const got = await sub.inbox.waitForCount((m) => m.channel === ch, n, `all ${n} messages`)
    expect(got.map((m) => Number(m.text))).toEqual(Array.from({ length: n }, (_, i) => i))
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

  it('cut off alone, it is reopened, with no status: the command connection stands', async () => {
    const name = uniq('cut')
    const sub = await open()
    const pub = await open(redis.server.url, { ...FAST, clientName: name })
    const ch = uniq('cut')
    await sub.t.subscribe('channel', [ch])
    await until(() => clients(`${name}:pub`).length === 1, 'the publish connection to open')
    const id = /^id=(\d+) /.exec(clients(`${name}:pub`)[0] ?? '')?.[1] ?? '0'
    redis.server.cli('client', 'kill', 'id', id)
    // Issued as the connection goes: it settles either way (a publish in flight on a connection
    // that drops is rejected, as node-redis does), and never hangs.
    const during = await pub.t.publish(ch, bytes('during')).then(
      (receivers) => receivers,
      (error: unknown) => error,
    )
    expect(during === 1 || during instanceof Error).toBe(true)
    await until(
      () =>
        (clients(`${name}:pub`)[0] ?? '').match(/^id=(\d+) /)?.[1] !== id &&
        clients(`${name}:pub`).length === 1,
      'a new publish connection',
    )
    expect(await pub.t.publish(ch, bytes('after'))).toBe(1)
    await sub.inbox.waitFor((m) => m.text === 'after', 'the message after')
    expect(pub.statuses.types).toEqual(['connected'])
  })
})
