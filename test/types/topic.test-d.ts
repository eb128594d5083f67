import { describe, expectTypeOf, it } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import type { DeadLetterEntry } from '../../src/durable/dead-letters.js'
import type { TopicMessage } from '../../src/durable/entry.js'
import type { TopicInfo } from '../../src/durable/topic-store.js'

interface Order {
  id: number
  status: string
}

declare const bus: Bus

describe('durable topics', () => {
  it('types payloads, handlers and messages by the topic type', async () => {
    const orders = bus.topic<Order>('orders', { maxLen: 1000 })
    expectTypeOf(orders.publish({ id: 1, status: 'new' })).resolves.toEqualTypeOf<string>()
    // @ts-expect-error a payload of the wrong type does not compile
    orders.publish({ id: 'one' })
    await orders.consume('billing', (order, msg) => {
      expectTypeOf(order).toEqualTypeOf<Order>()
      expectTypeOf(msg).toEqualTypeOf<TopicMessage<Order>>()
      expectTypeOf(msg.attempt).toEqualTypeOf<number>()
    })
    for await (const msg of orders.read({ from: new Date() })) expectTypeOf(msg.data).toEqualTypeOf<Order>()
    expectTypeOf(orders.cancel('k')).resolves.toEqualTypeOf<boolean>()
    expectTypeOf(orders.info()).resolves.toEqualTypeOf<TopicInfo>()
    expectTypeOf(orders.deadLetters('billing').list()).resolves.toEqualTypeOf<Array<DeadLetterEntry<Order>>>()
    expectTypeOf(orders.deadLetters('billing').replay('all')).resolves.toEqualTypeOf<number>()
  })
})
