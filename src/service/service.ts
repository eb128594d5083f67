import { randomUUID } from 'node:crypto'
import { rawCodec } from '../codec/raw.js'
import { ClosedError, InvalidArgumentError } from '../errors.js'
import type { Logger } from '../observe/logger.js'
import { atMost, nonNegativeInteger, positiveInteger } from '../option-checks.js'
import { type PubSubBus, untypedBus } from '../pubsub/pubsub-bus.js'
import type { PubSubLink } from '../pubsub/pubsub-link.js'
import type { Subscription } from '../pubsub/subscription.js'
import { checkCapacity } from '../queue/capacity.js'
import type { ActionMap, ActionsOf, ProgressOf } from '../rpc/action-types.js'
import { internalsOf } from '../rpc/bus-internals.js'
import { instanceChannel } from '../rpc/channels.js'
import { InstanceDirectory } from '../rpc/instance-directory.js'
import { checkMs, settlesWithin } from '../timers.js'
import type {
  ActionHandler,
  ActionOptions,
  BackgroundOptions,
  BackgroundTaskFn,
  HandlerPayload,
  HandlerResult,
  ListenHandler,
  ListenOptions,
} from './action-context.js'
import { ActionDispatcher } from './action-dispatcher.js'
import { BackgroundTask } from './background-task.js'
import { type Blueprint, checkAction, checkListen, type ListenEntry } from './blueprint.js'
import { runUntilSignal } from './run-until-signal.js'
import {
  CLAIM_WAIT_SHARE,
  type RunOptions,
  SERVICE_DEFAULTS,
  type ServiceOptions,
  type ServiceStats,
  type StopOptions,
} from './service-options.js'
import { preferredInstance } from './shared-intake.js'

/** Where a service is in its life. */
export type ServiceState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped'

/** Each id takes up to 64 bytes of fixed memory (see RecentRequests): this caps it at 64 MB. */
const MAX_DEDUPE_IDS = 1_000_000

function nonNegative(name: string, value: number): number {
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
    throw new InvalidArgumentError(`${name} must be a number of milliseconds >= 0, got ${value}`)
  }
  return value
}

/**
 * A named service that routes requests by action, Daebus-compatible on the wire:
 *
 * ```ts
 * const app = bus.service('system_monitor')
 * app.action('get_status', async (payload, ctx) => ({ cpu: 0.3 }))
 * await app.start()
 * ```
 *
 * **Balancing, exactly once.** Each instance subscribes to the shared channel `<service>` and to
 * its own channel `<service>:instance:<instanceId>`.
 *
 * - switchboard callers find the live instance channels with PUBSUB CHANNELS (cached, refreshed
 *   every second in the background) and send each request to one of them in turn: one PUBLISH,
 *   no extra round trip, and the request reaches that instance only.
 * - A plain Daebus caller publishes to `<service>`, which reaches every instance. There, only the
 *   instance that claims the request with SET NX PX handles it; a hash of the request_id names a
 *   preferred instance, which claims at once, while the others claim only after `claimGraceMs`,
 *   and only with a free slot (see SharedIntake). This costs one Redis round trip before the
 *   handler starts, and N SETs per request for N instances: switchboard callers therefore use the
 *   shared channel only when no instance channel exists (a Python Daebus service, say).
 * - An instance whose process ends leaves the rotation at once: Redis drops its subscriptions
 *   when its connection closes, a publish to its channel then reaches 0 receivers, and the caller
 *   evicts it and tries the next instance within the same request. Nobody received that publish,
 *   so the retry cannot run a request twice. A host that vanishes without closing its TCP
 *   connection stays listed until Redis notices (tcp-keepalive, 300 s by default): requests sent
 *   to it then time out.
 *
 * **Restarts, duplicates, deadlines.** A stopping instance refuses what still reaches its own
 * channel with CLOSED and `started: false`, and the caller sends it to another live instance, so
 * that a rolling restart fails no request (see stop()). A request published twice (the same
 * reply_to and request_id) runs once: a copy is dropped while the first is queued or running, and
 * for `dedupeWindowMs` after (up to `dedupeMaxIds` of them). A request is not started once its
 * caller's deadline has passed, time in transit included, trusting the caller's clock within
 * `maxClockSkewMs` (see rpc/deadline.ts).
 *
 * **Ordering.** Requests that reach one instance start in arrival order (the queue is FIFO). With
 * `concurrency` above 1 they run side by side and may finish, and answer, in any order; use
 * `concurrency: 1` for strict one-at-a-time order. A request on the shared channel starts only
 * once its claim returns, and may be held first (grace period, or no free slot), so shared-channel
 * requests start only roughly in arrival order, and are not ordered against instance-channel ones.
 * Nothing is ordered across instances. The responses of one request (progress, then final) arrive in the
 * order they were sent. Each listen() handler receives its messages one at a time, in order.
 */
