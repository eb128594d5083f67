/**
 * The food-delivery scenario: a restaurant publishes order status updates, and they reach the
 * restaurant's dashboard, each customer's phone and the drivers, on several channels and a
 * pattern. Every actor has its own connection, as separate apps would.
 *
 * Channels:
 *   order_updates      every status change            → the restaurant dashboard
 *   kitchen_alerts     problems in the kitchen        → the restaurant dashboard
 *   customer:<name>    that customer's orders only    → the customer's app
 *   drivers:<zone>     orders ready for pickup        → the drivers of that zone
 *   drivers:*          (pattern) every zone           → the fleet operations screen
 *
 * Run: npx switchboard demo   (embedded broker; --url redis://… or SWITCHBOARD_URL for Redis)
 */
import { type Bus, type Message, Publisher, Subscriber } from '../src/index.js'
import { Arrivals, ExampleBuses, type ExampleOptions, runIfMain } from './support.js'

export type OrderStatus =
  | 'placed'
  | 'confirmed'
  | 'preparing'
  | 'ready_for_pickup'
  | 'picked_up'
  | 'delivered'

export interface OrderUpdate {
  orderId: number
  status: OrderStatus
  customer: string
  zone: string
  items: string[]
  driver?: string
  etaMinutes?: number
}

// Popoto style: the class is the publisher; its name would be the channel unless given one.
class OrderStatusPublisher extends Publisher<OrderUpdate> {}
class DriverDispatchPublisher extends Publisher<OrderUpdate> {}
class KitchenAlertPublisher extends Publisher<{ orderId: number; problem: string }> {}

type Print = (line: string) => void

/** "  [who]   " with the text lined up after it. */
const by = (who: string): string => `  ${`[${who}]`.padEnd(22)} `

/** Every status update and kitchen alert: one subscriber on two channels. */
class RestaurantDashboard extends Subscriber<OrderUpdate | { orderId: number; problem: string }> {
  static override channels = ['order_updates', 'kitchen_alerts']
  readonly seen: string[] = []
  constructor(
    bus: Bus,
    readonly say: Print,
    readonly arrivals: Arrivals,
  ) {
    super({ bus })
  }
  handle(channel: string, data: OrderUpdate | { orderId: number; problem: string }): void {
    const text =
      'problem' in data ? `ALERT #${data.orderId}: ${data.problem}` : `#${data.orderId} ${data.status}`
    this.seen.push(text)
    this.say(`${by('restaurant dashboard')}${channel.padEnd(14)} ${text}`)
    this.arrivals.hit()
  }
}

/** A customer's phone: only that customer's channel. */
class CustomerApp extends Subscriber<OrderUpdate> {
  readonly seen: OrderStatus[] = []
  constructor(
    bus: Bus,
    readonly name: string,
    readonly say: Print,
    readonly arrivals: Arrivals,
  ) {
    super({ bus, channels: [`customer:${name}`] })
  }
  handle(_channel: string, order: OrderUpdate): void {
    this.seen.push(order.status)
    const eta = order.etaMinutes === undefined ? '' : ` (about ${order.etaMinutes} min)`
    const driver =
      order.status === 'picked_up'
        ? ` — ${order.driver} is on the way`
        : order.driver
          ? ` by ${order.driver}`
          : ''
    this.say(
      `${by(`${this.name}'s phone`)}your order #${order.orderId}: ${order.status.replaceAll('_', ' ')}${eta}${driver}`,
    )
    this.arrivals.hit()
  }
}

/** A driver: orders ready for pickup in one zone. */
class DriverApp extends Subscriber<OrderUpdate> {
  readonly offers: number[] = []
  constructor(
    bus: Bus,
    readonly name: string,
    zone: string,
    readonly say: Print,
    readonly arrivals: Arrivals,
  ) {
    super({ bus, channels: [`drivers:${zone}`] })
  }
  handle(channel: string, order: OrderUpdate): void {
    this.offers.push(order.orderId)
    this.say(`${by(`driver ${this.name}`)}${channel}: pickup #${order.orderId} (${order.items.join(', ')})`)
    this.arrivals.hit()
  }
}

/** Fleet operations: every zone's dispatch, through the pattern drivers:*. */
class FleetOps extends Subscriber<OrderUpdate> {
  static override channels = ['drivers:*']
  readonly seen: Array<{ channel: string; pattern: string | undefined }> = []
  constructor(
    bus: Bus,
    readonly say: Print,
    readonly arrivals: Arrivals,
  ) {
    super({ bus })
  }
  handle(channel: string, order: OrderUpdate, msg: Message<OrderUpdate>): void {
    this.seen.push({ channel, pattern: msg.pattern })
    this.say(`${by('fleet ops')}${channel} (matched ${msg.pattern}): #${order.orderId} waiting for a driver`)
    this.arrivals.hit()
  }
}

export interface FoodDeliveryResult {
  dashboard: string[]
  customers: Record<string, OrderStatus[]>
  drivers: Record<string, number[]>
  fleet: Array<{ channel: string; pattern: string | undefined }>
  /** Receivers as PUBLISH counted them, summed over the story. */
  receivers: number
}

