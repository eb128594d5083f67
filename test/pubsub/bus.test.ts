import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  ClosedError,
  MalformedMessageError,
  SubscriberError,
  type SwitchboardError,
} from '../../src/errors.js'
import type { Message } from '../../src/pubsub/message.js'
import { BusPool, busTargets } from '../helpers/bus-targets.js'
import { collector, deferred, uniq, withTimeout } from '../helpers/wait.js'

for (const target of busTargets()) {
  describe.skipIf(!target.available)(`Bus on ${target.name}`, () => {
    const pool = new BusPool()
    beforeAll(async () => {
      pool.url = await target.setup()
    })
    afterEach(() => pool.closeAll())
    afterAll(() => target.teardown())

    it('publishes to a channel and hands the decoded payload to a handler', async () => {
      const bus = await pool.connect()
      const ch = uniq('orders')
      const got = deferred<[unknown, Message]>()
      await bus.subscribe(ch, (data, msg) => got.resolve([data, msg]))
      const payload = { id: 7, status: 'cooking', items: ['a', 'b'], big: 2 ** 40 }
      expect(await bus.publish(ch, payload)).toBe(1)
      const [data, msg] = await withTimeout(got.promise, 'delivery')
      expect(data).toEqual(payload)
      expect(msg.channel).toBe(ch)
      expect(msg.pattern).toBeUndefined()
      expect(msg.raw).toBeInstanceOf(Uint8Array)
    })

    it('publishes one event to several channels and sums the receivers', async () => {
      const bus = await pool.connect()
      const [a, b, c] = [uniq('a'), uniq('b'), uniq('c')]
      const seen = collector<string>(2)
      await bus.subscribe([a, b], (_d, msg) => seen.push(msg.channel))
      expect(await bus.publish([a, b, c], { x: 1 })).toBe(2)
      expect((await withTimeout(seen.done, 'two deliveries')).sort()).toEqual([a, b].sort())
    })

    it('delivers pattern matches with the pattern, and a channel+pattern match once to each', async () => {
      const bus = await pool.connect()
      const prefix = uniq('user')
      const pattern = `${prefix}:*`
      const channel = `${prefix}:42`
      const viaPattern = deferred<Message>()
      const viaChannel = deferred<Message>()
      await bus.subscribe(pattern, (_d, msg) => viaPattern.resolve(msg))
      await bus.subscribe(channel, (_d, msg) => viaChannel.resolve(msg))
      expect(await bus.publish(channel, 'hi')).toBe(2)
      expect((await withTimeout(viaPattern.promise, 'pattern delivery')).pattern).toBe(pattern)
      expect((await withTimeout(viaChannel.promise, 'channel delivery')).pattern).toBeUndefined()
    })

    it('subscribes to a name with glob characters literally when pattern is false', async () => {
      const bus = await pool.connect()
      const literal = `${uniq('lit')}*`
      const got = deferred<unknown>()
      await bus.subscribe(literal, (d) => got.resolve(d), { pattern: false })
      expect(await bus.publish(`${literal.slice(0, -1)}x`, 'no')).toBe(0)
      expect(await bus.publish(literal, 'yes')).toBe(1)
      expect(await withTimeout(got.promise, 'literal delivery')).toBe('yes')
    })

    it('is an async iterator, and leaving the loop unsubscribes', async () => {
      const bus = await pool.connect()
      const ch = uniq('iter')
      const sub = await bus.subscribe(ch)
      for (let i = 0; i < 5; i++) await bus.publish(ch, i)
      const seen: unknown[] = []
      for await (const msg of sub) {
        seen.push(msg.data)
        if (seen.length === 5) break
      }
      expect(seen).toEqual([0, 1, 2, 3, 4])
      await withTimeout(sub.closed, 'subscription closed')
      expect(await bus.numsub(ch)).toBe(0)
    })

    it('poll() takes one message without waiting, or undefined', async () => {
      const bus = await pool.connect()
      const ch = uniq('poll')
      const sub = await bus.subscribe(ch)
      expect(await sub.poll()).toBeUndefined()
      const other = deferred<void>()
      await bus.subscribe(ch, () => other.resolve())
      await bus.publish(ch, 'one')
      await withTimeout(other.promise, 'delivery to the sibling subscription')
      expect((await sub.poll())?.data).toBe('one')
      expect(await sub.poll()).toBeUndefined()
    })

    it('numsub counts subscriptions per connection, and unsubscribe stops delivery', async () => {
      const bus = await pool.connect()
      const other = await pool.connect()
      const ch = uniq('numsub')
      const sub1 = await bus.subscribe(ch, () => {})
      const sub2 = await other.subscribe(ch, () => {})
      expect(await bus.numsub(ch)).toBe(2)
      expect(await bus.numsub([ch, uniq('none')])).toEqual([2, 0])
      await sub1.unsubscribe()
      expect(await bus.numsub(ch)).toBe(1)
      expect(await bus.publish(ch, 1)).toBe(1)
      await sub2.unsubscribe()
      expect(await bus.publish(ch, 1)).toBe(0)
    })

    it('keeps delivering to others when a handler throws, and reports SubscriberError', async () => {
      const bus = await pool.connect()
      const ch = uniq('isolate')
      const errors: SwitchboardError[] = []
      bus.on('error', (e) => errors.push(e))
      await bus.subscribe(ch, () => {
        throw new Error('boom')
      })
      const good = collector<unknown>(3)
      await bus.subscribe(ch, (d) => good.push(d))
      for (const n of [1, 2, 3]) await bus.publish(ch, n)
      expect(await withTimeout(good.done, 'three deliveries')).toEqual([1, 2, 3])
      expect(errors).toHaveLength(3)
      expect(errors[0]).toBeInstanceOf(SubscriberError)
      expect((errors[0] as SubscriberError).channel).toBe(ch)
      expect(((errors[0] as SubscriberError).cause as Error).message).toBe('boom')
    })

    it('a slow async handler never delays another subscription', async () => {
      const bus = await pool.connect()
      const ch = uniq('slow')
      const release = deferred<void>()
      const slowSeen: unknown[] = []
      await bus.subscribe(ch, async (d) => {
        slowSeen.push(d)
        await release.promise
      })
      const fast = collector<unknown>(50)
      await bus.subscribe(ch, (d) => fast.push(d))
      for (let i = 0; i < 50; i++) await bus.publish(ch, i)
      expect(await withTimeout(fast.done, 'fast subscription')).toHaveLength(50)
      expect(slowSeen).toEqual([0])
      release.resolve()
    })

    it('hands messages to an async handler one at a time, in publish order', async () => {
      const bus = await pool.connect()
      const ch = uniq('order')
      const seen = collector<number>(500)
      let running = 0
      let overlap = false
      await bus.subscribe(ch, async (d) => {
        running += 1
        if (running > 1) overlap = true
        await Promise.resolve()
        running -= 1
        seen.push(d as number)
      })
      const b = bus.batch()
      for (let i = 0; i < 500; i++) b.publish(ch, i)
      await b.exec()
      expect(await withTimeout(seen.done, '500 messages')).toEqual([...Array(500).keys()])
      expect(overlap).toBe(false)
    })

    it('batch() publishes everything and returns each receiver count', async () => {
      const bus = await pool.connect()
      const [x, y] = [uniq('x'), uniq('y')]
      const seen = collector<unknown>(2)
      await bus.subscribe(x, (d) => seen.push(d))
      const counts = await bus.batch().publish(x, 1).publish(y, 2).publish([x, y], 3).exec()
      expect(counts).toEqual([1, 0, 1])
      expect(await withTimeout(seen.done, 'batched messages')).toEqual([1, 3])
    })

    it('drops a malformed message with MalformedMessageError and keeps the next one', async () => {
      const bus = await pool.connect({ codec: 'json' })
      const ch = uniq('malformed')
      const errors: SwitchboardError[] = []
      bus.on('error', (e) => errors.push(e))
      const got = collector<unknown>(1)
      await bus.subscribe(ch, (d) => got.push(d))
      await bus.publish(ch, 'not json {', {
        codec: { name: 'text', encode: (v) => Buffer.from(String(v)), decode: (b) => b },
      })
      await bus.publish(ch, { ok: true })
      expect(await withTimeout(got.done, 'the good message')).toEqual([{ ok: true }])
      expect(errors).toHaveLength(1)
      expect(errors[0]).toBeInstanceOf(MalformedMessageError)
      expect((errors[0] as MalformedMessageError).channel).toBe(ch)
      expect(Buffer.from((errors[0] as MalformedMessageError).preview ?? []).toString()).toBe('not json {')
      expect(bus.stats().malformed).toBe(1)
    })

    it('close() waits for running handlers, ends iterators, then rejects calls with ClosedError', async () => {
      const bus = await pool.connect()
      const ch = uniq('close')
      const started = deferred<void>()
      let finished = false
      await bus.subscribe(ch, async () => {
        started.resolve()
        await new Promise((r) => setImmediate(r))
        finished = true
      })
      const iter = await bus.subscribe(uniq('iter'))
      await bus.publish(ch, 1)
      await withTimeout(started.promise, 'handler start')
      await bus.close()
      expect(finished).toBe(true)
      await withTimeout(iter.closed, 'iterator end')
      expect((await iter[Symbol.asyncIterator]().next()).done).toBe(true)
      await expect(bus.publish(ch, 1)).rejects.toBeInstanceOf(ClosedError)
      await expect(bus.subscribe(ch)).rejects.toBeInstanceOf(ClosedError)
      await expect(bus.numsub(ch)).rejects.toBeInstanceOf(ClosedError)
      expect(() => bus.batch()).toThrow(ClosedError)
    })

    it('broadcast is publish', async () => {
      const bus = await pool.connect()
      const ch = uniq('bc')
      const got = deferred<unknown>()
      await bus.subscribe(ch, (d) => got.resolve(d))
      expect(await bus.broadcast(ch, { hello: 'world' })).toBe(1)
      expect(await withTimeout(got.promise, 'broadcast')).toEqual({ hello: 'world' })
    })
  })
}
