import { afterEach, describe, expect, it } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { rawCodec } from '../../src/codec/raw.js'
import { SubscriberError } from '../../src/errors.js'
import type { Message } from '../../src/pubsub/message.js'
import { Publisher } from '../../src/pubsub/publisher.js'
import { Subscriber } from '../../src/pubsub/subscriber.js'
import { collector, uniq, until, withTimeout } from '../helpers/wait.js'

interface Order {
  id: number
  status: string
}

class OrderStatusPublisher extends Publisher<Order> {}

describe('Popoto-style Publisher and Subscriber', () => {
  let bus: Bus
  afterEach(() => bus?.close())

  async function fresh(): Promise<Bus> {
    bus = await connect(`memory://${uniq('popoto')}`)
    return bus
  }

  /** Polls until poll() throws, and returns what it threw. */
  async function pollUntilThrows(s: { poll(): Promise<boolean> }): Promise<unknown> {
    let thrown: unknown
    await until(async () => {
      try {
        await s.poll()
        return false
      } catch (error) {
        thrown = error
        return true
      }
    }, 'poll() to throw')
    return thrown
  }

  /** Polls until a message was handled. */
  async function pollOne(s: { poll(): Promise<boolean> }): Promise<void> {
    await until(() => s.poll(), 'a handled message')
  }

  it('names the channel after the class, overridable at init', async () => {
    await fresh()
    expect(new OrderStatusPublisher({ bus }).channelName).toBe('OrderStatusPublisher')
    expect(new OrderStatusPublisher({ bus, channelName: 'order_updates' }).channelName).toBe('order_updates')
  })

  it('a per-call channel covers that call only, including inside a batch', async () => {
    await fresh()
    const p = new OrderStatusPublisher({ bus, channelName: 'order_updates' })
    const seen = collector<[string, unknown]>(4)
    await bus.subscribe(['order_updates', 'vip_orders'], (d, msg) => seen.push([msg.channel, d]))
    await p.publish({ id: 1, status: 'a' }, { channelName: 'vip_orders' })
    await p.publish({ id: 2, status: 'b' })
    const batch = bus.batch()
    p.publish({ id: 3, status: 'c' }, { channelName: 'vip_orders', batch })
    p.publish({ id: 4, status: 'd' }, { batch })
    expect(await batch.exec()).toEqual([1, 1])
    expect(await withTimeout(seen.done, 'four messages')).toEqual([
      ['vip_orders', { id: 1, status: 'a' }],
      ['order_updates', { id: 2, status: 'b' }],
      ['vip_orders', { id: 3, status: 'c' }],
      ['order_updates', { id: 4, status: 'd' }],
    ])
  })

  it('publishes falsy payloads as themselves', async () => {
    await fresh()
    const p = new Publisher<unknown>({ bus, channelName: 'falsy' })
    const payloads = [{ x: 1 }, 0, '', false, {}, null, []]
    const seen = collector<unknown>(payloads.length)
    await bus.subscribe('falsy', (d) => seen.push(d))
    for (const v of payloads) await p.publish(v)
    expect(await withTimeout(seen.done, 'falsy payloads')).toEqual(payloads)
  })

  it('runs preHandle before handle, and a throwing preHandle skips handle and throws from poll()', async () => {
    await fresh()
    const calls: string[] = []
    class Orders extends Subscriber<Order> {
      static override channels = ['order_updates', 'order:*']
      override preHandle(channel: string, data: Order) {
        calls.push(`pre:${channel}:${data.id}`)
        if (data.status === 'bad') throw new Error('rejected in preHandle')
      }
      handle(channel: string, data: Order) {
        calls.push(`handle:${channel}:${data.id}`)
      }
    }
    const s = new Orders({ bus })
    expect(s.channels).toEqual(['order_updates', 'order:*'])
    expect(await s.poll()).toBe(false)
    await bus.publish('order_updates', { id: 1, status: 'ok' })
    await pollOne(s)
    await bus.publish('order:9', { id: 2, status: 'bad' })
    const thrown = await pollUntilThrows(s)
    expect(thrown).toBeInstanceOf(SubscriberError)
    expect(((thrown as SubscriberError).cause as Error).message).toBe('rejected in preHandle')
    expect(calls).toEqual(['pre:order_updates:1', 'handle:order_updates:1', 'pre:order:9:2'])
    await s.stop()
  })

  it('poll() handles at most one message and returns a boolean', async () => {
    await fresh()
    const handled: unknown[] = []
    class Counter extends Subscriber<number> {
      static override channels = ['counter']
      handle(_c: string, data: number) {
        handled.push(data)
      }
    }
    const s = new Counter({ bus })
    await s.subscribe()
    await bus.publish('counter', 1)
    await bus.publish('counter', 2)
    await pollOne(s)
    expect(handled).toEqual([1])
    expect(await s.poll()).toBe(true)
    expect(handled).toEqual([1, 2])
    expect(await s.poll()).toBe(false)
    await s.stop()
  })

  it('a handler error is thrown from poll() as SubscriberError with cause', async () => {
    await fresh()
    const cause = new Error('handler broke')
    class Failing extends Subscriber {
      static override channels = ['failing']
      handle() {
        throw cause
      }
    }
    const s = new Failing({ bus })
    await s.subscribe()
    await bus.publish('failing', 1)
    const error = await pollUntilThrows(s)
    expect(error).toBeInstanceOf(SubscriberError)
    expect((error as SubscriberError).cause).toBe(cause)
    await s.stop()
  })

  it('a malformed message is logged and dropped by poll(), without throwing', async () => {
    bus = await connect({ url: `memory://${uniq('popoto')}`, codec: 'json' })
    const handled: unknown[] = []
    class Json extends Subscriber {
      static override channels = ['json']
      handle(_c: string, d: unknown) {
        handled.push(d)
      }
    }
    const errors: unknown[] = []
    bus.on('error', (e) => errors.push(e))
    const s = new Json({ bus })
    await s.subscribe()
    await bus.publish('json', Buffer.from('{broken'), { codec: rawCodec })
    await bus.publish('json', { fine: 1 })
    await pollOne(s)
    expect(handled).toEqual([{ fine: 1 }])
    expect(errors).toHaveLength(1)
    await s.stop()
  })

  it('start() handles in the background and stop() ends it; handler errors go to the error event', async () => {
    await fresh()
    const seen = collector<Message>(2)
    const errors: unknown[] = []
    bus.on('error', (e) => errors.push(e))
    class Background extends Subscriber<number> {
      static override channels = ['bg']
      handle(_c: string, data: number, msg: Message<number>) {
        if (data === 2) throw new Error('two')
        seen.push(msg as Message)
      }
    }
    const s = new Background({ bus })
    await s.start()
    for (const n of [1, 2, 3]) await bus.publish('bg', n)
    const got = await withTimeout(seen.done, 'background handling')
    expect(got.map((m) => m.data)).toEqual([1, 3])
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(SubscriberError)
    await s.stop()
    expect(await bus.numsub('bg')).toBe(0)
  })

  it('hears what is published once it is ready, before the first poll(), as Popoto does', async () => {
    await fresh()
    class Early extends Subscriber<number> {
      static override channels = ['early']
      readonly handled: number[] = []
      handle(_c: string, data: number) {
        this.handled.push(data)
      }
    }
    const s = new Early({ bus })
    await s.ready
    await bus.publish('early', 1)
    await bus.publish('early', 2)
    await pollOne(s)
    await pollOne(s)
    expect(s.handled).toEqual([1, 2])
    await s.stop()
  })

  it('start() first handles, in order, what waited since creation, then what arrives', async () => {
    await fresh()
    const seen = collector<number>(4)
    class Later extends Subscriber<number> {
      static override channels = ['later']
      async handle(_c: string, data: number) {
        await Promise.resolve()
        seen.push(data)
      }
    }
    const s = new Later({ bus })
    await s.ready
    await bus.publish('later', 1)
    await bus.publish('later', 2)
    await until(async () => (await s.subscribe()).pending === 2, 'two messages waiting')
    await s.start()
    await bus.publish('later', 3)
    await bus.publish('later', 4)
    expect(await withTimeout(seen.done, 'four handled')).toEqual([1, 2, 3, 4])
    await expect(s.poll()).rejects.toThrow(/not start\(\)ed/)
    await s.stop()
    expect(await bus.numsub('later')).toBe(0)
  })

  it('refuses construction without a bus', () => {
    expect(() => new OrderStatusPublisher({} as never)).toThrow(/needs \{ bus \}/)
  })
})