export class Service<A extends ActionsOf<A> = ActionMap> {
  readonly name: string
  readonly instanceId: string
  /** This instance's private channel, `<service>:instance:<instanceId>`. */
  readonly instanceChannel: string
  readonly bus: PubSubBus
  /** Resolves when the service has stopped; never rejects. */
  readonly stopped: Promise<void>
  readonly #pubsub: PubSubLink
  readonly #log: Logger
  readonly #stopTimeoutMs: number
  readonly #discoveryIntervalMs: number
  readonly #dispatcher: ActionDispatcher
  readonly #listens: ListenEntry[] = []
  readonly #tasks = new Map<string, BackgroundTask>()
  /** The live instances of this service, as every instance sees them: to share shared-channel requests. */
  readonly #view: InstanceDirectory
  #subscriptions: Subscription<unknown>[] = []
  #state: ServiceState = 'idle'
  #starting: Promise<void> | undefined
  #removeCloseHook: (() => void) | undefined
  #stopping: Promise<void> | undefined
  #resolveStopped!: () => void

  constructor(name: string, options: ServiceOptions) {
    if (typeof name !== 'string' || name.length === 0) {
      throw new InvalidArgumentError(`a service needs a name, got ${JSON.stringify(name)}`)
    }
    const { pubsub, broker } = internalsOf(
      options?.bus,
      'Service needs { bus }: pass the bus from connect(), or use bus.service()',
    )
    this.name = name
    this.bus = untypedBus(options.bus)
    this.#pubsub = pubsub
    this.instanceId = options.instanceId ?? randomUUID()
    this.instanceChannel = instanceChannel(name, this.instanceId)
    this.#log = (options.logger ?? this.bus.logger).child({ service: name, instance: this.instanceId })
    this.#stopTimeoutMs = checkMs(
      'stopTimeoutMs',
      options.stopTimeoutMs ?? SERVICE_DEFAULTS.stopTimeoutMs,
      'zero',
    )
    this.#discoveryIntervalMs = checkMs(
      'discoveryIntervalMs',
      options.discoveryIntervalMs ?? SERVICE_DEFAULTS.discoveryIntervalMs,
      'zero',
    )
    const claimTtlMs = positiveInteger('claimTtlMs', options.claimTtlMs ?? SERVICE_DEFAULTS.claimTtlMs)
    this.#dispatcher = new ActionDispatcher({
      service: name,
      instance: this.instanceId,
      pubsub,
      parent: pubsub.instrumentation,
      reportError: (error, via) => pubsub.reportError(error, via),
      claim: (key, ttlMs) => broker.claim(key, ttlMs),
      log: this.#log,
      concurrency: positiveInteger('concurrency', options.concurrency ?? SERVICE_DEFAULTS.concurrency),
      maxQueue: checkCapacity('maxQueue', options.maxQueue ?? SERVICE_DEFAULTS.maxQueue),
      claimTtlMs,
      claimGraceMs: checkMs('claimGraceMs', options.claimGraceMs ?? SERVICE_DEFAULTS.claimGraceMs, 'zero'),
      claimWaitMs: Math.floor(claimTtlMs * CLAIM_WAIT_SHARE),
      preferred: (request) => this.#preferred(String(request.requestId)),
      maxClockSkewMs: nonNegative(
        'maxClockSkewMs',
        options.maxClockSkewMs ?? SERVICE_DEFAULTS.maxClockSkewMs,
      ),
      dedupeWindowMs: nonNegative(
        'dedupeWindowMs',
        options.dedupeWindowMs ?? SERVICE_DEFAULTS.dedupeWindowMs,
      ),
      dedupeMaxIds: atMost(
        MAX_DEDUPE_IDS,
        nonNegativeInteger('dedupeMaxIds', options.dedupeMaxIds ?? SERVICE_DEFAULTS.dedupeMaxIds),
        'dedupeMaxIds',
      ),
    })
    this.#view = new InstanceDirectory((pattern) => broker.channels(pattern))
    this.stopped = new Promise((resolve) => {
      this.#resolveStopped = resolve
    })
  }

  /**
   * Whether this instance should claim a shared-channel request at once: it is the one the
   * request_id hashes to among the live instances, or the list is not known (or lacks this one) yet.
   */
  #preferred(requestId: string): boolean {
    const view = this.#view.peek(this.name, this.#discoveryIntervalMs)
    if (!view?.includes(this.instanceChannel)) return true
    return preferredInstance(view, requestId) === this.instanceChannel
  }

  get state(): ServiceState {
    return this.#state
  }

  /** Counters since the service was created, and what is running and queued now. */
  stats(): ServiceStats {
    return this.#dispatcher.stats()
  }

  /**
   * Adds an action. Its return value is the final response; a throw is an error response with the
   * error's message and, when it has a string `code`, that code; `ctx.progress()` sends
   * non-final responses. Actions may be added after start().
   */
  action<K extends keyof A & string, T = HandlerPayload<A, K, unknown>>(
    name: K,
    handler: ActionHandler<HandlerPayload<A, K, T>, HandlerResult<A, K>, ProgressOf<A[K]>>,
    options?: ActionOptions<HandlerPayload<A, K, T>>,
  ): this {
    if (this.#dispatcher.actions.has(name)) {
      throw new InvalidArgumentError(`service "${this.name}" already has an action "${name}"`)
    }
    this.#dispatcher.actions.set(name, checkAction(name, handler, options))
    return this
  }

  /**
   * Runs a handler for each message on channels or glob patterns (with the bus codec, unless
   * `codec` says otherwise), inside the service: it starts and stops with it. Call before start().
   */
  listen<T = unknown>(
    names: string | readonly string[],
    handler: ListenHandler<T>,
    options?: ListenOptions<T>,
  ): this {
    this.#beforeStart('listen')
    this.#listens.push(checkListen(names, handler, options))
    return this
  }

  /** Runs `fn` every `intervalMs` milliseconds while the service runs; see BackgroundTask. Call before start(). */
  background(name: string, intervalMs: number, fn: BackgroundTaskFn, options?: BackgroundOptions): this {
    this.#beforeStart('background')
    if (this.#tasks.has(name))
      throw new InvalidArgumentError(`service "${this.name}" already has a background task "${name}"`)
    this.#tasks.set(name, new BackgroundTask(name, intervalMs, fn, options ?? {}, this.#log))
    return this
  }

  /** Adds a blueprint's actions, listeners and background tasks; all of them, or none on a clash. */
  use(blueprint: Blueprint): this {
    for (const name of blueprint.actions.keys()) {
      if (this.#dispatcher.actions.has(name)) {
        throw new InvalidArgumentError(
          `blueprint "${blueprint.name}": service "${this.name}" already has an action "${name}"`,
        )
      }
    }
    for (const { name } of blueprint.tasks) {
      if (this.#tasks.has(name)) {
        throw new InvalidArgumentError(
          `blueprint "${blueprint.name}": service "${this.name}" already has a background task "${name}"`,
        )
      }
    }
    if (blueprint.listens.length > 0 || blueprint.tasks.length > 0) this.#beforeStart('use')
    const tasks = blueprint.tasks.map(
      (t) => new BackgroundTask(t.name, t.intervalMs, t.fn, t.options, this.#log),
    )
    for (const [name, entry] of blueprint.actions) this.#dispatcher.actions.set(name, entry)
    this.#listens.push(...blueprint.listens)
    for (const task of tasks) this.#tasks.set(task.name, task)
    return this
  }

  #beforeStart(what: string): void {
    if (this.#state !== 'idle') throw new InvalidArgumentError(`${what}() must be called before start()`)
  }

  /**
   * Subscribes the service's channels and listeners and starts its background tasks. Closing the
   * bus stops the service gracefully.
   */
  start(): Promise<void> {
    if (this.#state === 'stopping' || this.#state === 'stopped')
      return Promise.reject(new ClosedError(`service "${this.name}"`))
    this.#starting ??= this.#start()
    return this.#starting
  }

  async #start(): Promise<void> {
    this.#state = 'starting'
    this.#removeCloseHook ??= this.#pubsub.onClose(() => this.stop())
    try {
      this.#subscriptions.push(
        await this.#pubsub.subscribe(
          [this.name, this.instanceChannel],
          (raw, msg) => {
            if (raw instanceof Uint8Array) this.#dispatcher.onMessage(raw, msg.channel === this.name)
          },
          { codec: rawCodec, pattern: false },
          // Its deliveries are the service's `received`.
          this.#dispatcher.instrumentation,
        ),
      )
      for (const { names, handler, options } of this.#listens) {
        this.#subscriptions.push(
          await this.#pubsub.subscribe(names, handler as ListenHandler<unknown>, options),
        )
      }
    } catch (error) {
      await Promise.allSettled(this.#subscriptions.map((sub) => sub.unsubscribe()))
      this.#subscriptions = []
      this.#state = 'idle'
      this.#starting = undefined
      throw error
    }
    for (const task of this.#tasks.values()) task.start()
    this.#view.peek(this.name, 0)
    this.#state = 'running'
    this.#log.debug({ channels: [this.name, this.instanceChannel] }, `service "${this.name}" started`)
  }

  /**
   * Stops gracefully: the instance leaves the rotation at once, background tasks stop, and queued
   * and in-flight requests and listen handlers get up to `timeoutMs` to finish.
   *
   * - A request that still reaches this instance's own channel (its callers have not noticed yet)
   *   is refused at once with CLOSED and `started: false`, and the switchboard caller sends it to
   *   another live instance. Until the unsubscribe is confirmed, shared-channel requests this
   *   instance claims and fire-and-forget ones are still served: their callers could not resend.
   * - After `timeoutMs`, what is still queued gets CLOSED with `started: false` (sent elsewhere as
   *   well), and what still runs gets CLOSED, and its ctx.signal aborts.
   * - stop() then waits for those handlers to settle, up to `timeoutMs` more. A handler that
   *   ignores its signal past that is logged at error level, by action and request id, and
   *   stop() resolves with it still running (stats().inFlight counts it).
   *
   * Does not close the bus. Later calls return the same promise.
   */
  stop(options?: StopOptions): Promise<void> {
    if (this.#stopping) return this.#stopping
    let timeoutMs: number
    try {
      timeoutMs =
        options?.timeoutMs === undefined
          ? this.#stopTimeoutMs
          : checkMs('timeoutMs', options.timeoutMs, 'zero')
    } catch (error) {
      return Promise.reject(error)
    }
    this.#stopping = this.#stop(timeoutMs)
    return this.#stopping
  }

  async #stop(timeoutMs: number): Promise<void> {
    if (this.#starting) await this.#starting.catch(() => {})
    this.#state = 'stopping'
    this.#dispatcher.beginStop()
    const subscriptions = this.#subscriptions
    this.#subscriptions = []
    // Requests keep arriving until the broker confirms the unsubscribe, and listen handlers finish
    // their backlog: both inside the bounded wait, so a hung broker cannot hold stop() forever.
    const unsubscribed = Promise.allSettled(subscriptions.map((sub) => sub.unsubscribe())).then(() =>
      this.#dispatcher.stopSharedIntake(),
    )
    const drained = Promise.all([
      unsubscribed.then(() => this.#dispatcher.idle()),
      ...[...this.#tasks.values()].map((task) => task.stop()),
    ])
    if (!(await settlesWithin(drained, timeoutMs))) {
      const { inFlight, queued } = this.#dispatcher.stats()
      this.#log.warn(
        { inFlight, queued, timeoutMs },
        `service "${this.name}" stopped with work unfinished after ${timeoutMs} ms: answering it with CLOSED errors`,
      )
      this.#dispatcher.abandon(`service "${this.name}" stopped after waiting ${timeoutMs} ms`)
      if (!(await settlesWithin(this.#dispatcher.idle(), timeoutMs))) {
        const running = this.#dispatcher.running()
        this.#log.error(
          { running: running.slice(0, 20), timeoutMs },
          `service "${this.name}" stopped with ${running.length} handler(s) still running ${timeoutMs} ms after their signal aborted: they ignore it`,
        )
      }
    }
    this.#state = 'stopped'
    this.#removeCloseHook?.()
    this.#log.debug({}, `service "${this.name}" stopped`)
    this.#resolveStopped()
  }

  /**
   * Starts the service and stops it gracefully on SIGTERM or SIGINT, then closes the bus and exits,
   * as Daebus' app.run() does. See RunOptions.
   */
  run(options?: RunOptions): Promise<void> {
    return runUntilSignal(
      {
        name: this.name,
        stopped: this.stopped,
        start: () => this.start(),
        stop: (stopOptions) => this.stop(stopOptions),
        closeBus: () => this.bus.close(),
      },
      this.#log,
      options,
    )
  }
}
