import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../src/client/connect.js'
import { InvalidArgumentError } from '../../src/errors.js'
import type { Message } from '../../src/pubsub/message.js'
import { keyOfBytes } from '../../src/transport/channel-key.js'
import { BusPool, busTargets } from '../helpers/bus-targets.js'
import { RawRedis } from '../helpers/raw-redis.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { collector, deferred, uniq, withTimeout } from '../helpers/wait.js'

/** `prefix` followed by raw bytes: a channel name that is not UTF-8 when the bytes are not. */
function named(prefix: string, ...raw: number[]): Buffer {
  return Buffer.concat([Buffer.from(prefix, 'utf8'), Buffer.from(raw)])
}

const hex = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? []).toString('hex')

for (const target of busTargets()) {
  describe.skipIf(!target.available)(`Bus on ${target.name}: channel names as bytes`, () => {
    const pool = new BusPool()
    beforeAll(async () => {
      pool.url = await target.setup()
    })
    afterEach(() => pool.closeAll())
    afterAll(() => target.teardown())

    it('hands a handler the exact bytes of a channel that is not UTF-8, and a reply to them reaches that channel', async () => {
      const service = await pool.connect()
      const client = await pool.connect()
      const lookalike = await pool.connect()
      const prefix = `${uniq('jobs')}:`
      const job = named(prefix, 0x80, 0x81, 0x82)
      const lossy = `${prefix}\uFFFD\uFFFD\uFFFD`
      const seen = deferred<Message>()
      // The service knows only the pattern; the channel's bytes come with the message.
      await service.subscribe(`${prefix}*`, async (data, msg) => {
        if (!(data as { ask?: number }).ask) return
        seen.resolve(msg)
        await service.publish(msg.channelBytes, { reply: true })
      })
      const replies = collector<Message>(1)
      await client.subscribe(job, (data, msg) => {
        if ((data as { reply?: boolean }).reply) replies.push(msg)
      })
      const misdirected: unknown[] = []
      const last = deferred()
      await lookalike.subscribe(lossy, (data) => {
        misdirected.push(data)
        if ((data as { last?: boolean }).last) last.resolve()
      })
      expect(await client.publish(job, { ask: 1 })).toBe(2)
      const msg = await withTimeout(seen.promise, 'the request')
      expect(msg.channel).toBe(lossy)
      expect(hex(msg.channelBytes)).toBe(hex(job))
      expect(msg.pattern).toBe(`${prefix}*`)
      expect(hex(msg.patternBytes)).toBe(hex(Buffer.from(`${prefix}*`)))
      const [reply] = await withTimeout(replies.done, 'the reply on the exact channel')
      expect(hex(reply?.channelBytes)).toBe(hex(job))
      expect(reply?.patternBytes).toBeUndefined()
      // A last message on the lossy name proves nothing went there before it.
      await client.publish(lossy, { last: true })
      await withTimeout(last.promise, 'the message on the lossy name')
      expect(misdirected).toEqual([{ last: true }])
    })

    it('takes bytes wherever it takes a name: lists, patterns, numsub, batches, unsubscribe', async () => {
      const bus = await pool.connect()
      const prefix = `${uniq('mixed')}:`
      const [a, b] = [named(prefix, 0xff), named(prefix, 0xfe)]
      const text = `${prefix}plain`
      const got = collector<string>(4)
      const sub = await bus.subscribe([a, text, named(prefix, 0xfe, 0x3f)], (data, msg) =>
        got.push(
          `${hex(msg.channelBytes)}|${msg.pattern === undefined ? '' : hex(msg.patternBytes)}|${data}`,
        ),
      )
      expect(sub.names).toEqual([`${prefix}\uFFFD`, text, `${prefix}\uFFFD?`])
      expect(await bus.numsub(a)).toBe(1)
      expect(await bus.numsub([a, b, text])).toEqual([1, 0, 1])
      expect(await bus.publish([a, text], 'one')).toBe(2)
      expect(
        await bus
          .batch()
          .publish(b, 'none')
          .publish(named(prefix, 0xfe, 0x00), 'two')
          .publish([a], 'three')
          .exec(),
      ).toEqual([0, 1, 1])
      const pattern = hex(named(prefix, 0xfe, 0x3f))
      expect((await withTimeout(got.done, 'four deliveries')).sort()).toEqual(
        [
          `${hex(a)}||one`,
          `${hex(Buffer.from(text))}||one`,
          `${hex(named(prefix, 0xfe, 0x00))}|${pattern}|two`,
          `${hex(a)}||three`,
        ].sort(),
      )
      await sub.unsubscribe()
      expect(await bus.numsub([a, text])).toEqual([0, 0])
    })

    it('refuses a name given as an empty Uint8Array, and text with a lone surrogate', async () => {
      const bus = await pool.connect()
      await expect(bus.publish(new Uint8Array(0), 1)).rejects.toBeInstanceOf(InvalidArgumentError)
      await expect(bus.subscribe(new Uint8Array(0), () => {})).rejects.toBeInstanceOf(InvalidArgumentError)
      await expect(bus.subscribe(`${uniq('lone')}\uDFFF\u0080`, () => {})).rejects.toBeInstanceOf(
        InvalidArgumentError,
      )
    })

    it('refuses to publish to text with a lone surrogate, which would reach the U+FFFD channel', async () => {
      const bus = await pool.connect()
      const name = uniq('lone')
      const lookalike = await bus.subscribe(`${name}\uFFFD`)
      await expect(bus.publish(`${name}\uD800`, 1)).rejects.toBeInstanceOf(InvalidArgumentError)
      await expect(bus.publish([`${name}-ok`, `${name}\uDC00`], 1)).rejects.toBeInstanceOf(
        InvalidArgumentError,
      )
      const batch = bus.batch()
      batch.publish(`${name}\uD800`, 1)
      await expect(batch.exec()).rejects.toBeInstanceOf(InvalidArgumentError)
      // Nothing went out: the channel U+FFFD stands in for heard nothing.
      expect(await bus.publish(`${name}\uFFFD`, 'marker')).toBe(1)
      const first = await lookalike[Symbol.asyncIterator]().next()
      expect(first.value?.data).toBe('marker')
    })
  })
}

