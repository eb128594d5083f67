import { describe, expectTypeOf, it } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import type { Message } from '../../src/pubsub/message.js'
import { Publisher } from '../../src/pubsub/publisher.js'
import { Subscriber } from '../../src/pubsub/subscriber.js'
import { Service } from '../../src/service/service.js'

interface Order {
  id: number
  status: string
}
interface Channels {
  order_updates: Order
  heartbeat: number
}

declare const bus: Bus<Channels>

describe('typed channels', () => {
  it('checks publish payloads against the channel map', () => {
    expectTypeOf(bus.publish('order_updates', { id: 1, status: 'ok' })).resolves.toEqualTypeOf<number>()
    // @ts-expect-error a payload of the wrong type does not compile
    bus.publish('order_updates', { id: 'one' })
    // @ts-expect-error an unknown channel does not compile
    bus.publish('orders', { id: 1, status: 'ok' })
    // @ts-expect-error a batch checks payloads too
    bus.batch().publish('heartbeat', 'not a number')
  })

  it('types subscribe handlers by channel, and patterns by every channel', () => {
    bus.subscribe('order_updates', (data, msg) => {
      expectTypeOf(data).toEqualTypeOf<Order>()
      expectTypeOf(msg).toEqualTypeOf<Message<Order>>()
    })
    bus.subscribe('order_*', (data) => {
      expectTypeOf(data).toEqualTypeOf<Order | number>()
    })
  })
})

describe('a typed bus', () => {
  it('can be given to Publisher, Subscriber and Service, which take any bus', () => {
    new Publisher<Order>({ bus, channelName: 'order_updates' })
    class Orders extends Subscriber<Order> {
      handle() {}
    }
    new Orders({ bus })
    new Service('orders', { bus })
  })
})

describe('names given as bytes', () => {
  it('publish and subscribe take a Uint8Array, typed as any channel of the map', () => {
    const name = Uint8Array.from([0x80, 0x81])
    expectTypeOf(bus.publish(name, { id: 1, status: 'ok' })).resolves.toEqualTypeOf<number>()
    bus.publish([name, 'heartbeat'], 5)
    // @ts-expect-error a payload no channel takes does not compile
    bus.publish(name, 'nothing takes a string')
    // @ts-expect-error text in a list with bytes is still checked against the map
    bus.publish([name, 'orders'], 5)
    bus.subscribe(name, (data, msg) => {
      expectTypeOf(data).toEqualTypeOf<Order | number>()
      expectTypeOf(msg.channelBytes).toEqualTypeOf<Uint8Array>()
      expectTypeOf(msg.patternBytes).toEqualTypeOf<Uint8Array | undefined>()
      bus.publish(msg.channelBytes, 1)
    })
    bus.batch().publish(name, 1)
    expectTypeOf(bus.numsub(name)).resolves.toEqualTypeOf<number>()
  })
})
