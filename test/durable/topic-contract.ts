import { describe, expect, it } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import type { ConnectOptions } from '../../src/client/connect-options.js'
import type { TopicMessage } from '../../src/durable/entry.js'
import { InvalidArgumentError, PayloadTooLargeError } from '../../src/errors.js'
import { collector, deferred, uniq, until, withTimeout } from '../helpers/wait.js'

/** Makes a bus on the broker of the current test: every bus one test makes shares it. */
export type MakeBus = (options?: Omit<ConnectOptions<object>, 'url'>) => Promise<Bus>

const FAST = { backoff: { type: 'fixed', delayMs: 20, jitter: 0 } } as const

/**
 * The durable topic contract: one suite, run against the embedded broker and against Redis
 * (memory.topic.test.ts, redis.topic.test.ts).
 */
export function runTopicContract(kind: string, makeBus: MakeBus, buses: Bus[]): void {
  const bus = async (options?: Omit<ConnectOptions<object>, 'url'>) => {
    const made = await makeBus(options)
    buses.push(made)
    return made
  }

  describe(`durable topic contract: ${kind}`, () => {
    it('publish resolves to the entry id; read() replays it with id, data, attempt, timestamp, headers', async () => {
      const b = await bus()
      const topic = b.topic<{ n: number }>(uniq('t'))
      const before = Date.now()
      const id = await topic.publish({ n: 1 }, { headers: { trace: 'abc' } })
      expect(id).toMatch(/^\d+-\d+$/)
      const read: Array<TopicMessage<{ n: number }>> = []
      for await (const msg of topic.read({ from: '0' })) read.push(msg)
      expect(read).toHaveLength(1)
      expect(read[0]).toMatchObject({ id, data: { n: 1 }, attempt: 1, headers: { trace: 'abc' } })
      expect(read[0]?.timestamp).toBeGreaterThanOrEqual(before - 1000)
    })

    it('each group gets every entry; within a group each entry goes to one consumer', async () => {
      const [a, b] = [await bus(), await bus()]
      const name = uniq('t')
      const total = 300
      const billing = new Map<number, number>()
      const shipping = collector<number>(total)
      const count = (n: number) => billing.set(n, (billing.get(n) ?? 0) + 1)
      await a.topic<number>(name).consume('billing', (n) => void count(n), { concurrency: 5 })
      await b.topic<number>(name).consume('billing', (n) => void count(n), { concurrency: 5 })
      await a.topic<number>(name).consume('shipping', (n) => shipping.push(n))
      const topic = a.topic<number>(name)
      await Promise.all(Array.from({ length: total }, (_, i) => topic.publish(i)))
      await withTimeout(shipping.done, 'shipping to get every entry', 15_000)
      await until(() => billing.size === total, 'billing to get every entry', 15_000)
      expect([...billing.values()].every((times) => times === 1)).toBe(true)
      expect(new Set(shipping.items).size).toBe(total)
      await until(async () => (await topic.info()).groups.every((g) => g.pending === 0), 'acks', 10_000)
      const info = await topic.info()
      expect(info.length).toBe(total)
      expect(info.groups.map((g) => g.name).sort()).toEqual(['billing', 'shipping'])
      expect(info.groups.find((g) => g.name === 'billing')).toMatchObject({
        pending: 0,
        lag: 0,
        deadLetters: 0,
      })
    })

    it('a handler that throws is retried with backoff, attempt counting up, without blocking other entries', async () => {
      const b = await bus()
      const topic = b.topic<string>(uniq('t'))
      const attempts: number[] = []
      const others = collector<string>(3)
      const done = deferred<TopicMessage<string>>()
      await topic.consume(
        'g',
        (data, msg) => {
          if (data !== 'flaky') return others.push(data)
          attempts.push(msg.attempt)
          if (msg.attempt < 3) throw new Error('not yet')
          done.resolve(msg)
        },
        { ...FAST, concurrency: 1, maxAttempts: 5 },
      )
      const id = await topic.publish('flaky')
      for (const other of ['a', 'b', 'c']) await topic.publish(other)
      await withTimeout(others.done, 'the other entries while flaky waits', 10_000)
      const msg = await withTimeout(done.promise, 'the third attempt', 10_000)
      expect(attempts).toEqual([1, 2, 3])
      expect(msg.id).toBe(id)
      await until(async () => (await topic.info()).groups[0]?.pending === 0, 'the ack', 10_000)
      expect((await topic.info()).scheduled).toBe(0)
    })

    it('after maxAttempts an entry goes to the dead letters; replay sends it back to that group only', async () => {
      const b = await bus()
      const topic = b.topic<string>(uniq('t'))
      let failing = true
      const seen: string[] = []
      const replayed = deferred<TopicMessage<string>>()
      const other = collector<string>(1)
      await topic.consume('other', (d) => other.push(d))
      await topic.consume(
        'billing',
        (data, msg) => {
          seen.push(`${data}#${msg.attempt}`)
          if (failing) throw new Error(`boom ${msg.attempt}`)
          replayed.resolve(msg)
        },
        { ...FAST, maxAttempts: 2 },
      )
      const id = await topic.publish('x')
      const dead = topic.deadLetters('billing')
      await until(async () => (await dead.list()).length === 1, 'the dead letter', 10_000)
      const [letter] = await dead.list({ count: 10 })
      expect(letter).toMatchObject({
        originalId: id,
        group: 'billing',
        error: 'boom 2',
        attempts: 2,
        data: 'x',
      })
      expect(seen).toEqual(['x#1', 'x#2'])
      expect((await topic.info()).groups.find((g) => g.name === 'billing')?.deadLetters).toBe(1)
      failing = false
      expect(await dead.replay('all')).toBe(1)
      const msg = await withTimeout(replayed.promise, 'the replayed entry', 10_000)
      expect(msg).toMatchObject({ id, data: 'x', attempt: 1 })
      expect(await dead.list()).toEqual([])
      expect(await dead.replay('all')).toBe(0)
      await withTimeout(other.done, 'the other group', 5000)
      expect(other.items).toEqual(['x'])
    })

    it('replay(id) replays one dead letter', async () => {
      const b = await bus()
      const topic = b.topic<string>(uniq('t'))
      const got = collector<string>(1)
      let fail = true
      await topic.consume(
        'g',
        (d) => {
          if (fail) throw new Error('no')
          got.push(d)
        },
        { maxAttempts: 1 },
      )
      await topic.publish('a')
      await topic.publish('b')
      const dead = topic.deadLetters('g')
      await until(async () => (await dead.list()).length === 2, 'two dead letters', 10_000)
      const [first] = await dead.list()
      fail = false
      expect(await dead.replay(first?.id ?? '')).toBe(1)
      await withTimeout(got.done, 'the replayed one', 10_000)
      expect(got.items).toEqual(['a'])
      expect((await dead.list()).map((l) => l.data)).toEqual(['b'])
    })

    it('an entry whose bytes cannot be decoded goes to the dead letters at once, never retried', async () => {
      const raw = await bus({ codec: 'raw' })
      const b = await bus()
      const name = uniq('t')
      let calls = 0
      await b.topic(name).consume(
        'g',
        () => {
          calls += 1
        },
        { ...FAST, maxAttempts: 5 },
      )
      // 0xc1 is the one byte msgpack never uses.
      await raw.topic<Uint8Array>(name).publish(new Uint8Array([0xc1, 0xc1]))
      const dead = b.topic(name).deadLetters('g')
      await until(async () => (await dead.list()).length === 1, 'the dead letter', 10_000)
      const [letter] = await dead.list()
      expect(letter?.attempts).toBe(1)
      expect(letter?.error).toMatch(/decode|msgpack|malformed/i)
      expect(calls).toBe(0)
    })

    it('a delayed entry is scheduled, then delivered once due; at takes a Date', async () => {
      const b = await bus()
      const topic = b.topic<string>(uniq('t'))
      const got = collector<TopicMessage<string>>(2)
      await topic.consume('g', (_d, msg) => got.push(msg))
      const scheduleId = await topic.publish('later', { delayMs: 300 })
      await topic.publish('at', { at: new Date(Date.now() + 200) })
      expect(scheduleId).not.toMatch(/^\d+-\d+$/)
      const scheduled = (await topic.info()).scheduled
      expect(scheduled).toBeGreaterThan(0)
      const msgs = await withTimeout(got.done, 'both scheduled entries', 10_000)
      expect(msgs.map((m) => m.data).sort()).toEqual(['at', 'later'])
      expect((await topic.info()).scheduled).toBe(0)
    })

    it('cancel() removes a scheduled entry by key or id: true while pending, false after', async () => {
      const b = await bus()
      const topic = b.topic<string>(uniq('t'))
      const got = collector<string>(1)
      await topic.consume('g', (d) => got.push(d))
      await topic.publish('cancelled-by-key', { delayMs: 200, key: 'k1' })
      const id = await topic.publish('cancelled-by-id', { delayMs: 200 })
      expect(await topic.cancel('k1')).toBe(true)
      expect(await topic.cancel(id)).toBe(true)
      expect(await topic.cancel('k1')).toBe(false)
      expect(await topic.cancel(id)).toBe(false)
      await topic.publish('marker', { delayMs: 400 })
      await withTimeout(got.done, 'the marker', 10_000)
      expect(got.items).toEqual(['marker'])
      expect(await topic.cancel('nothing-like-it')).toBe(false)
    })

    it('a key cancelled is free again: a publish under it schedules anew (a reminder rescheduled)', async () => {
      const b = await bus()
      const topic = b.topic<string>(uniq('t'))
      const got = collector<string>(1)
      await topic.consume('g', (d) => got.push(d))
      const first = await topic.publish('first', { delayMs: 60_000, key: 'remind-ada' })
      expect(await topic.cancel('remind-ada')).toBe(true)
      const second = await topic.publish('second', { delayMs: 100, key: 'remind-ada' })
      expect(second).not.toBe(first)
      await withTimeout(got.done, 'the rescheduled entry', 10_000)
      expect(got.items).toEqual(['second'])
    })

    it('a scheduled entry keeps its key until it is due, past dedupeWindowMs: cancel(key) still finds it', async () => {
      const b = await bus()
      const topic = b.topic<string>(uniq('t'), { dedupeWindowMs: 20 })
      const scheduled = await topic.publish('in a week', { delayMs: 7 * 86_400_000, key: 'remind-bo' })
      const once = await topic.publish('now', { key: 'k' })
      await until(async () => (await topic.publish('now', { key: 'k' })) !== once, 'the window to pass', 5000)
      expect(await topic.publish('again', { delayMs: 60_000, key: 'remind-bo' })).toBe(scheduled)
      expect(await topic.cancel('remind-bo')).toBe(true)
      expect((await topic.info()).scheduled).toBe(0)
    })

    it('a key deduplicates within dedupeWindowMs: the duplicate resolves to the first id, writing nothing', async () => {
      const b = await bus()
      const topic = b.topic<string>(uniq('t'))
      const first = await topic.publish('one', { key: 'order-42' })
      expect(await topic.publish('two', { key: 'order-42' })).toBe(first)
      const scheduled = await topic.publish('three', { key: 'order-43', delayMs: 60_000 })
      expect(await topic.publish('four', { key: 'order-43', delayMs: 60_000 })).toBe(scheduled)
      const info = await topic.info()
      expect(info.length).toBe(1)
      expect(info.scheduled).toBe(1)
      const short = b.topic<string>(uniq('t'), { dedupeWindowMs: 50 })
      const a = await short.publish('a', { key: 'k' })
      await until(async () => (await short.publish('b', { key: 'k' })) !== a, 'the window to pass', 5000)
    })

    it('two schedulers on two buses deliver each scheduled entry once', async () => {
      const [a, b] = [await bus(), await bus()]
      const name = uniq('t')
      const seen = new Map<string, number>()
      const count = (d: string) => seen.set(d, (seen.get(d) ?? 0) + 1)
      await a.topic<string>(name).consume('g', (d) => void count(d))
      await b.topic<string>(name).consume('g', (d) => void count(d))
      const total = 100
      await Promise.all(
        Array.from({ length: total }, (_, i) =>
          (i % 2 ? a : b).topic<string>(name).publish(`e${i}`, { delayMs: 50 + (i % 10) * 20 }),
        ),
      )
      await until(() => seen.size === total, 'every scheduled entry', 15_000)
      await until(async () => (await a.topic(name).info()).groups[0]?.pending === 0, 'acks', 10_000)
      expect([...seen.values()].every((n) => n === 1)).toBe(true)
    })

    it('read() starts at an id or a Date, and follows new entries with { follow: true }', async () => {
      const b = await bus()
      const topic = b.topic<number>(uniq('t'))
      const ids: string[] = []
      for (let i = 0; i < 5; i += 1) ids.push(await topic.publish(i))
      const fromId: number[] = []
      for await (const msg of topic.read({ from: ids[2] })) fromId.push(msg.data)
      expect(fromId).toEqual([2, 3, 4])
      const fromDate: number[] = []
      for await (const msg of topic.read({ from: new Date(0) })) fromDate.push(msg.data)
      expect(fromDate).toEqual([0, 1, 2, 3, 4])
      const followed: number[] = []
      const reading = (async () => {
        for await (const msg of topic.read({ from: ids[4], follow: true })) {
          followed.push(msg.data)
          if (msg.data === 6) break
        }
      })()
      await until(() => followed.length === 1, 'the existing entry', 5000)
      await topic.publish(5)
      await topic.publish(6)
      await withTimeout(reading, 'following to the new entries', 10_000)
      expect(followed).toEqual([4, 5, 6])
    })

    it('publishes and deliveries are counted through the instrumentation seam, by topic', async () => {
      const published: string[] = []
      const delivered: string[] = []
      const b = await bus({
        instrumentation: {
          published: (channel) => void published.push(channel),
          delivered: (channel) => void delivered.push(channel),
        },
      })
      const name = uniq('t')
      const got = collector<number>(2)
      await b.topic<number>(name).consume('g', (n) => got.push(n))
      await b.topic<number>(name).publish(1)
      await b.topic<number>(name).publish(2, { delayMs: 10 })
      await withTimeout(got.done, 'both entries', 10_000)
      expect(published.filter((c) => c === name)).toHaveLength(2)
      expect(delivered.filter((c) => c === name)).toHaveLength(2)
    })

    it('consumer.stop() lets in-flight handlers finish and acknowledges them', async () => {
      const b = await bus()
      const topic = b.topic<number>(uniq('t'))
      const started = deferred()
      const release = deferred()
      let finished = 0
      const consumer = await topic.consume('g', async () => {
        started.resolve()
        await release.promise
        finished += 1
      })
      await topic.publish(1)
      await withTimeout(started.promise, 'the handler', 5000)
      const stopping = consumer.stop()
      release.resolve()
      await withTimeout(stopping, 'stop()', 10_000)
      expect(finished).toBe(1)
      expect((await topic.info()).groups[0]?.pending).toBe(0)
    })

    it('maxLen bounds the stream', async () => {
      const b = await bus()
      const topic = b.topic<number>(uniq('t'), { maxLen: 100 })
      for (let i = 0; i < 1000; i += 1) await topic.publish(i)
      const { length } = await topic.info()
      expect(length).toBeGreaterThanOrEqual(100)
      expect(length).toBeLessThan(300)
    })

    it('retentionMs trims entries older than that as entries are added (MINID ~: whole nodes)', async () => {
      const b = await bus()
      const retentionMs = 300
      const topic = b.topic<number>(uniq('t'), { retentionMs })
      for (let i = 0; i < 250; i += 1) await topic.publish(i)
      const lastOld = Date.now()
      expect((await topic.info()).length).toBe(250)
      await until(() => Date.now() > lastOld + retentionMs + 20, 'the old entries to age', 5000)
      const fresh = await topic.publish(1000)
      const kept: number[] = []
      for await (const msg of topic.read({ from: '0' })) kept.push(msg.data)
      // Redis keeps a node (100 entries) that holds a newer entry; the embedded broker trims exactly.
      expect(kept.at(-1)).toBe(1000)
      expect(kept.length).toBeLessThanOrEqual(101)
      expect((await topic.info()).length).toBe(kept.length)
      expect(kept.slice(0, -1)).toEqual(
        Array.from({ length: kept.length - 1 }, (_, i) => 250 - kept.length + 1 + i),
      )
      expect(fresh).toMatch(/^\d+-\d+$/)
    })

    it('bad input is refused with a typed error and nothing written', async () => {
      const b = await bus({ maxPayloadBytes: 1000 })
      const name = uniq('t')
      const topic = b.topic<unknown>(name)
      for (const bad of ['', 'has space', 'brace{', 'x'.repeat(300), 42]) {
        expect(() => b.topic(bad as string)).toThrow(InvalidArgumentError)
      }
      for (const delayMs of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
        await expect(topic.publish(1, { delayMs })).rejects.toThrow(InvalidArgumentError)
      }
      await expect(topic.publish(1, { at: new Date(Number.NaN) })).rejects.toThrow(InvalidArgumentError)
      await expect(topic.publish('x'.repeat(2000))).rejects.toThrow(PayloadTooLargeError)
      await expect(topic.publish('x'.repeat(2000), { delayMs: 10 })).rejects.toThrow(PayloadTooLargeError)
      await expect(topic.consume('g', 'nope' as never)).rejects.toThrow(InvalidArgumentError)
      await expect(topic.consume('bad group', () => {})).rejects.toThrow(InvalidArgumentError)
      await expect(topic.consume('g', () => {}, { concurrency: 0 })).rejects.toThrow(InvalidArgumentError)
      expect(() => topic.deadLetters('')).toThrow(InvalidArgumentError)
      const info = await topic.info()
      expect(info).toEqual({ length: 0, scheduled: 0, groups: [] })
    })
  })
}
