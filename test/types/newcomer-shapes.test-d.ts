import { describe, expectTypeOf, test } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import type { Batch } from '../../src/pubsub/batch.js'
import type { Message } from '../../src/pubsub/message.js'
import { Publisher } from '../../src/pubsub/publisher.js'
import { Subscriber } from '../../src/pubsub/subscriber.js'

// The shapes the README shows a newcomer, under strict: each must compile, and each mistake
// beside it must not.

interface Order {
  id: number
  status: string
}
interface Channels {
  order_updates: Order
  kitchen_alerts: { table: number }
}
interface UserService {
  create_user: { payload: { name: string }; result: { id: number }; progress?: number }
  ping: { payload: null; result: 'pong' }
}

declare const bus: Bus<Channels>

describe('an action map with an optional progress (progress?: number)', () => {
  test('types progress on the caller: onProgress, stream()', () => {
    const users = bus.caller<UserService>('user_service')
    void users.request('create_user', { name: 'ada' }, { onProgress: (p: number) => p.toFixed() })
    void users.request(
      'create_user',
      { name: 'ada' },
      { onProgress: (p) => expectTypeOf(p).toEqualTypeOf<number>() },
    )
    // @ts-expect-error: progress values are numbers, not strings
    void users.request('create_user', { name: 'ada' }, { onProgress: (p: string) => p })
    expectTypeOf(users.stream('create_user', { name: 'ada' })).toMatchTypeOf<
      AsyncIterable<number | { id: number }>
    >()
    expectTypeOf(users.stream('create_user', { name: 'ada' })).not.toMatchTypeOf<AsyncIterable<string>>()
    // @ts-expect-error: a wrong payload
    void users.request('create_user', { name: 42 })
    // @ts-expect-error: a wrong action
    void users.request('create_users', { name: 'ada' })
  })

  test('types progress in the service: ctx.progress', () => {
    const app = bus.service<UserService>('user_service')
    app.action('create_user', async (_payload, ctx) => {
      await ctx.progress(50)
      return { id: 1 }
    })
    app.action('create_user', async (_payload, ctx) => {
      // @ts-expect-error: a wrong progress value
      await ctx.progress('not a number')
      return { id: 1 }
    })
    // @ts-expect-error: a wrong action
    app.action('delete_user', async () => ({ id: 1 }))
  })
})

describe('Popoto classes on a typed bus', () => {
  test('a Publisher queues into the batch of a typed bus, and gives that batch back', () => {
    class OrderStatusPublisher extends Publisher<Order> {}
    const p = new OrderStatusPublisher({ bus, channelName: 'order_updates' })
    const batch = bus.batch()
    expectTypeOf(p.publish({ id: 1, status: 'ok' }, { batch })).toEqualTypeOf<Batch<Channels>>()
    expectTypeOf(p.publish({ id: 1, status: 'ok' }, { batch, channelName: 'order:1' })).toEqualTypeOf<
      Batch<Channels>
    >()
    // @ts-expect-error: a wrong payload for the publisher's type
    p.publish({ id: 'one' }, { batch })
    expectTypeOf(p.publish({ id: 1, status: 'ok' })).resolves.toEqualTypeOf<number>()
  })

  test('a Subscriber subclass types its methods as the README shows', () => {
    class Orders extends Subscriber<Order> {
      static override channels = ['order_updates']
      override preHandle(_channel: string, order: Order) {
        if (order.id <= 0) throw new Error('bad order')
      }
      handle(_channel: string, order: Order, msg: Message<Order>) {
        expectTypeOf(msg.data).toEqualTypeOf(order)
      }
    }
    expectTypeOf(new Orders({ bus }).poll()).resolves.toEqualTypeOf<boolean>()

    class WrongPayload extends Subscriber<Order> {
      // @ts-expect-error: a payload type the subscriber does not receive
      handle(_channel: string, order: { id: string }) {
        return order
      }
    }
    void WrongPayload
  })
})
