import { afterEach, describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '../../src/errors.js'
import { keyOfBytes } from '../../src/transport/channel-key.js'
import type { Transport } from '../../src/transport/transport.js'
import { uniq } from '../helpers/wait.js'
import { bytes, Inbox } from './inbox.js'

/** `prefix` followed by raw bytes: a channel name that is not UTF-8 when the bytes are not. */
function named(prefix: string, ...raw: number[]): Uint8Array {
  return Buffer.concat([Buffer.from(prefix, 'utf8'), Buffer.from(raw)])
}

/**
 * Channel names and patterns given as bytes, on every transport (run with the transport
 * contract): a name is its exact bytes, UTF-8 or not, so two names that differ in one byte never
 * meet, even when both read as the same text (U+FFFD); and the sink names what arrives by key
 * (channel-key.ts), which is how the subscription that asked for those bytes is found.
 */
export function runByteNamesContract(name: string, makeTransport: () => Promise<Transport>): void {
  describe(`Transport contract, names as bytes: ${name}`, () => {
    const opened: Transport[] = []

    async function client(): Promise<{ t: Transport; inbox: Inbox }> {
      const t = await makeTransport()
      const inbox = new Inbox()
      t.onMessage(inbox.sink)
      opened.push(t)
      await t.connect()
      return { t, inbox }
    }

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((t) => t.close()))
    })

    it('delivers on a channel that is not UTF-8 to the subscription of exactly those bytes', async () => {
      const pub = await client()
      const sub = await client()
      const prefix = uniq('bytes')
      const exact = named(prefix, 0x80, 0x81, 0x82)
      // Reads as the same text as `exact` (each byte is U+FFFD), but is another channel.
      const lookalike = named(prefix, 0x80, 0x81, 0x83)
      const marker = uniq('bytes-marker')
      await sub.t.subscribe('channel', [exact, marker])
      expect(await pub.t.publish(exact, bytes('hit'))).toBe(1)
      expect(await pub.t.publish(lookalike, bytes('miss'))).toBe(0)
      // The lossy text is yet another channel.
      expect(await pub.t.publish(`${prefix}\uFFFD\uFFFD\uFFFD`, bytes('miss'))).toBe(0)
      await pub.t.publish(marker, bytes('end'))
      await sub.inbox.waitFor((m) => m.channel === marker, 'the marker')
      const got = sub.inbox.messages.filter((m) => m.channel !== marker)
      expect(got.map((m) => [m.channel, m.text])).toEqual([[keyOfBytes(exact), 'hit']])
      expect(await pub.t.numsub([exact, lookalike])).toEqual([1, 0])
    })

    it('takes a UTF-8 name as text or as its bytes alike: they are one channel', async () => {
      const pub = await client()
      const sub = await client()
      const text = `${uniq('café')}:é😀`
      await sub.t.subscribe('channel', [Buffer.from(text, 'utf8')])
      expect(await pub.t.publish(text, bytes('as text'))).toBe(1)
      expect(await pub.t.publish(Buffer.from(text, 'utf8'), bytes('as bytes'))).toBe(1)
      const got = await sub.inbox.waitForCount((m) => m.channel === text, 2, 'both messages')
      expect(got.map((m) => m.text)).toEqual(['as text', 'as bytes'])
      expect(await pub.t.numsub([text])).toEqual([1])
    })

    it('matches a pattern given as bytes against the bytes of channels, and names it by its key', async () => {
      const pub = await client()
      const sub = await client()
      const prefix = uniq('pbytes')
      // `?` is one byte; the set holds the byte 0x80 alone; the star any run, 0xFF included.
      const pattern = named(prefix, 0xff, 0x3f, 0x5b, 0x80, 0x5d, 0x2a)
      await sub.t.subscribe('pattern', [pattern])
      const matching = [named(prefix, 0xff, 0x00, 0x80), named(prefix, 0xff, 0xc3, 0x80, 0xfe, 0xff)]
      const other = [
        named(prefix, 0xfe, 0x00, 0x80),
        named(prefix, 0xff, 0x00, 0x81),
        named(prefix, 0xff, 0x80),
      ]
      for (const channel of matching) expect(await pub.t.publish(channel, bytes('hit'))).toBe(1)
      for (const channel of other) expect(await pub.t.publish(channel, bytes('miss'))).toBe(0)
      const got = await sub.inbox.waitForCount(() => true, 2, 'the matching messages')
      expect(got.map((m) => [m.channel, m.pattern])).toEqual(
        matching.map((channel) => [keyOfBytes(channel), keyOfBytes(pattern)]),
      )
    })

    it('unsubscribes a name given as bytes, and only that one', async () => {
      const pub = await client()
      const sub = await client()
      const prefix = uniq('unbytes')
      const gone = named(prefix, 0x80)
      const kept = named(prefix, 0x81)
      const pattern = named(prefix, 0x82, 0x2a)
      await sub.t.subscribe('channel', [gone, kept])
      await sub.t.subscribe('pattern', [pattern])
      await sub.t.unsubscribe('channel', [gone])
      await sub.t.unsubscribe('pattern', [pattern])
      expect(await pub.t.publish(gone, bytes('x'))).toBe(0)
      expect(await pub.t.publish(named(prefix, 0x82, 0x00), bytes('x'))).toBe(0)
      expect(await pub.t.publish(kept, bytes('kept'))).toBe(1)
      await sub.inbox.waitFor((m) => m.text === 'kept', 'the message on the kept name')
      expect(sub.inbox.messages.map((m) => m.channel)).toEqual([keyOfBytes(kept)])
      expect(await pub.t.numsub([gone, kept])).toEqual([0, 1])
    })

    it('publishes a batch whose channels are given as bytes, each to its exact channel', async () => {
      const pub = await client()
      const sub = await client()
      const prefix = uniq('batchbytes')
      const [x, y] = [named(prefix, 0x80), named(prefix, 0x81)]
      await sub.t.subscribe('channel', [x])
      expect(
        await pub.t.publishBatch([
          [x, bytes('1')],
          [y, bytes('2')],
          [x, bytes('3')],
        ]),
      ).toEqual([1, 0, 1])
      const got = await sub.inbox.waitForCount(() => true, 2, 'the batch')
      expect(got.map((m) => [m.channel, m.text])).toEqual([
        [keyOfBytes(x), '1'],
        [keyOfBytes(x), '3'],
      ])
    })

    it('refuses a name given as text with a lone surrogate, which has no exact bytes', async () => {
      const { t } = await client()
      await expect(t.subscribe('channel', [`${uniq('lone')}\uD800`])).rejects.toBeInstanceOf(
        InvalidArgumentError,
      )
      await expect(t.subscribe('pattern', [`\uDC00${uniq('lone')}*`])).rejects.toBeInstanceOf(
        InvalidArgumentError,
      )
    })
  })
}
