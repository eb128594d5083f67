import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import type { Codec } from '../codec/codec.js'
import { GroupLostError, type SwitchboardError } from '../errors.js'
import type { ConsumeOutcome, Instrumentation } from '../observe/instrumentation.js'
import { NO_SPAN, runInSpan, type SpanHandle, type Tracer } from '../observe/tracer.js'
import { AckBatch } from './ack-batch.js'
import { backoffDelay } from './backoff.js'
import { decodeHeaders, idTime, pendingKey, type StoredEntry, type TopicMessage } from './entry.js'
import { ErrorEpisode } from './error-episode.js'
import type { ResolvedConsumeOptions } from './resolve-options.js'
import { scheduleId } from './schedule-id.js'
import type { Scheduler } from './scheduler.js'
import { toSwitchboardError } from './store-error.js'
import type { GroupReader, TopicStore } from './topic-store.js'

/** A consumer's handler: returning acknowledges the entry, throwing retries it. */
export type TopicHandler<T> = (data: T, message: TopicMessage<T>) => unknown

/** How long one read blocks waiting for entries, in milliseconds; stop() cuts it at once. */
const BLOCK_MS = 5000
/**
 * After a failed read, the wait before the next one: the connection is being re-established, or a
 * lost group was just created again (a group deleted over and over costs one read per wait, no more).
 */
const READ_RETRY_MS = 250

export interface ConsumerSpec<T> {
  readonly store: TopicStore
  readonly topic: string
  readonly group: string
  readonly name: string | undefined
  readonly handler: TopicHandler<T>
  readonly codec: Codec
  readonly options: ResolvedConsumeOptions
  readonly scheduler: Scheduler
  readonly instrumentation: Instrumentation
  /** Whether consumed() is told real durations (see DurableContext.timed); else 0. */
  readonly timed: boolean
  readonly onError: (error: SwitchboardError) => void
}

/**
 * One consumer of a group: reads the group's new entries (and its retries) up to `concurrency`
 * at a time on a connection of its own, runs the handler, acks what succeeded in batches,
 * schedules a retry (with backoff) or a dead letter for what failed, and claims what other
 * consumers of the group left idle for claimIdleMs.
 */
export class Consumer<T = unknown> {
  readonly group: string
  readonly name: string
  readonly #spec: ConsumerSpec<T>
  /** The handler, or with a tracer, the handler inside a span: chosen once, not per entry. */
  readonly #invoke: TopicHandler<T>
  readonly #inFlight = new Map<string, { entry: StoredEntry; done: Promise<void> }>()
  readonly #acks: AckBatch
  readonly #readErrors: ErrorEpisode
  /** One report per loss of the group, however many reads and claims meet it. */
  readonly #groupLoss: ErrorEpisode
  #recreating: Promise<void> | undefined
  #reader: GroupReader | undefined
  #running = false
  #loop: Promise<void> | undefined
  #claimTimer: NodeJS.Timeout | undefined
  #roomWaiter: (() => void) | undefined
  #stopping: Promise<void> | undefined

