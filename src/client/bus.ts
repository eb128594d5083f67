import type { DurableContext } from '../durable/durable-context.js'
import { Topic } from '../durable/topic.js'
import type { TopicOptions } from '../durable/topic-options.js'
import type { Hub } from '../hub/hub.js'
import type { HubContext } from '../hub/hub-context.js'
import type { HubOptions } from '../hub/hub-options.js'
import type { RoutesSource } from '../hub/routes-source.js'
import { startHub } from '../hub/start-hub.js'
import type { WatchedTopic } from '../observe/watched-topic.js'
import { PubSubBus } from '../pubsub/pubsub-bus.js'
import type { PubSubCore } from '../pubsub/pubsub-core.js'
import type { ActionMap, ActionsOf } from '../rpc/action-types.js'
import { attachInternals, type BusInternals } from '../rpc/bus-internals.js'
import { Caller } from '../rpc/caller.js'
import type { CallerOptions } from '../rpc/caller-options.js'
import { RpcClient } from '../rpc/rpc-client.js'
import { Service } from '../service/service.js'
import type { ServiceOptions } from '../service/service-options.js'
import type { BrokerCommands } from '../transport/transport.js'
import { durableContext } from './durable-context.js'

/**
 * The bus connect() returns: pub/sub, and the factories for services and callers.
 */
export class Bus<C extends object = Record<string, unknown>> extends PubSubBus<C> {
  readonly #internals: BusInternals
  #rpc: RpcClient | undefined
  readonly #durable: DurableContext
  readonly #topicNames = new Set<string>()
  readonly #core: PubSubCore

  /**
   * @internal Made by connect(). Hangs the bus's internals on it (see rpc/bus-internals.ts), so
   * that `new Service(name, { bus })` reaches them as bus.service() does.
   */
  constructor(pubsub: PubSubCore, broker: BrokerCommands) {
    super(pubsub)
    this.#core = pubsub
    this.#internals = { pubsub, broker }
    attachInternals(this, this.#internals)
    this.#durable = durableContext(pubsub, broker)
  }

  /**
   * A durable topic: `bus.topic<Order>('orders', { maxLen: 1_000_000 })`. Entries wait in the
   * broker until every consumer group has acknowledged them (Redis Streams; on the embedded
   * broker, in memory). Closing the bus stops its consumers gracefully.
   */
  topic<T = unknown>(name: string, options?: TopicOptions): Topic<T> {
    const topic = new Topic<T>(this.#durable, name, options)
    if (!this.#topicNames.has(name)) {
      this.#topicNames.add(name)
      this.#watch(topic)
    }
    return topic
  }

  /** Metrics read a topic's figures at scrape time, from its first object on this bus, until the bus closes. */
  #watch(topic: WatchedTopic): void {
    const { instrumentation } = this.#durable
    instrumentation.topicOpened(topic)
    this.#durable.onClose(async () => instrumentation.topicClosed(topic))
  }

  /** @internal The durable topics this bus opened, by name: what its process reports. */
  get topicNames(): string[] {
    return [...this.#topicNames]
  }

  /**
   * A Daebus-compatible service on this bus: `bus.service('system_monitor', { concurrency: 20 })`.
   * Closing the bus stops it gracefully.
   */
  service<A extends ActionsOf<A> = ActionMap>(
    name: string,
    options?: Omit<ServiceOptions, 'bus'>,
  ): Service<A> {
    return new Service<A>(name, { ...options, bus: this })
  }

  /**
   * Calls the actions of a service: `bus.caller('user_service', { timeoutMs: 5000 })`. Every caller
   * of this bus shares one reply channel, subscribed on the first request.
   */
  caller<A extends ActionsOf<A> = ActionMap>(service: string, options?: CallerOptions): Caller<A> {
    this.#rpc ??= new RpcClient(this.#internals)
    return new Caller<A>(this.#rpc, service, options)
  }

  /**
   * Runs a routes file (YAML or JSON) or a routes object: `await bus.hub('routes.yaml')`. Each
   * event of the file is heard here; the steps it sets off go through a durable topic (at once or
   * later, with retries), so a restart loses none, and several hubs on the same routes route each
   * event once. A file is watched and reloaded when it changes. Rejects with RoutesError, listing
   * every problem, when the routes have errors.
   */
  hub(routes: RoutesSource, options?: HubOptions): Promise<Hub> {
    return startHub(this.#hubContext(), routes, options)
  }

  #hubContext(): HubContext {
    const core = this.#core
    const { broker } = this.#internals
    return {
      logger: core.logger,
      subscribe: (name, handler) => core.subscribe([name], handler, { pattern: false }),
      publish: (channel, data) => core.publish(channel, core.encode(data)),
      topic: (name, options) => this.topic(name, options),
      caller: (service) => this.caller(service),
      claim: (key, ttlMs, value) => broker.claim(key, ttlMs, value),
      readClaim: (key) => broker.readClaim(key),
      reportError: (error) => core.reportError(error),
      onClose: (hook) => core.onClose(hook),
    }
  }
}
