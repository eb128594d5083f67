/**
 * Order updates, Popoto style: a publisher class per event, and one subscriber class on two
 * channels whose preHandle() rejects bad messages before handle() runs. The subscriber is read
 * with poll(), as a Popoto worker loop does: one message at a time, false when none is waiting.
 */
import { type Bus, connect, Publisher, Subscriber, SubscriberError } from '../src/index.js'
import { type ExampleOptions, runIfMain } from './support.js'

interface Order {
  id?: number
  status: string
  total?: number
}

class OrderStatusPublisher extends Publisher<Order> {}
class OrderCancellationPublisher extends Publisher<Order> {}

class OrderProcessor extends Subscriber<Order> {
  static override channels = ['order_updates', 'order_cancellations']
  readonly handled: string[] = []

  constructor(
    bus: Bus,
    readonly say: (line: string) => void,
  ) {
    super({ bus })
  }

  // Runs first; throwing skips handle(), and poll() throws it wrapped in SubscriberError.
  override preHandle(channel: string, order: Order): void {
    if (typeof order.id !== 'number') throw new Error(`an order on ${channel} has no id`)
  }

  handle(channel: string, order: Order): void {
    const line =
      channel === 'order_cancellations'
        ? `order ${order.id} cancelled`
        : `order ${order.id} is ${order.status}`
    this.handled.push(line)
    this.say(`  handled: ${line}`)
  }
}

export interface OrderUpdatesResult {
  handled: string[]
  rejected: string[]
}

export async function main(options: ExampleOptions = {}): Promise<OrderUpdatesResult> {
  const say = options.print ?? console.log
  const bus = await connect(options.url)
  try {
    const processor = new OrderProcessor(bus, say)
    await processor.subscribe() // from here on, messages wait for poll()

    const updates = new OrderStatusPublisher({ bus, channelName: 'order_updates' })
    const cancellations = new OrderCancellationPublisher({ bus, channelName: 'order_cancellations' })
    say(`publishing to ${updates.channelName} and ${cancellations.channelName}`)
    await updates.publish({ id: 7, status: 'paid', total: 42.5 })
    await updates.publish({ id: 8, status: 'paid', total: 12 })
    await updates.publish({ status: 'paid' }) // no id: preHandle refuses it
    await cancellations.publish({ id: 8, status: 'cancelled' })
    await updates.publish({ id: 7, status: 'shipped' })

    // A worker loop: poll, and wait a little when nothing is there.
    const rejected: string[] = []
    const deadline = Date.now() + 5000
    while (processor.handled.length + rejected.length < 5) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the 5 messages')
      try {
        if (!(await processor.poll())) await new Promise((resolve) => setTimeout(resolve, 5))
      } catch (error) {
        if (!(error instanceof SubscriberError)) throw error
        rejected.push(error.message)
        say(`  rejected: ${error.message}`)
      }
    }
    say(`nothing left: poll() returns ${await processor.poll()}`)
    await processor.stop()
    return { handled: processor.handled, rejected }
  } finally {
    await bus.close()
  }
}

runIfMain('order-updates', main)
