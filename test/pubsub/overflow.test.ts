import { afterEach, describe, expect, it } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { BufferOverflowError } from '../../src/errors.js'
import { MessageBuffer } from '../../src/pubsub/message-buffer.js'
import type { OverflowInfo } from '../../src/pubsub/subscription.js'
import { deferred, uniq, until, withTimeout } from '../helpers/wait.js'

describe('MessageBuffer', () => {
  it('drop-oldest keeps the newest items within capacity', () => {
    const b = new MessageBuffer<number>(3, 'drop-oldest')
    const outcomes = [1, 2, 3, 4, 5].map((n) => b.push(n))
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'dropped', 'dropped'])
    expect([b.shift(), b.shift(), b.shift(), b.shift()]).toEqual([3, 4, 5, undefined])
  })

  it('drop-newest keeps the oldest items', () => {
    const b = new MessageBuffer<number>(2, 'drop-newest')
    expect([1, 2, 3].map((n) => b.push(n))).toEqual(['ok', 'ok', 'dropped'])
    expect([b.shift(), b.shift()]).toEqual([1, 2])
  })

  it('error refuses the item that does not fit', () => {
    const b = new MessageBuffer<number>(1, 'error')
    expect([b.push(1), b.push(2)]).toEqual(['ok', 'overflow'])
    expect(b.length).toBe(1)
  })
})

describe('bounded subscription buffers', () => {
  let bus: Bus
  afterEach(() => bus?.close())

  async function publishMany(ch: string, n: number): Promise<void> {
    const batch = bus.batch()
    for (let i = 0; i < n; i++) batch.publish(ch, i)
    await batch.exec()
  }

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
    expect(bus.stats().dropped).toBe(1)
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
    expect(errors[0]).toBeInstanceOf(BufferOverflowError)
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
