import { afterEach, describe, expect, it } from 'vitest'
import { ClosedError, InvalidArgumentError } from '../../src/errors.js'
import {
  type PublishReceipt,
  SubscriptionKind,
  type Transport,
  type TransportStatus,
} from '../../src/transport/transport.js'
import { uniq, until } from '../helpers/wait.js'
import { brokerCommandCases } from './broker-command-cases.js'
import type { ContractFeatures } from './contract-features.js'
import { bytes, type ContractClient, Inbox } from './inbox.js'

const SUBSCRIPTION_KINDS = Object.values(SubscriptionKind)

/**
 * The behaviour every transport shares, with Redis's semantics as the reference. Each transport
 * runs this one suite (test/contract/<name>.contract.test.ts). `makeTransport` returns a new,
 * not yet connected transport, a separate client of the same broker on every call.
 */
export function runTransportContract(
  name: string,
  makeTransport: () => Promise<Transport>,
  features: ContractFeatures = {},
): void {
  const patterns = features.patterns ?? true
  const orderAcrossChannels = features.orderAcrossChannels ?? true
  describe(`Transport contract: ${name}`, () => {
    const opened: Transport[] = []

    async function client(): Promise<ContractClient> {
      const t = await makeTransport()
      const inbox = new Inbox()
      const statuses: TransportStatus[] = []
      t.onMessage(inbox.sink)
      t.onStatus((s) => statuses.push(s))
      opened.push(t)
      await t.connect()
      return { t, inbox, statuses }
    }

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((t) => t.close()))
    })

    it('reports connected once connect() resolves', async () => {
      const { statuses } = await client()
      expect(statuses).toEqual([{ type: 'connected' }])
    })

    it('declares its subscription kinds and refuses the others with InvalidArgumentError', async () => {
      const { t } = await client()
      expect(t.abilities.kinds.has('channel')).toBe(true)
      for (const kind of SUBSCRIPTION_KINDS.filter((k) => !t.abilities.kinds.has(k))) {
        await expect(t.subscribe(kind, [uniq('refused')])).rejects.toBeInstanceOf(InvalidArgumentError)
      }
    })

    it('publish returns 0 when nobody listens', async () => {
      const { t } = await client()
      expect(await t.publish(uniq('nobody'), bytes('x'))).toBe(0)
    })

    it('publish counts channel plus pattern subscriptions, per client, as Redis does', async () => {
      const a = await client()
      const b = await client()
      const ch = uniq('count')
      // Where patterns are supported, a matching one of the same client counts again.
      const p = patterns ? 1 : 0
      await a.t.subscribe('channel', [ch])
      expect(await a.t.publish(ch, bytes('1'))).toBe(1)
      if (patterns) await a.t.subscribe('pattern', [`${ch}*`])
      expect(await a.t.publish(ch, bytes('2'))).toBe(1 + p)
      // A second client counts separately.
      await b.t.subscribe('channel', [ch])
      expect(await a.t.publish(ch, bytes('3'))).toBe(2 + p)
      // A channel that only the pattern matches.
      expect(await a.t.publish(`${ch}-other`, bytes('4'))).toBe(p)
      // Subscribing to what is already subscribed changes nothing.
      await a.t.subscribe('channel', [ch])
      if (patterns) await a.t.subscribe('pattern', [`${ch}*`])
      expect(await a.t.publish(ch, bytes('5'))).toBe(2 + p)
    })

    it('delivers the payload bytes unchanged, as a Uint8Array', async () => {
      const { t, inbox } = await client()
      const ch = uniq('bytes')
      await t.subscribe('channel', [ch])
      const binary = Uint8Array.from([0, 255, 13, 10, 36, 42, 0, 128])
      const large = new Uint8Array(1 << 20).map((_, i) => i % 251)
      await t.publish(ch, binary)
      await t.publish(ch, large)
      await t.publish(ch, new Uint8Array(0))
      const got = await inbox.waitForCount((m) => m.channel === ch, 3, 'three payloads')
      expect(got.map((m) => m.payload instanceof Uint8Array)).toEqual([true, true, true])
      expect([...(got[0]?.payload ?? [])]).toEqual([...binary])
      expect(Buffer.compare(Buffer.from(got[1]?.payload ?? []), Buffer.from(large))).toBe(0)
      expect(got[2]?.payload.length).toBe(0)
    })

    it('sends text payloads as UTF-8 bytes', async () => {
      const { t, inbox } = await client()
      const ch = uniq('text')
      await t.subscribe('channel', [ch])
      expect(await t.publish(ch, '{"caf\u00e9":"\u2603"}')).toBe(1)
      const [got] = await inbox.waitForCount((m) => m.channel === ch, 1, 'the text payload')
      expect(Buffer.from(got?.payload ?? []).toString('utf8')).toBe('{"caf\u00e9":"\u2603"}')
    })

    it('a buffer the publisher reuses once publish() resolved does not change what is delivered', async () => {
      const { t, inbox } = await client()
      const ch = uniq('reuse')
      await t.subscribe('channel', [ch])
      const buffer = Buffer.from('first')
      await t.publish(ch, buffer)
      buffer.write('XXXXX')
      const [got] = await inbox.waitForCount((m) => m.channel === ch, 1, 'the first payload')
      expect(Buffer.from(got?.payload ?? []).toString()).toBe('first')
    })

    it('publishTo tells its receipt the receivers, or the failure, on a later turn', async () => {
      const { t } = await client()
      const ch = uniq('receipt')
      const other = await client()
      await other.t.subscribe('channel', [ch])
      const outcome = (publish: (receipt: PublishReceipt) => void) =>
        new Promise<unknown>((resolve) => {
          let sync = true
          publish({
            published: (receivers) => resolve(sync ? 'synchronous' : receivers),
            publishFailed: (error) => resolve(sync ? 'synchronous' : error),
          })
          sync = false
        })
      expect(await outcome((r) => t.publishTo(ch, bytes('x'), r))).toBe(1)
      expect(await outcome((r) => t.publishTo(uniq('none'), 'y', r))).toBe(0)
      await t.close()
      expect(await outcome((r) => t.publishTo(ch, bytes('z'), r))).toBeInstanceOf(ClosedError)
    })

    it('gives each subscriber the messages in publish order (1000 messages)', async () => {
      const pub = await client()
      const s1 = await client()
      const s2 = await client()
      const ch = uniq('order')
      await s1.t.subscribe('channel', [ch])
      await s2.t.subscribe(patterns ? 'pattern' : 'channel', [patterns ? `${ch}*` : ch])
      const sent = Array.from({ length: 1000 }, (_, i) => String(i))
      const receivers = await Promise.all(sent.map((m) => pub.t.publish(ch, bytes(m))))
      expect(new Set(receivers)).toEqual(new Set([2]))
      const got1 = await s1.inbox.waitForCount((m) => m.channel === ch, 1000, 'channel subscriber')
      const got2 = await s2.inbox.waitForCount((m) => m.channel === ch, 1000, 'pattern subscriber')
      expect(got1.map((m) => m.text)).toEqual(sent)
      expect(got2.map((m) => m.text)).toEqual(sent)
    })

    describe.skipIf(!patterns)('pattern matching follows Redis glob rules', () => {
      const cases: Array<{ rule: string; pattern: string; matching: string[]; other: string[] }> = [
        { rule: '* any run', pattern: 'a*', matching: ['a', 'abc', 'a:b:c'], other: ['b', 'ba'] },
        {
          rule: '? one character',
          pattern: 'h?llo',
          matching: ['hello', 'hallo'],
          other: ['hllo', 'heello'],
        },
        { rule: '[abc] a set', pattern: 'h[ae]llo', matching: ['hello', 'hallo'], other: ['hillo', 'hllo'] },
        {
          rule: '[^a] a negated set',
          pattern: 'h[^e]llo',
          matching: ['hallo', 'hbllo'],
          other: ['hello', 'hllo'],
        },
        {
          rule: '[a-z] a range',
          pattern: 'h[a-c]llo',
          matching: ['hallo', 'hcllo'],
          other: ['hdllo', 'hello'],
        },
        { rule: '\\* a literal *', pattern: 'a\\*b', matching: ['a*b'], other: ['axb', 'ab', 'a\\*b'] },
        { rule: '\\? a literal ?', pattern: 'a\\?', matching: ['a?'], other: ['ab'] },
      ]

      it.each(cases)('$rule: $pattern', async ({ pattern, matching, other }) => {
        const pub = await client()
        const sub = await client()
        const prefix = `${uniq('glob')}:`
        await sub.t.subscribe('pattern', [prefix + pattern])
        for (const name of matching) {
          expect(await pub.t.publish(prefix + name, bytes(name)), `${pattern} matches ${name}`).toBe(1)
        }
        for (const name of other) {
          expect(await pub.t.publish(prefix + name, bytes(name)), `${pattern} does not match ${name}`).toBe(0)
        }
        // A last matching message proves everything before it has been delivered.
        const last = prefix + (matching[0] ?? '')
        await pub.t.publish(last, bytes('end'))
        await sub.inbox.waitFor((m) => m.text === 'end', 'the closing message')
        const delivered = sub.inbox.messages.filter((m) => m.text !== 'end')
        expect(delivered.map((m) => m.channel)).toEqual(matching.map((n) => prefix + n))
        expect(new Set(delivered.map((m) => m.pattern))).toEqual(new Set([prefix + pattern]))
      })
    })

    it('unsubscribe stops delivery', async () => {
      const pub = await client()
      const sub = await client()
      const gone = uniq('gone')
      const kept = uniq('kept')
      await sub.t.subscribe('channel', [gone, kept])
      await pub.t.publish(gone, bytes('before'))
      await sub.inbox.waitFor((m) => m.channel === gone, 'a message before unsubscribe')
      await sub.t.unsubscribe('channel', [gone])
      expect(await pub.t.publish(gone, bytes('after'))).toBe(0)
      await pub.t.publish(kept, bytes('marker'))
      // Delivery is in order, so once the later marker is here, "after" would have been too.
      await sub.inbox.waitFor((m) => m.channel === kept, 'the marker')
      expect(sub.inbox.on(gone).map((m) => m.text)).toEqual(['before'])
      // Unsubscribing what is not subscribed is a no-op.
      await sub.t.unsubscribe('channel', [gone, uniq('never')])
    })

    it.skipIf(!patterns)('punsubscribe stops delivery', async () => {
      const pub = await client()
      const sub = await client()
      const prefix = uniq('pgone')
      const kept = uniq('pkept')
      await sub.t.subscribe('pattern', [`${prefix}:*`])
      await sub.t.subscribe('channel', [kept])
      await pub.t.publish(`${prefix}:1`, bytes('before'))
      await sub.inbox.waitFor((m) => m.text === 'before', 'a message before punsubscribe')
      await sub.t.unsubscribe('pattern', [`${prefix}:*`])
      expect(await pub.t.publish(`${prefix}:2`, bytes('after'))).toBe(0)
      await pub.t.publish(kept, bytes('marker'))
      await sub.inbox.waitFor((m) => m.channel === kept, 'the marker')
      expect(sub.inbox.messages.filter((m) => m.pattern !== undefined).map((m) => m.text)).toEqual(['before'])
      await sub.t.unsubscribe('pattern', [`${prefix}:*`])
    })

    describe('unsubscribe loses nothing the broker counted', () => {
      const subscribed = {
        channel: (ch: string) => ch,
        pattern: (ch: string) => `${ch}*`,
      } as const
      const kinds = patterns ? (['channel', 'pattern'] as const) : (['channel'] as const)

      it.each(kinds)(
        '%s: every message PUBLISH counted before the unsubscribe was confirmed reaches the sink',
        async (kind) => {
          const pub = await client()
          const sub = await client()
          const ch = uniq('flood')
          const marker = uniq('flood-marker')
          await sub.t.subscribe('channel', [marker])
          await sub.t.subscribe(kind, [subscribed[kind](ch)])
          // Another client floods the channel without awaiting a single publish. The subscriber
          // unsubscribes from inside its sink, at the first message of the flood: the rest of what
          // the broker already sent is still on its way, or still in the broker.
          let unsubscribed: Promise<void> | undefined
          let wavesAfter = 0
          const over = () => {
            wavesAfter = 1
          }
          sub.t.onMessage((channel, payload, pattern) => {
            sub.inbox.sink(channel, payload, pattern)
            if (unsubscribed || channel !== ch) return
            unsubscribed = sub.t.unsubscribe(kind, [subscribed[kind](ch)])
            unsubscribed.then(over, over)
          })
          const counted: Array<Promise<number>> = []
          for (let n = 0; wavesAfter < 5 && n < 200_000; ) {
            for (let i = 0; i < 500; i++) counted.push(pub.t.publish(ch, bytes(String(n++))))
            if (wavesAfter > 0) wavesAfter += 1
            await new Promise((resolve) => setImmediate(resolve))
          }
          await unsubscribed
          const receivers = await Promise.all(counted)
          // The unsubscribe landed mid-flood: the broker counted the subscriber, then stopped.
          expect(receivers[0]).toBe(1)
          expect(receivers.at(-1)).toBe(0)
          const total = receivers.reduce((sum, r) => sum + r, 0)
          // Every counted message was on its way before the marker: once the marker is here, all are.
          await pub.t.publish(marker, bytes('end'))
          await sub.inbox.waitFor((m) => m.channel === marker, 'the marker after the flood', 10_000)
          expect(sub.inbox.on(ch).length).toBe(total)
          expect(sub.inbox.on(ch).map((m) => Number(m.text))).toEqual(
            Array.from({ length: total }, (_, i) => i),
          )
        },
      )
    })

    it.skipIf(!patterns)(
      'delivers a message matching a channel and a pattern of one client twice: as message and as pmessage',
      async () => {
        const pub = await client()
        const sub = await client()
        const ch = uniq('both')
        await sub.t.subscribe('channel', [ch])
        await sub.t.subscribe('pattern', [`${ch}*`])
        expect(await pub.t.publish(ch, bytes('hi'))).toBe(2)
        const got = await sub.inbox.waitForCount((m) => m.channel === ch, 2, 'both deliveries')
        const byKind = got.map((m) => ({ channel: m.channel, pattern: m.pattern, text: m.text }))
        expect(byKind).toHaveLength(2)
        expect(byKind).toContainEqual({ channel: ch, pattern: undefined, text: 'hi' })
        expect(byKind).toContainEqual({ channel: ch, pattern: `${ch}*`, text: 'hi' })
      },
    )

    it('publishBatch returns each message its receivers, in order, and delivers in order', async () => {
      const pub = await client()
      const s1 = await client()
      const s2 = await client()
      const x = uniq('batch-x')
      const y = uniq('batch-y')
      await s1.t.subscribe('channel', [x, y])
      await s2.t.subscribe('channel', [y])
      const counts = await pub.t.publishBatch([
        [x, bytes('1')],
        [y, bytes('2')],
        [uniq('batch-none'), bytes('3')],
        [x, bytes('4')],
      ])
      expect(counts).toEqual([1, 2, 0, 1])
      const got = await s1.inbox.waitForCount(() => true, 3, 'the batch')
      const seen = got.map((m) => `${m.channel === x ? 'x' : 'y'}${m.text}`)
      if (orderAcrossChannels) expect(seen).toEqual(['x1', 'y2', 'x4'])
      else expect(seen.filter((m) => m.startsWith('x'))).toEqual(['x1', 'x4'])
      expect(await pub.t.publishBatch([])).toEqual([])
    })

    brokerCommandCases(client, patterns)

    it('rejects calls with ClosedError after close(); close() twice is fine', async () => {
      const { t } = await client()
      await t.close()
      await t.close()
      await expect(t.publish(uniq('closed'), bytes('x'))).rejects.toBeInstanceOf(ClosedError)
      await expect(t.publishBatch([[uniq('closed'), bytes('x')]])).rejects.toBeInstanceOf(ClosedError)
      await expect(t.subscribe('channel', [uniq('closed')])).rejects.toBeInstanceOf(ClosedError)
      if (patterns) {
        await expect(t.subscribe('pattern', [`${uniq('closed')}*`])).rejects.toBeInstanceOf(ClosedError)
      }
    })

    it('close() stops delivery to that client and removes its subscriptions', async () => {
      const pub = await client()
      const sub = await client()
      const ch = uniq('closing')
      await sub.t.subscribe('channel', [ch])
      if (patterns) await sub.t.subscribe('pattern', [`${ch}*`])
      expect(await pub.t.publish(ch, bytes('1'))).toBe(patterns ? 2 : 1)
      await sub.t.close()
      await until(
        async () => (await pub.t.publish(ch, bytes('2'))) === 0,
        'subscriptions to go with the client',
      )
      expect(await pub.t.numsub([ch])).toEqual([0])
    })
  })
}
