import type { Consumer } from '../durable/consumer.js'
import { RoutesError } from '../errors.js'
import type { Subscription } from '../pubsub/subscription.js'
import { TypedEmitter } from '../pubsub/typed-emitter.js'
import { EventClaims } from './event-claims.js'
import { EventIntake } from './event-intake.js'
import type { HubContext } from './hub-context.js'
import type { HubJob } from './hub-job.js'
import { HUB_DEFAULTS, type HubOptions } from './hub-options.js'
import { HubCounters, type HubStats } from './hub-stats.js'
import { eventsOf } from './plan-event.js'
import type { Routes } from './routes-model.js'
import { loadRoutes, type RoutesSource } from './routes-source.js'
import { RoutesWatcher } from './routes-watcher.js'
import { STEP_DELIVERIES, StepRunner } from './step-runner.js'

/** The events of a hub: `hub.on('reloaded', (routes) => …)`. */
export interface HubEvents {
  /** A new version of the routes took over for new events. */
  reloaded: [routes: Routes]
  /** A new version was refused (its errors are in `error.problems`); the old one keeps running. */
  refused: [error: RoutesError]
}

/** The durable topic a hub writes its steps to: `hub.<name>.steps`, shared by every hub of that name. */
export function stepsTopicName(hub: string): string {
  return `hub.${hub}.steps`
}

/**
 * Runs a routes file: hears its events by subscription, writes the steps each one sets off to a
 * durable topic (at once, or scheduled for later), and runs them from there as one consumer group,
 * with retries. Several hubs with the same routes share the work, and each event is routed once.
 * Made by `bus.hub(routes)`.
 */
export class Hub {
  readonly #events: TypedEmitter<HubEvents>
  readonly #context: HubContext
  readonly #source: RoutesSource
  readonly #options: Required<Omit<HubOptions, 'consumerName'>> & Pick<HubOptions, 'consumerName'>
  readonly #counters = new HubCounters()
  readonly #subscriptions = new Map<string, Subscription<unknown>>()
  /**
   * Events are routed one at a time, in the order they arrived, so that an event that cancels a
   * step (user.active) never overtakes the one that scheduled it (user.inactive).
   */
  #queue: Promise<void> = Promise.resolve()
  #reloads: Promise<unknown> = Promise.resolve()
  #routes: Routes
  #intake: EventIntake | undefined
  readonly #claims: EventClaims
  #consumer: Consumer<HubJob> | undefined
  #watcher: RoutesWatcher | undefined
  #unregisterClose: (() => void) | undefined
  #stopping: Promise<void> | undefined

