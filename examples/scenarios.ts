/** Every example, by name, for `switchboard demo <name>` and the README. */
import { main as chatRoom } from './chat-room.js'
import { main as heartbeat } from './daebus/heartbeat.js'
import { main as processData } from './daebus/process-data.js'
import { main as processLargeDataset } from './daebus/process-large-dataset.js'
import { main as registerUser } from './daebus/register-user.js'
import { main as systemMonitor } from './daebus/system-monitor.js'
import { main as foodDelivery } from './food-delivery.js'
import { main as gameEvents } from './game-events.js'
import { main as lifecycleHub } from './lifecycle-hub.js'
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
  /** Its file, relative to examples/. */
  file: string
  /** One line: what it shows. */
  summary: string
  main(options: ExampleOptions): Promise<unknown>
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'food-delivery',
    file: 'food-delivery.ts',
    summary:
      'order status updates reaching a restaurant dashboard, customers and drivers, on several channels and a pattern',
    main: foodDelivery,
  },
  {
    name: 'order-updates',
    file: 'order-updates.ts',
    summary: 'Popoto-style Publisher/Subscriber classes: one subscriber on two channels, preHandle, poll()',
    main: orderUpdates,
  },
  {
    name: 'notifications',
    file: 'notifications.ts',
    summary: 'per-user notification channels plus a broadcast channel; 0 receivers means offline',
    main: notifications,
  },
  {
    name: 'chat-room',
    file: 'chat-room.ts',
    summary: 'a chat room read as an async iterator; leaving the loop unsubscribes',
    main: chatRoom,
  },
  {
    name: 'game-events',
    file: 'game-events.ts',
    summary: 'pattern subscriptions (game:*:score, game:42:*, game:?:chat) and msg.pattern',
    main: gameEvents,
  },
  {
    name: 'request-response',
    file: 'request-response.ts',
    summary: 'request/response on plain pub/sub, with a timeout and a fast "nobody listens"',
    main: requestResponse,
  },
  {
    name: 'publish-ack',
    file: 'publish-ack.ts',
    summary: 'publish with acknowledgment: wait for one ack per receiver, retry on a missing one',
    main: publishAck,
  },
  {
    name: 'task-fanout',
    file: 'task-fanout.ts',
    summary: 'tasks fanned out to workers over priority channels; high runs before normal before low',
    main: taskFanout,
  },
  {
    name: 'signup-hub',
    file: 'signup-hub.ts',
    summary: 'one event published to several topics; a failing subscriber never stops the others',
    main: signupHub,
  },
  {
    name: 'system-monitor',
    file: 'daebus/system-monitor.ts',
    summary: "Daebus' system_monitor service answering get_status, and a caller asking it",
    main: systemMonitor,
  },
  {
    name: 'process-data',
    file: 'daebus/process-data.ts',
    summary: 'an action that fails on bad input: the caller gets a RemoteError at once, not a timeout',
    main: processData,
  },
  {
    name: 'process-large-dataset',
    file: 'daebus/process-large-dataset.ts',
    summary: 'a long action streaming progress (Daebus final: false), read with stream()',
    main: processLargeDataset,
  },
  {
    name: 'register-user',
    file: 'daebus/register-user.ts',
    summary: 'an action calling two other services at once; their errors reach the caller with codes',
    main: registerUser,
  },
  {
    name: 'heartbeat',
    file: 'daebus/heartbeat.ts',
    summary: "a background task broadcasting a heartbeat, as Daebus' @app.background, and a listener",
    main: heartbeat,
  },
  {
    name: 'user-lifecycle',
    file: 'user-lifecycle.ts',
    summary:
      'durable topics: a retried welcome email (dead-lettered when it bounces), sales told once, a reminder cancelled when the user comes back',
    main: userLifecycle,
  },
  {
    name: 'lifecycle-hub',
    file: 'lifecycle-hub.ts',
    summary:
      'the hub: the same user lifecycle routed by a file (hub/lifecycle.routes.yaml) — retries, a condition, a reminder cancelled, one failing step stopping nothing',
    main: lifecycleHub,
  },
]
