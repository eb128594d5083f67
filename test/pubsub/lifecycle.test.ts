import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../../src/client/connect.js'
import { InvalidArgumentError } from '../../src/errors.js'
import { BusPool, busTargets } from '../helpers/bus-targets.js'
import { collector, deferred, uniq, withTimeout } from '../helpers/wait.js'

for (const target of busTargets()) {
  describe.skipIf(!target.available)(`Bus lifecycle on ${target.name}`, () => {
    const pool = new BusPool()
    beforeAll(async () => {
      pool.url = await target.setup()
    })
    afterEach(() => pool.closeAll())
    afterAll(() => target.teardown())

    it('close() lets a running handler publish before the connections close', async () => {
      const bus = await pool.connect()
      const watcher = await pool.connect()
      const [inbox, outbox] = [uniq('in'), uniq('out')]
      const forwarded = deferred<unknown>()
      await watcher.subscribe(outbox, (d) => forwarded.resolve(d))
      const started = deferred<void>()
      await bus.subscribe(inbox, async (d) => {
        started.resolve()
        await new Promise((r) => setTimeout(r, 20))
        await bus.publish(outbox, { forwarded: d })
      })
      await bus.publish(inbox, 1)
      await withTimeout(started.promise, 'handler start')
      await bus.close()
      expect(await withTimeout(forwarded.promise, 'the message published during close')).toEqual({
        forwarded: 1,
      })
    })

    it('close() is bounded by closeTimeoutMs, and counts the backlog it discards', async () => {
      const bus = await pool.connect({ closeTimeoutMs: 100 })
      const ch = uniq('stuck')
      const started = deferred<void>()
      await bus.subscribe(ch, () => {
        started.resolve()
        return new Promise(() => {})
      })
      for (let i = 0; i < 3; i++) await bus.publish(ch, i)
      await withTimeout(started.promise, 'handler start')
      await withTimeout(bus.close(), 'close() despite a handler that never finishes')
      expect(bus.stats().dropped).toBeGreaterThanOrEqual(1)
    })

    it('unsubscribe() hands a handler its backlog before it ends', async () => {
      const bus = await pool.connect()
      const ch = uniq('backlog')
      const handled = collector<unknown>(5)
      const sentinel = deferred<void>()
      await bus.subscribe(ch, (d) => {
        if (d === 4) sentinel.resolve()
      })
      const sub = await bus.subscribe(ch, async (d) => {
        await new Promise((r) => setTimeout(r, 5))
        handled.push(d)
      })
      for (let i = 0; i < 5; i++) await bus.publish(ch, i)
      await withTimeout(sentinel.promise, 'all five delivered')
      await sub.unsubscribe()
      expect(handled.items).toEqual([0, 1, 2, 3, 4])
      expect(sub.stats.dropped).toBe(0)
    })

    it('a subscribe racing an unsubscribe of the same channel hears what follows', async () => {
      const bus = await pool.connect()
      const ch = uniq('race')
      const first = await bus.subscribe(ch, () => {})
      const leaving = first.unsubscribe()
      const got = deferred<unknown>()
      await bus.subscribe(ch, (d) => got.resolve(d))
      await leaving
      expect(await bus.publish(ch, 'still here')).toBe(1)
      expect(await withTimeout(got.promise, 'delivery to the new subscription')).toBe('still here')
    })

    it("emits 'connected' just after connect() resolves", async () => {
      const bus = await pool.connect()
      const connected = deferred<void>()
      bus.on('connected', () => connected.resolve())
      await withTimeout(connected.promise, 'connected event')
    })
  })
}

describe('Batch and events', () => {
  it('sums receivers per publish() even when each lists several channels, and refuses an empty list', async () => {
    const bus = await connect(`memory://${uniq('batch')}`)
    try {
      const [a, b] = [uniq('a'), uniq('b')]
      await bus.subscribe([a, b], () => {})
      const batch = bus.batch().publish([a, b], 1)
      expect(() => batch.publish([], 2)).toThrow(InvalidArgumentError)
      expect(await batch.publish(a, 3).exec()).toEqual([2, 1])
    } finally {
      await bus.close()
    }
  })

  it('off() removes a once() listener', async () => {
    const bus = await connect(`memory://${uniq('once')}`)
    try {
      let calls = 0
      const listener = () => {
        calls += 1
      }
      bus.once('overflow', listener)
      bus.off('overflow', listener)
      const sub = await bus.subscribe(uniq('ch'), { bufferSize: 1 })
      const ch = sub.names[0] as string
      await bus.batch().publish(ch, 1).publish(ch, 2).exec()
      const done = deferred<void>()
      bus.on('overflow', () => done.resolve())
      await bus.batch().publish(ch, 3).publish(ch, 4).exec()
      await withTimeout(done.promise, 'overflow event')
      expect(calls).toBe(0)
    } finally {
      await bus.close()
    }
  })
})