describeRedis('a raw Redis client and a bus on a channel that is not UTF-8', () => {
  let server: RedisServer
  beforeAll(async () => {
    server = await RedisServer.start()
  })
  afterAll(async () => {
    await server?.stop()
  })

  it('the bus hears what the raw client published, with the exact bytes, and its reply reaches the raw subscriber', async () => {
    const raw = await RawRedis.open(server.port)
    const rawSubscriber = await RawRedis.open(server.port)
    const bus = await connect(server.url)
    try {
      const prefix = `${uniq('raw')}:`
      const channel = named(prefix, 0x80, 0x81, 0x82)
      const asked = deferred<Message>()
      await bus.subscribe(
        `${prefix}*`,
        async (data, msg) => {
          if (Buffer.from(data as Uint8Array).toString() !== 'ping') return
          asked.resolve(msg)
          await bus.publish(msg.channelBytes, 'pong', { codec: 'raw' })
        },
        { codec: 'raw' },
      )
      await rawSubscriber.command('SUBSCRIBE', channel)
      // As redis-py or redis-cli would send it: the channel's bytes, whatever they are.
      expect(Number(await raw.command('PUBLISH', channel, 'ping'))).toBe(2)
      const msg = await withTimeout(asked.promise, 'the raw publish, at the bus')
      expect(hex(msg.channelBytes)).toBe(hex(channel))
      const pong = await rawSubscriber.inbox.waitFor(
        (m) => m.text === 'pong',
        'the reply, at the raw subscriber',
      )
      expect(pong.channel).toBe(keyOfBytes(channel))
      expect(rawSubscriber.inbox.messages.map((m) => m.text)).toEqual(['ping', 'pong'])
    } finally {
      raw.close()
      rawSubscriber.close()
      await bus.close()
    }
  })
})