  /** @internal Made by bus.hub(), which starts it. */
  constructor(context: HubContext, source: RoutesSource, routes: Routes, options: HubOptions = {}) {
    this.#events = new TypedEmitter<HubEvents>((error) =>
      context.logger.error({ err: error }, 'a hub listener threw'),
    )
    this.#context = context
    this.#source = source
    this.#routes = routes
    this.#options = { ...HUB_DEFAULTS, ...options }
    this.#claims = new EventClaims(context, this.#options.eventClaimMs)
  }

  /** Listens to 'reloaded' (new routes took over) or 'refused' (new routes had errors; the old ones stay). */
  on<K extends keyof HubEvents>(event: K, listener: (...args: HubEvents[K]) => void): this {
    this.#events.on(event, listener)
    return this
  }

  /** Removes a listener added with on() or once(). */
  off<K extends keyof HubEvents>(event: K, listener: (...args: HubEvents[K]) => void): this {
    this.#events.off(event, listener)
    return this
  }

  /** Like on(), for the next event only. */
  once<K extends keyof HubEvents>(event: K, listener: (...args: HubEvents[K]) => void): this {
    this.#events.once(event, listener)
    return this
  }

  /** The routes running now. */
  get routes(): Routes {
    return this.#routes
  }

  /** @internal Subscribes, starts the step consumer and, for a file, the watcher. */
  async start(): Promise<void> {
    const { name } = this.#routes
    const topic = this.#context.topic<HubJob>(stepsTopicName(name), {
      schedulerPollMs: this.#options.schedulerPollMs,
      retentionMs: this.#options.retentionMs,
    })
    this.#intake = new EventIntake(this.#context, topic, this.#counters, this.#claims)
    const runner = new StepRunner(this.#context, topic, this.#counters, name)
    this.#consumer = await topic.consume('hub', (job, message) => runner.handle(job, message), {
      concurrency: this.#options.concurrency,
      maxAttempts: STEP_DELIVERIES,
      backoff: { type: 'fixed', delayMs: 0, jitter: 0 },
      claimIdleMs: this.#options.claimIdleMs,
      ...(this.#options.consumerName !== undefined && { name: this.#options.consumerName }),
    })
    await this.#listen(eventsOf(this.#routes))
    if (typeof this.#source === 'string' && this.#options.watch) {
      this.#watcher = new RoutesWatcher(this.#source, () => void this.reload().catch(() => {}))
    }
    this.#unregisterClose = this.#context.onClose(() => this.stop())
  }

  /**
   * Reads the routes again (the file, or `routes` when given) and, when they are valid, lets them
   * take over for new events; events already being routed finish under the version they began
   * with, and steps already written keep what they were written with. Invalid routes reject with
   * RoutesError (also emitted as 'refused') and the running ones stay.
   */
  reload(routes?: RoutesSource): Promise<Routes> {
    // One reload at a time (the watcher and SIGHUP may ask together), in the order asked.
    const reloading = this.#reloads.then(() => this.#reload(routes))
    this.#reloads = reloading.catch(() => {})
    return reloading
  }

  async #reload(routes: RoutesSource | undefined): Promise<Routes> {
    let next: Routes
    try {
      next = await loadRoutes(routes ?? this.#source)
      if (next.name !== this.#routes.name) {
        throw new RoutesError([
          {
            severity: 'error',
            path: 'name',
            message: `the hub's name cannot change while it runs (it is ${this.#routes.name}, the new routes say ${next.name})`,
            hint: `keep name: ${this.#routes.name}, or stop this hub and start one with the new name`,
          },
        ])
      }
    } catch (error) {
      if (error instanceof RoutesError) this.#events.emit('refused', error)
      throw error
    }
    this.#routes = next
    await this.#listen(eventsOf(next))
    this.#events.emit('reloaded', next)
    return next
  }

  /** Per route (by event): events matched, steps done, failed, retried, scheduled, cancelled and skipped. */
  stats(): HubStats {
    return this.#counters.snapshot(this.#routes.routes.map((route) => route.event))
  }

  /** Stops hearing events, lets those being routed and the steps running finish. The bus stays open. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop()
    return this.#stopping
  }

  async #stop(): Promise<void> {
    this.#watcher?.close()
    this.#unregisterClose?.()
    await Promise.all([...this.#subscriptions.values()].map((sub) => sub.unsubscribe().catch(() => {})))
    this.#subscriptions.clear()
    await this.#queue
    await this.#consumer?.stop()
  }

  /** Subscribes to the events not yet heard, then drops those no route needs any more. */
  async #listen(events: readonly string[]): Promise<void> {
    for (const event of events) {
      if (this.#subscriptions.has(event)) continue
      this.#claims.hearing(event)
      const sub = await this.#context.subscribe(event, (_data, message) => {
        // The routes of the moment it arrived; routed after the events before it.
        const routes = this.#routes
        const intake = this.#intake as EventIntake
        // route() reports what fails; the catch keeps the chain alive whatever happens.
        this.#queue = this.#queue
          .then(() => intake.route(routes, message))
          .catch((error: unknown) =>
            this.#context.logger.error({ err: error }, 'the hub could not route an event'),
          )
      })
      this.#subscriptions.set(event, sub)
    }
    const wanted = new Set(events)
    for (const [event, sub] of this.#subscriptions) {
      if (wanted.has(event)) continue
      this.#subscriptions.delete(event)
      await sub.unsubscribe()
    }
  }
}
