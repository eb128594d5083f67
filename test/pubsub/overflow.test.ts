import { afterEach, describe, expect, it } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { BufferOverflowError, InvalidArgumentError } from '../../src/errors.js'
import type { OverflowInfo } from '../../src/pubsub/subscription.js'
import { deferred, uniq, until, withTimeout } from '../helpers/wait.js'

let bus: Bus
afterEach(() => bus?.close())

async function publishMany(ch: string, n: number): Promise<void> {
  const batch = bus.batch()
  for (let i = 0; i < n; i++) batch.publish(ch, i)
  await batch.exec()
}

describe('bounded subscription buffers', () => {
  it('drop-oldest: an unread iterator keeps the newest bufferSize messages, counts and reports the rest', async () => {
    bus = await connect(`memory://${uniq('overflow')}`)
    const ch = uniq('ch')
    const reports: OverflowInfo[] = []
    bus.on('overflow', (info) => reports.push(info))
    const sub = await bus.subscribe(ch, { bufferSize: 100 })
    const sentinel = deferred<void>()
    await bus.subscribe(ch, (d) => {
      if (d === 999) sentinel.resolve()
    })
    await publishMany(ch, 1000)
    await withTimeout(sentinel.promise, 'all 1000 delivered')
    expect(sub.pending).toBe(100)
    expect(sub.stats.dropped).toBe(900)
    expect(reports).toHaveLength(1)
    expect(reports[0]).toMatchObject({ channel: ch, policy: 'drop-oldest', dropped: 1 })
    expect((await sub.poll())?.data).toBe(900)
    // The bus counts the messages lost, as the subscription does: not the one episode.
    expect(bus.stats().dropped).toBe(900)
  })

  it('drop-newest keeps the first messages', async () => {
    bus = await connect(`memory://${uniq('overflow')}`)
    const ch = uniq('ch')
    const sub = await bus.subscribe(ch, { bufferSize: 10, overflow: 'drop-newest' })
    await publishMany(ch, 50)
    await until(() => sub.stats.received === 50, 'all received')
    expect(sub.stats.dropped).toBe(40)
    expect((await sub.poll())?.data).toBe(0)
  })

  it('error: the subscription fails with BufferOverflowError after what it buffered', async () => {
    bus = await connect(`memory://${uniq('overflow')}`)
    const ch = uniq('ch')
    const errors: unknown[] = []
    bus.on('error', (e) => errors.push(e))
    const sub = await bus.subscribe(ch, { bufferSize: 5, overflow: 'error' })
    await publishMany(ch, 20)
    await withTimeout(sub.closed, 'the subscription to end')
    const seen: unknown[] = []
    await expect(
      (async () => {
        for await (const msg of sub) seen.push(msg.data)
      })(),
    ).rejects.toBeInstanceOf(BufferOverflowError)
    expect(seen).toEqual([0, 1, 2, 3, 4])
    // Reported once, however many more arrived before the unsubscribe was confirmed.
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(BufferOverflowError)
    expect(sub.stats.dropped).toBe(sub.stats.received - 5)
    expect(await bus.numsub(ch)).toBe(0)
  })

  it('a slow handler is bounded too: its backlog never passes bufferSize', async () => {
    bus = await connect(`memory://${uniq('overflow')}`)
    const ch = uniq('ch')
    const release = deferred<void>()
    const sub = await bus.subscribe(ch, () => release.promise, { bufferSize: 10 })
    await publishMany(ch, 100)
    await until(() => sub.stats.received === 100, 'all received')
    expect(sub.pending).toBe(10)
    expect(sub.stats.dropped).toBe(89)
    release.resolve()
  })
})

/** How a Subscription is read (iterator, poll) over its bounded buffer. */
describe('reading a subscription', () => {
  it('one consumer at a time: a second read while one waits is refused, the first still served', async () => {
    bus = await connect(`memory://${uniq('reading')}`)
    const ch = uniq('ch')
    const sub = await bus.subscribe(ch)
    const first = sub[Symbol.asyncIterator]().next()
    await expect(sub[Symbol.asyncIterator]().next()).rejects.toThrow(
      'a subscription can be read by one consumer at a time',
    )
    await bus.publish(ch, 'hello')
    expect((await withTimeout(first, 'the first reader')).value?.data).toBe('hello')
  })

  it('a subscription with a handler can be neither iterated nor polled', async () => {
    bus = await connect(`memory://${uniq('reading')}`)
    const sub = await bus.subscribe(uniq('ch'), () => {})
    await expect(sub[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(InvalidArgumentError)
    await expect(sub.poll()).rejects.toBeInstanceOf(InvalidArgumentError)
  })

  it('overflow is reported once per episode: again only after the buffer had room', async () => {
    bus = await connect(`memory://${uniq('reading')}`)
    const ch = uniq('ch')
    const reports: OverflowInfo[] = []
    bus.on('overflow', (info) => reports.push(info))
    const sub = await bus.subscribe(ch, { bufferSize: 2 })
    await publishMany(ch, 5)
    await until(() => sub.stats.received === 5, 'the first flood')
    expect(reports.map((r) => r.dropped)).toEqual([1])
    expect([(await sub.poll())?.data, (await sub.poll())?.data]).toEqual([3, 4])
    await publishMany(ch, 5)
    await until(() => sub.stats.received === 10, 'the second flood')
    expect(reports.map((r) => r.dropped)).toEqual([1, 4])
    expect(sub.stats.dropped).toBe(6)
  })

  it("poll() after an 'error' overflow gives what was buffered, then the BufferOverflowError", async () => {
    bus = await connect(`memory://${uniq('reading')}`)
    const ch = uniq('ch')
    bus.on('error', () => {})
    const sub = await bus.subscribe(ch, { bufferSize: 2, overflow: 'error' })
    await publishMany(ch, 3)
    await withTimeout(sub.closed, 'the failed subscription to end')
    expect([(await sub.poll())?.data, (await sub.poll())?.data]).toEqual([0, 1])
    await expect(sub.poll()).rejects.toBeInstanceOf(BufferOverflowError)
  })

  it('a reader waiting when the subscription ends is told done', async () => {
    bus = await connect(`memory://${uniq('reading')}`)
    const sub = await bus.subscribe(uniq('ch'))
    const waiting = sub[Symbol.asyncIterator]().next()
    await sub.unsubscribe()
    expect(await withTimeout(waiting, 'the end of the loop')).toEqual({ value: undefined, done: true })
  })

  it('an unknown overflow policy is refused, not treated as drop-oldest', async () => {
    bus = await connect(`memory://${uniq('reading')}`)
    await expect(
      bus.subscribe(uniq('ch'), { overflow: 'drop-random' as unknown as 'error' }),
    ).rejects.toBeInstanceOf(InvalidArgumentError)
  })
})