  /** @internal Made by topic.consume(). */
  constructor(spec: ConsumerSpec<T>) {
    this.#spec = spec
    this.group = spec.group
    this.name = spec.name ?? `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`
    this.#readErrors = new ErrorEpisode(spec.onError)
    this.#groupLoss = new ErrorEpisode(spec.onError)
    const tracer = spec.instrumentation.tracer
    this.#invoke =
      tracer === undefined ? spec.handler : tracedHandler(tracer, spec.topic, spec.group, spec.handler)
    this.#acks = new AckBatch((entries) =>
      spec.store.ack(spec.group, entries).catch((error: unknown) => spec.onError(toSwitchboardError(error))),
    )
  }

  /** @internal */
  async start(): Promise<void> {
    const { store, group, options } = this.#spec
    await store.createGroup(group)
    this.#reader = await store.openReader(group, this.name)
    this.#running = true
    // Restarted under the same name: what it was given before comes first.
    for (const entry of await store.ownPending(group, this.name, options.concurrency))
      this.#dispatch(entry, true)
    this.#loop = this.#run()
    const everyMs = Math.max(10, Math.floor(options.claimIdleMs / 2))
    this.#claimTimer = setInterval(() => void this.#claimTick(), everyMs)
    this.#spec.scheduler.start()
  }

  /** Entries being handled now. */
  get inFlight(): number {
    return this.#inFlight.size
  }

  /** Stops reading, lets the handlers in flight finish, acknowledges what they did. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop()
    return this.#stopping
  }

  async #stop(): Promise<void> {
    this.#running = false
    clearInterval(this.#claimTimer)
    this.#roomWaiter?.()
    await this.#reader?.close()
    await this.#loop
    await this.#recreating
    await this.#settleInFlight()
    // A read cut by close() may have been served already: those entries are pending for this
    // consumer though it never saw them. Handle them now rather than leave them for a claim.
    try {
      const { store, group, options } = this.#spec
      for (const entry of await store.ownPending(group, this.name, options.concurrency))
        this.#dispatch(entry, false)
      await this.#settleInFlight()
    } catch (error) {
      // A group lost meanwhile has nothing pending for anyone.
      if (!(error instanceof GroupLostError)) this.#spec.onError(toSwitchboardError(error))
    }
  }

  async #settleInFlight(): Promise<void> {
    await Promise.all([...this.#inFlight.values()].map((each) => each.done))
    await this.#acks.drain()
  }

  async #run(): Promise<void> {
    const { concurrency } = this.#spec.options
    while (this.#running) {
      // Reads in batches: wait until half the slots are free rather than read one at a time.
      if (this.#inFlight.size > concurrency / 2) {
        await new Promise<void>((resolve) => {
          this.#roomWaiter = resolve
        })
        continue
      }
      let entries: StoredEntry[]
      // Acks not sent yet go with the read, in one write, rather than in one of their own.
      const acks = this.#acks.take()
      try {
        entries = (await this.#reader?.read(concurrency - this.#inFlight.size, BLOCK_MS, acks)) ?? []
        this.#readErrors.succeeded()
        this.#groupLoss.succeeded()
      } catch (error) {
        // Acks that may not have arrived go again (XACK twice is harmless) with the next batch.
        for (const entry of acks) this.#acks.add(entry)
        if (!this.#running) break
        if (error instanceof GroupLostError) await this.#recreateGroup(error)
        else this.#readErrors.failed(toSwitchboardError(error))
        await new Promise((resolve) => setTimeout(resolve, READ_RETRY_MS))
        continue
      }
      for (const entry of entries) this.#dispatch(entry, false)
    }
  }

  #dispatch(entry: StoredEntry, claimed: boolean): void {
    const key = pendingKey(entry.source, entry.id)
    if (this.#inFlight.has(key)) return
    const done = this.#handle(entry, claimed).finally(() => {
      this.#inFlight.delete(key)
      if (this.#inFlight.size <= this.#spec.options.concurrency / 2) {
        const wake = this.#roomWaiter
        this.#roomWaiter = undefined
        wake?.()
      }
    })
    this.#inFlight.set(key, { entry, done })
  }

  // Each local and try block of this async function is saved with it at every await, per entry:
  // kept few on purpose (bench/durable-trace-cost.ts measures the bytes).
  async #handle(entry: StoredEntry, claimed: boolean): Promise<void> {
    const { store, group, codec, options, topic } = this.#spec
    const startMs = this.#spec.timed ? performance.now() : 0
    // A claimed entry was delivered before, to a consumer that never acknowledged it.
    const attempt = (entry.fields.attempt ?? 1) + (claimed ? 1 : 0)
    try {
      if (attempt > options.maxAttempts) {
        await store.deadLetter(group, entry, 'its consumer stopped without acknowledging it', attempt - 1)
        this.#consumed('dead_lettered', startMs)
        return
      }
      let data: T
      try {
        data = codec.decode(entry.fields.data) as T
      } catch (error) {
        // Bytes that do not decode now never will: no retry.
        await store.deadLetter(group, entry, toSwitchboardError(error).message, attempt)
        this.#consumed('dead_lettered', startMs)
        return
      }
      const id = entry.fields.origin ?? entry.id
      const message: TopicMessage<T> = {
        id,
        data,
        attempt,
        timestamp: idTime(id),
        headers: decodeHeaders(entry.fields.headers),
      }
      this.#spec.instrumentation.delivered(topic, undefined)
      try {
        const invoke = this.#invoke
        await invoke(data, message)
      } catch (error) {
        this.#consumed(await this.#failed(entry, attempt, error), startMs)
        return
      }
      this.#acks.add(entry)
      this.#consumed('acked', startMs)
    } catch (error) {
      // The store failed: the entry stays pending and is claimed again after claimIdleMs.
      this.#spec.onError(toSwitchboardError(error))
      this.#consumed('failed', startMs)
    }
  }

  #consumed(outcome: ConsumeOutcome, startMs: number): void {
    const { instrumentation, topic, group, timed } = this.#spec
    instrumentation.consumed(topic, group, outcome, timed ? performance.now() - startMs : 0)
  }

  async #failed(entry: StoredEntry, attempt: number, error: unknown): Promise<ConsumeOutcome> {
    const { store, group, options } = this.#spec
    const reason = error instanceof Error ? error.message || error.name : String(error)
    if (attempt >= options.maxAttempts) {
      await store.deadLetter(group, entry, reason, attempt)
      return 'dead_lettered'
    }
    const dueMs = Date.now() + backoffDelay(options.backoff, attempt)
    const next = { ...entry.fields, attempt: attempt + 1, origin: entry.fields.origin ?? entry.id }
    await store.retry(group, entry, next, dueMs, scheduleId())
    this.#spec.scheduler.poke(dueMs)
    return 'retried'
  }

  async #claimTick(): Promise<void> {
    const { store, group, options } = this.#spec
    try {
      const working = [...this.#inFlight.values()].map((each) => each.entry)
      if (working.length > 0) await store.touch(group, this.name, working)
      const room = options.concurrency - this.#inFlight.size
      if (!this.#running || room <= 0) return
      const claimed = await store.claim(group, this.name, options.claimIdleMs, room)
      if (!this.#running) return
      for (const entry of claimed) this.#dispatch(entry, true)
    } catch (error) {
      if (!this.#running) return
      if (error instanceof GroupLostError) await this.#recreateGroup(error)
      else this.#spec.onError(toSwitchboardError(error))
    }
  }

  /**
   * The broker lost the group (Redis restarted without persistence, or the stream or group was
   * deleted): report it once per loss, and create the group again as start() did, at the start
   * of the stream, so that what was written after the loss is read (see TopicStore.createGroup).
   * The read loop and the claim tick may both meet the loss: one creation at a time serves both.
   */
  #recreateGroup(lost: GroupLostError): Promise<void> {
    this.#groupLoss.failed(lost)
    this.#recreating ??= this.#spec.store
      .createGroup(this.#spec.group)
      .catch((error: unknown) => this.#readErrors.failed(toSwitchboardError(error)))
      .finally(() => {
        this.#recreating = undefined
      })
    return this.#recreating
  }
}

/**
 * The handler inside a consumer span that continues the trace the entry's headers carry. With no
 * span to make (no SDK, no incoming context), the handler is called as it is.
 */
function tracedHandler<T>(
  tracer: Tracer,
  topic: string,
  group: string,
  handler: TopicHandler<T>,
): TopicHandler<T> {
  return (data, message) => {
    const span = tracer.consume(topic, group, message.id, message.headers)
    return span === NO_SPAN ? handler(data, message) : handleInSpan(span, handler, data, message)
  }
}

/** Apart from tracedHandler, so that only a real span pays for the closure and its context. */
function handleInSpan<T>(
  span: SpanHandle,
  handler: TopicHandler<T>,
  data: T,
  message: TopicMessage<T>,
): unknown {
  return runInSpan(span, () => handler(data, message))
}
