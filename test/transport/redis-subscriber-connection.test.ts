import { expect, it } from 'vitest'
import { resolveOptions } from '../../src/transport/redis/redis-transport-options.js'
import { SubscriberConnection } from '../../src/transport/redis/subscriber-connection.js'
import { SubscriptionLedger } from '../../src/transport/redis/subscription-ledger.js'
import { bytes } from '../contract/inbox.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { uniq, until } from '../helpers/wait.js'
import { FAST, serverWithTransports } from './redis-fixtures.js'

/** The subscriber connection, which reads RESP itself (subscriber-connection.ts), against real servers. */
describeRedis('RedisTransport subscriber connection', () => {
  const redis = serverWithTransports()
  const { fixtures, open } = redis

  it('authenticates with a password, and with an ACL user, and then receives', async () => {
    const secured = await RedisServer.start()
    try {
      secured.cli('config', 'set', 'requirepass', 's3cret')
      const auth = ['-a', 's3cret', '--no-auth-warning']
      secured.cli(...auth, 'acl', 'setuser', 'alice', 'on', '>wonder', '~*', '&*', '+@all')
      const name = uniq('auth')
      for (const url of [
        `redis://:s3cret@127.0.0.1:${secured.port}`,
        `redis://alice:wonder@127.0.0.1:${secured.port}`,
      ]) {
        const sub = await open(url, { ...FAST, clientName: name })
        const pub = await open(url)
        const ch = uniq('secret')
        await sub.t.subscribe('channel', [ch])
        expect(secured.cli(...auth, 'client', 'list')).toContain(` name=${name}:sub `)
        expect(await pub.t.publish(ch, bytes('for your eyes'))).toBe(1)
        const [got] = await sub.inbox.waitForCount((m) => m.channel === ch, 1, 'the message')
        expect(Buffer.from(got?.payload ?? []).toString()).toBe('for your eyes')
        await Promise.all(fixtures.splice(0).map((f) => f.t.close()))
      }
    } finally {
      await secured.stop()
    }
  })

  it('a refused password fails the subscribe with the server reason', async () => {
    const secured = await RedisServer.start()
    try {
      secured.cli('acl', 'setuser', 'bob', 'on', '>before', '~*', '&*', '+@all')
      const t = await open(`redis://bob:before@127.0.0.1:${secured.port}`)
      // The command connection is up already; the subscriber connects on the first subscribe.
      secured.cli('acl', 'setuser', 'bob', 'resetpass', '>after')
      await expect(t.t.subscribe('channel', [uniq('x')])).rejects.toThrow(/WRONGPASS/)
    } finally {
      await secured.stop()
    }
  })

  it('delivers payloads larger than a socket read, and many small ones between them, intact and in order', async () => {
    const sub = await open()
    const pub = await open()
    const ch = uniq('sizes')
    await sub.t.subscribe('channel', [ch])
    const large = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 7) % 251)
    const sent: Uint8Array[] = []
    for (let i = 0; i < 20; i++) sent.push(i % 5 === 2 ? large : bytes(`small ${i}`))
    await Promise.all(sent.map((payload) => pub.t.publish(ch, payload)))
    const got = await sub.inbox.waitForCount((m) => m.channel === ch, sent.length, 'every payload')
    got.forEach((m, i) => {
      expect(Buffer.compare(Buffer.from(m.payload), Buffer.from(sent[i] as Uint8Array))).toBe(0)
    })
  })

  it('pattern messages carry the pattern and the channel; unsubscribed names stop at once', async () => {
    const sub = await open()
    const pub = await open()
    const base = uniq('pat')
    await sub.t.subscribe('pattern', [`${base}.*`])
    await sub.t.subscribe('channel', [`${base}.direct`])
    await pub.t.publish(`${base}.a`, bytes('1'))
    await pub.t.publish(`${base}.direct`, bytes('2'))
    await sub.inbox.waitForCount(
      (m) => m.channel.startsWith(base),
      3,
      'a pmessage, then a message and a pmessage',
    )
    const seen = sub.inbox.messages
      .filter((m) => m.channel.startsWith(base))
      .map((m) => [m.channel, m.pattern ?? null])
    expect(seen).toEqual(
      expect.arrayContaining([
        [`${base}.a`, `${base}.*`],
        [`${base}.direct`, null],
        [`${base}.direct`, `${base}.*`],
      ]),
    )
    await sub.t.unsubscribe('channel', [`${base}.direct`])
    await sub.t.unsubscribe('pattern', [`${base}.*`])
    await until(
      () => Number(redis.server.cli('pubsub', 'numpat')) === 0,
      'the pattern to be gone on the server',
    )
    expect(await pub.t.publish(`${base}.direct`, bytes('3'))).toBe(0)
  })

  it('speaks every kind of the command table, shard channels included, and reports to the ledger', async () => {
    const ledger = new SubscriptionLedger()
    const got: string[] = []
    const target = { scheme: 'redis', tls: false, host: '127.0.0.1', port: redis.server.port, db: 0 } as const
    const client = new SubscriberConnection(
      { ...target, username: undefined, password: undefined },
      resolveOptions(),
      (channel, payload, pattern) => got.push(`${channel} ${payload.toString()} ${pattern}`),
      ledger,
    )
    await client.connect()
    try {
      const ch = uniq('shard')
      ledger.want('shard', [ch])
      // SSUBSCRIBE, confirmed by an `ssubscribe` push.
      await client.send('shard', 'subscribe', [ch])
      expect(redis.server.cli('pubsub', 'shardnumsub', ch)).toBe(`${ch}\n1`)
      expect(ledger.plan()).toEqual([])
      // SPUBLISH arrives as an `smessage` push, read on the reader's fast path.
      expect(redis.server.cli('spublish', ch, 'sharded')).toBe('1')
      await until(() => got.length === 1, 'the shard message')
      expect(got).toEqual([`${ch} sharded undefined`])
      // SUNSUBSCRIBE, confirmed by an `sunsubscribe` push: the ledger forgets the name.
      expect(ledger.unwant('shard', [ch])).toEqual([ch])
      await client.send('shard', 'unsubscribe', [ch])
      expect(redis.server.cli('pubsub', 'shardnumsub', ch)).toBe(`${ch}\n0`)
      expect(ledger.unwant('shard', [ch])).toEqual([])
      expect(ledger.plan()).toEqual([])
    } finally {
      client.destroy()
    }
  })

  it('a refused SUBSCRIBE rejects with the server reason and is reported to the ledger as refused', async () => {
    const ch = uniq('denied')
    redis.server.cli('acl', 'setuser', 'carol', 'on', '>pw', '~*', 'resetchannels', '&allowed', '+@all')
    const ledger = new SubscriptionLedger()
    const client = new SubscriberConnection(
      {
        scheme: 'redis',
        tls: false,
        host: '127.0.0.1',
        port: redis.server.port,
        db: 0,
        username: 'carol',
        password: 'pw',
      },
      resolveOptions(),
      () => undefined,
      ledger,
    )
    await client.connect()
    try {
      ledger.want('channel', [ch])
      await expect(client.send('channel', 'subscribe', [ch])).rejects.toThrow(/NOPERM/)
      // Nothing in flight, nothing confirmed: the ledger would subscribe it again, and a
      // caller that gives it back leaves nothing for the server to undo.
      expect(ledger.plan().map((c) => `${c.op} ${c.names.join(' ')}`)).toEqual([`subscribe ${ch}`])
      expect(ledger.unwant('channel', [ch])).toEqual([])
      // The connection still pairs replies with commands.
      await client.send('channel', 'subscribe', ['allowed'])
      expect(redis.server.cli('pubsub', 'numsub', 'allowed')).toBe('allowed\n1')
    } finally {
      client.destroy()
    }
  })
})
