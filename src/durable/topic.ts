import { InvalidArgumentError } from '../errors.js'
import { type Carrier, NO_SPAN, runInSpan, type SpanHandle, type Tracer } from '../observe/tracer.js'
import { Consumer, type TopicHandler } from './consumer.js'
import { DeadLetters } from './dead-letters.js'
import type { DurableContext } from './durable-context.js'
import { type EntryFields, encodeHeaders, type TopicMessage } from './entry.js'
import { type ResolvedTopicOptions, resolveConsumeOptions, resolveTopicOptions } from './resolve-options.js'
import { scheduleId } from './schedule-id.js'
import { Scheduler } from './scheduler.js'
import { checkName } from './topic-keys.js'
import type { ConsumeOptions, ReadOptions, TopicOptions, TopicPublishOptions } from './topic-options.js'
import { readTopic } from './topic-reader.js'
import type { TopicInfo, TopicStore } from './topic-store.js'

/**
 * A durable topic: a Redis Stream (or the embedded broker's equivalent) with consumer groups,
 * acknowledgements, retries, dead letters, replay and scheduled delivery. Made by `bus.topic()`.
 */
export class Topic<T = unknown> {
  readonly name: string
  readonly #context: DurableContext
  readonly #options: ResolvedTopicOptions
  readonly #store: TopicStore
  readonly #scheduler: Scheduler
  readonly #consumers = new Set<Consumer<T>>()
  #unregisterClose: (() => void) | undefined

  /** @internal Made by bus.topic(). */
  constructor(context: DurableContext, name: string, options?: TopicOptions) {
    this.name = checkName('topic name', name)
    this.#context = context
    this.#options = resolveTopicOptions(options)
    this.#store = context.openStore(this.name, this.#options.retention)
    const store = this.#store
    const pollMs = this.#options.schedulerPollMs
    this.#scheduler = context.schedulerFor(this.name, () => new Scheduler(store, pollMs, context.reportError))
  }

