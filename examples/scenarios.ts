/** Every example, by name, for `switchboard demo <name>` and the README. */
import { main as chatRoom } from './chat-room.js'
import { main as foodDelivery } from './food-delivery.js'
import { main as gameEvents } from './game-events.js'
import { main as notifications } from './notifications.js'
import { main as orderUpdates } from './order-updates.js'
import { main as publishAck } from './publish-ack.js'
import { main as requestResponse } from './request-response.js'
import { main as signupHub } from './signup-hub.js'
import type { ExampleOptions } from './support.js'
import { main as taskFanout } from './task-fanout.js'
import { main as userLifecycle } from './user-lifecycle.js'

export interface Scenario {
  name: string
  /** One line: what it shows. */
  summary: string
  main(options: ExampleOptions): Promise<unknown>
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'food-delivery',
    summary:
      'order status updates reaching a restaurant dashboard, customers and drivers, on several channels and a pattern',
    main: foodDelivery,
  },
  {
    name: 'order-updates',
    summary: 'Popoto-style Publisher/Subscriber classes: one subscriber on two channels, preHandle, poll()',
    main: orderUpdates,
  },
  {
    name: 'notifications',
    summary: 'per-user notification channels plus a broadcast channel; 0 receivers means offline',
    main: notifications,
  },
  {
    name: 'chat-room',
    summary: 'a chat room read as an async iterator; leaving the loop unsubscribes',
    main: chatRoom,
  },
  {
    name: 'game-events',
    summary: 'pattern subscriptions (game:*:score, game:42:*, game:?:chat) and msg.pattern',
    main: gameEvents,
  },
  {
    name: 'request-response',
    summary: 'request/response on plain pub/sub, with a timeout and a fast "nobody listens"',
    main: requestResponse,
  },
  {
    name: 'publish-ack',
    summary: 'publish with acknowledgment: wait for one ack per receiver, retry on a missing one',
    main: publishAck,
  },
  {
    name: 'task-fanout',
    summary: 'tasks fanned out to workers over priority channels; high runs before normal before low',
    main: taskFanout,
  },
  {
    name: 'signup-hub',
    summary: 'one event published to several topics; a failing subscriber never stops the others',
    main: signupHub,
  },
  {
    name: 'user-lifecycle',
    summary:
      'durable topics: a retried welcome email (dead-lettered when it bounces), sales told once, a reminder cancelled when the user comes back',
    main: userLifecycle,
  },
]