export async function main(options: ExampleOptions = {}): Promise<FoodDeliveryResult> {
  const say = options.print ?? console.log
  const arrivals = new Arrivals()
  const buses = new ExampleBuses(options.url)
  const open = (): Promise<Bus> => buses.open()
  try {
    // One connection per app, as in production: the kitchen, the dashboard, two phones, two drivers, fleet ops.
    const [kitchen, dashboardBus, aliceBus, bobBus, marcoBus, priyaBus, fleetBus] = await Promise.all([
      open(),
      open(),
      open(),
      open(),
      open(),
      open(),
      open(),
    ])
    const dashboard = new RestaurantDashboard(dashboardBus, say, arrivals)
    const alice = new CustomerApp(aliceBus, 'alice', say, arrivals)
    const bob = new CustomerApp(bobBus, 'bob', say, arrivals)
    const marco = new DriverApp(marcoBus, 'Marco', 'downtown', say, arrivals)
    const priya = new DriverApp(priyaBus, 'Priya', 'uptown', say, arrivals)
    const fleet = new FleetOps(fleetBus, say, arrivals)
    const apps = [dashboard, alice, bob, marco, priya, fleet]
    await Promise.all(apps.map((app) => app.start()))

    const status = new OrderStatusPublisher({ bus: kitchen, channelName: 'order_updates' })
    const dispatch = new DriverDispatchPublisher({ bus: kitchen, channelName: 'drivers:downtown' })
    const alerts = new KitchenAlertPublisher({ bus: kitchen, channelName: 'kitchen_alerts' })

    say(`Luigi's Trattoria on ${kitchen.url}: 2 orders, 1 dashboard, 2 customers, 2 drivers, fleet ops`)
    let expected = 0
    let receivers = 0
    /** Publishes, then waits until every receiver has handled it, so the story reads in order. */
    const step = async (title: string, publish: () => Promise<number | number[]>): Promise<void> => {
      say(`- ${title}`)
      const result = await publish()
      const n = typeof result === 'number' ? result : result.reduce((a, b) => a + b, 0)
      receivers += n
      expected += n
      await arrivals.until(expected, `the receivers of "${title}"`)
    }
    /** One update to the dashboard and to the customer's own channel, in one round trip. */
    const update = (order: OrderUpdate) => () => {
      const batch = kitchen.batch()
      status.publish(order, { batch })
      status.publish(order, { batch, channelName: `customer:${order.customer}` })
      return batch.exec()
    }

    const pasta: OrderUpdate = {
      orderId: 1042,
      status: 'placed',
      customer: 'alice',
      zone: 'downtown',
      items: ['margherita', 'tiramisu'],
    }
    const salad: OrderUpdate = {
      orderId: 1043,
      status: 'placed',
      customer: 'bob',
      zone: 'uptown',
      items: ['caesar salad'],
    }
    await step('alice orders #1042 (downtown)', update(pasta))
    await step('bob orders #1043 (uptown)', update(salad))
    await step('the kitchen confirms #1042', update({ ...pasta, status: 'confirmed', etaMinutes: 35 }))
    await step('the kitchen confirms #1043', update({ ...salad, status: 'confirmed', etaMinutes: 25 }))
    await step('#1043 hits a snag', () =>
      alerts.publish({ orderId: 1043, problem: 'out of croutons, using focaccia' }),
    )
    await step('#1042 is in the oven', update({ ...pasta, status: 'preparing', etaMinutes: 25 }))
    await step('#1042 is ready: the downtown drivers are offered it', async () => [
      ...(await update({ ...pasta, status: 'ready_for_pickup', etaMinutes: 15 })()),
      await dispatch.publish({ ...pasta, status: 'ready_for_pickup' }),
    ])
    await step('#1043 is ready: the uptown drivers are offered it', async () => [
      ...(await update({ ...salad, status: 'ready_for_pickup', etaMinutes: 12 })()),
      // The per-call channel covers this call only: the publisher stays on drivers:downtown.
      await dispatch.publish({ ...salad, status: 'ready_for_pickup' }, { channelName: 'drivers:uptown' }),
    ])
    await step(
      'Marco picks up #1042',
      update({ ...pasta, status: 'picked_up', driver: 'Marco', etaMinutes: 10 }),
    )
    await step(
      'Priya picks up #1043',
      update({ ...salad, status: 'picked_up', driver: 'Priya', etaMinutes: 8 }),
    )
    await step('#1043 is delivered', update({ ...salad, status: 'delivered', driver: 'Priya' }))
    await step('#1042 is delivered', update({ ...pasta, status: 'delivered', driver: 'Marco' }))
    say(`Done: ${receivers} deliveries, each update reaching only the apps that subscribed to it.`)

    await Promise.all(apps.map((app) => app.stop()))
    return {
      dashboard: dashboard.seen,
      customers: { alice: alice.seen, bob: bob.seen },
      drivers: { Marco: marco.offers, Priya: priya.offers },
      fleet: fleet.seen,
      receivers,
    }
  } finally {
    await buses.closeAll()
  }
}

runIfMain('food-delivery', main)