  /**
   * Adds an entry: resolves to its stream id once the broker has it. With delayMs or at, resolves
   * to a schedule id instead (cancel() takes it); with a key used within dedupeWindowMs, to the
   * first publish's id, writing nothing.
   */
  publish(data: T, options: TopicPublishOptions = {}): Promise<string> {
    try {
      this.#context.checkOpen()
      const headers = checkHeaders(options.headers)
      const tracer = this.#context.instrumentation.tracer
      if (tracer === undefined) return this.#publish(data, options, encodeHeaders(headers))
      return this.#traced(tracer, data, options, headers)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /**
   * A publish inside a producer span, whose trace context travels in the entry's headers next to
   * the caller's own. With no span to make (no SDK, no active trace), a publish as without.
   */
  #traced(
    tracer: Tracer,
    data: T,
    options: TopicPublishOptions,
    headers: Record<string, string> | undefined,
  ): Promise<string> {
    const carrier: Carrier = {}
    const span = tracer.produce(this.name, carrier)
    if (span === NO_SPAN) return this.#publish(data, options, encodeHeaders(headers))
    return this.#publishInSpan(span, data, options, encodeHeaders({ ...headers, ...carrier }))
  }

  /** Apart from #traced, so that only a real span pays for the closure and its context. */
  #publishInSpan(
    span: SpanHandle,
    data: T,
    options: TopicPublishOptions,
    headers: string | undefined,
  ): Promise<string> {
    return runInSpan(span, () => this.#publish(data, options, headers))
  }

  async #publish(data: T, options: TopicPublishOptions, headers: string | undefined): Promise<string> {
    const dueMs = dueTime(options)
    const key = options.key === undefined ? undefined : checkKey(options.key)
    const fields: EntryFields = { data: this.#context.encode(data), headers }
    const windowMs = this.#options.dedupeWindowMs
    let id: string
    const now = Date.now()
    if (dueMs !== undefined && dueMs > now) {
      // A scheduled entry's key lasts until it is due and the window after: cancel(key) must
      // find a reminder due in 7 days, whatever the window (10 minutes by default).
      const dedupe = key === undefined ? undefined : { key, windowMs: dueMs - now + windowMs }
      id = await this.#store.schedule(fields, { kind: 'topic' }, dueMs, scheduleId(), dedupe)
      this.#keepRunning()
      this.#scheduler.poke(dueMs)
    } else {
      id =
        key === undefined ? await this.#store.add(fields) : await this.#store.addOnce(fields, key, windowMs)
    }
    this.#context.instrumentation.published(this.name, 1)
    return id
  }

  /** Cancels a scheduled entry not yet due, by schedule id or key: true when it was still pending. */
  cancel(keyOrId: string): Promise<boolean> {
    this.#context.checkOpen()
    return this.#store.cancel(checkKey(keyOrId))
  }

  /**
   * Consumes as a member of `group`: each group gets every entry, and within a group each entry
   * goes to one consumer. Resolves once the consumer reads.
   */
  async consume(group: string, handler: TopicHandler<T>, options?: ConsumeOptions): Promise<Consumer<T>> {
    this.#context.checkOpen()
    checkName('group name', group)
    if (typeof handler !== 'function') {
      throw new InvalidArgumentError(`consume() needs a handler function; got ${typeof handler}`)
    }
    const resolved = resolveConsumeOptions(options)
    const name = options?.name === undefined ? undefined : checkName('consumer name', options.name)
    const consumer = new Consumer<T>({
      store: this.#store,
      topic: this.name,
      group,
      name,
      handler,
      codec: this.#context.codec,
      options: resolved,
      scheduler: this.#scheduler,
      instrumentation: this.#context.instrumentation,
      timed: this.#context.timed,
      onError: this.#context.reportError,
    })
    await consumer.start()
    this.#consumers.add(consumer)
    this.#keepRunning()
    return consumer
  }

  /** The topic's entries in order, without a group or acks; ends at the end unless `follow`. */
  read(options: ReadOptions = {}): AsyncIterable<TopicMessage<T>> {
    this.#context.checkOpen()
    return readTopic<T>(this.#store, this.#context.codec, options)
  }

  /**
   * The dead letters of one consumer group: entries that failed maxAttempts times (or could not be
   * decoded), with their error. `await orders.deadLetters('billing').list({ count: 100 })`, then
   * `.replay(id | 'all')` to send them back to that group.
   */
  deadLetters(group: string): DeadLetters<T> {
    return new DeadLetters<T>(this.#store, checkName('group name', group), this.#context.codec)
  }

  /** Length, scheduled entries, and per consumer group: pending, lag, consumers and dead letters. */
  info(): Promise<TopicInfo> {
    this.#context.checkOpen()
    return this.#store.info()
  }

  /** Closing the bus stops this topic's consumers (in-flight work finishes) and its scheduler. */
  #keepRunning(): void {
    this.#unregisterClose ??= this.#context.onClose(async () => {
      await Promise.all([...this.#consumers].map((consumer) => consumer.stop()))
      await this.#scheduler.stop()
    })
  }
}

function dueTime(options: TopicPublishOptions): number | undefined {
  const { delayMs, at } = options
  if (delayMs !== undefined && at !== undefined) {
    throw new InvalidArgumentError('publish() takes delayMs or at, not both')
  }
  if (delayMs !== undefined) {
    if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0) {
      throw new InvalidArgumentError(
        `delayMs must be a finite number of milliseconds ≥ 0; got ${String(delayMs)}`,
      )
    }
    return Date.now() + delayMs
  }
  if (at === undefined) return undefined
  const ms = at instanceof Date ? at.getTime() : at
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new InvalidArgumentError(`at must be a valid Date or epoch milliseconds; got ${String(at)}`)
  }
  return ms
}

function checkKey(key: unknown): string {
  if (typeof key === 'string' && key.length > 0 && key.length <= 1024) return key
  throw new InvalidArgumentError(
    `a key must be a non-empty string of at most 1024 characters; got ${String(key)}`,
  )
}

function checkHeaders(headers: unknown): Record<string, string> | undefined {
  if (headers === undefined) return undefined
  const valid =
    typeof headers === 'object' &&
    headers !== null &&
    Object.values(headers).every((value) => typeof value === 'string')
  if (!valid) throw new InvalidArgumentError('headers must be an object of string values')
  return headers as Record<string, string>
}
