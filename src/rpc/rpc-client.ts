import { randomUUID } from 'node:crypto'
import { rawCodec } from '../codec/raw.js'
import { ClosedError, MalformedMessageError, NoResponderError } from '../errors.js'
import type { CallOutcome } from '../observe/instrumentation.js'
import type { Logger } from '../observe/logger.js'
import { StatsRecorder } from '../observe/stats-recorder.js'
import type { Tracer } from '../observe/tracer.js'
import type { PubSubLink } from '../pubsub/pubsub-link.js'
import type { Subscription } from '../pubsub/subscription.js'
import { settlesWithin } from '../timers.js'
import type { Payload, PublishReceipt } from '../transport/transport.js'
import type { BusInternals } from './bus-internals.js'
import { REPLY_CHANNEL_PREFIX } from './channels.js'
import { decodeResponse, encodeCancel } from './envelope.js'
import { InstanceDirectory } from './instance-directory.js'
import { type PendingRequest, PendingRequests } from './pending-requests.js'
import { type Expiring, TimeoutQueue } from './timeout-queue.js'

/** Where a published request went, or why it could not go. */
export interface RouteTarget {
  /**
   * The request is being published to `channel`. Its response may come back before routed() says
   * so (the reply and the PUBLISH receipt travel on different connections).
   */
  trying(channel: string): void
  /** The request reached a subscriber of `channel`. */
  routed(channel: string): void
  fail(error: unknown): void
}

/**
 * A request the table holds, whose timeout the client watches, and which it fails when its bus
 * closes. It hears of its own PUBLISH (PublishReceipt) and hands a 0-receiver answer back to
 * reroute().
 */
export interface OutgoingRequest extends PendingRequest, RouteTarget, PublishReceipt, Expiring {
  readonly id: string
  readonly timeoutMs: number
  /** The channel its last PUBLISH went to, set by send() and trying(). */
  channel: string | undefined
}

/** A request a stopping instance refused unstarted, to send elsewhere (see RpcClient.resend). */
export interface Resend {
  readonly service: string
  readonly action: string
  /** The envelope again, with the time left now. */
  readonly bytes: Payload
  readonly maxAgeMs: number
  /** Instance channels not to send it to: those that refused it, and those found empty meanwhile. */
  readonly refusedBy: Set<string>
  /** What the request fails with when no other instance takes it. */
  readonly refusal: Error
}

/**
 * Counts of a bus's RPC client, shared by all its callers (one reply channel per bus): a view of
 * the client's recorder, which the bus's totals include.
 */
export interface CallerStats {
  /** Requests waiting for their final response now. */
  pending: number
  /** Responses dropped because their request had timed out, been cancelled, or was unknown. */
  lateReplies: number
  /** Responses that could not be decoded, dropped (and reported on the bus 'error' event). */
  malformedReplies: number
  /** Requests (request() and stream()) finished, by how they ended for their caller. */
  calls: Record<CallOutcome, number>
  /** Requests sent again to another instance, because a stopping one refused them unstarted. */
  resent: number
}

/**
 * The RPC side of one bus: one reply channel (`caller:<uuid>`, subscribed on first use) shared by
 * every request of every Caller on the bus, the table routing responses by request_id, and the
 * directory that spreads requests over a service's instances.
 */
export class RpcClient {
  readonly replyChannel = `${REPLY_CHANNEL_PREFIX}${randomUUID()}`
  readonly #pubsub: PubSubLink
  readonly #log: Logger
  readonly #pending = new PendingRequests<OutgoingRequest>()
  readonly #timeouts = new TimeoutQueue<OutgoingRequest>()
  /** Request ids: UUID-shaped, random per client in their first 74 bits, a counter in the last 48. */
  readonly #idPrefix = randomUUID().slice(0, 24)
  #idCounter = 0
  readonly #directory: InstanceDirectory
  /** What every caller of the bus counts through; it passes everything on to the bus's recorder. */
  readonly #recorder: StatsRecorder
  #subscription: Promise<Subscription<unknown>> | undefined
  #subscribed = false
  #resent = 0
  #onIdle: (() => void) | undefined

  constructor({ pubsub, broker }: BusInternals) {
    this.#pubsub = pubsub
    this.#log = pubsub.logger.child({ component: 'caller', replyChannel: this.replyChannel })
    this.#directory = new InstanceDirectory((pattern) => broker.channels(pattern))
    this.#recorder = new StatsRecorder(pubsub.instrumentation)
    pubsub.onClose(() => this.#close())
  }

  get isClosed(): boolean {
    return this.#pubsub.isClosed
  }

  /** The bus's tracer, when tracing is on: requests begin their spans with it. */
  get tracer(): Tracer | undefined {
    return this.#recorder.tracer
  }

  stats(): CallerStats {
    const recorder = this.#recorder
    return {
      pending: this.#pending.size,
      lateReplies: recorder.droppedCount('late'),
      malformedReplies: recorder.errorCount('MALFORMED_MESSAGE'),
      calls: {
        success: recorder.callCount('success'),
        remote_error: recorder.callCount('remote_error'),
        timeout: recorder.callCount('timeout'),
        no_responder: recorder.callCount('no_responder'),
        cancelled: recorder.callCount('cancelled'),
        failed: recorder.callCount('failed'),
      },
      resent: this.#resent,
    }
  }

  /** A request settled for its caller: `startedAt` is its performance.now() when it began. */
  called(service: string, action: string, outcome: CallOutcome, startedAt: number): void {
    const recorder = this.#recorder
    // No clock read when only the recorders hear it: they count, never time.
    recorder.called(service, action, outcome, recorder.listening ? performance.now() - startedAt : 0)
  }

  /** Subscribes the reply channel once; every request awaits it before publishing. */
  ready(): Promise<unknown> {
    if (!this.#subscription) {
      const subscribing = this.#pubsub.subscribe(
        [this.replyChannel],
        this.#onReply,
        { codec: rawCodec, pattern: false },
        this.#recorder,
      )
      this.#subscription = subscribing
      subscribing.then(
        () => {
          this.#subscribed = true
        },
        // A failed subscribe is retried by the next request.
        () => {
          if (this.#subscription === subscribing) this.#subscription = undefined
        },
      )
    }
    return this.#subscription
  }

  /** Refuses an encoded envelope beyond the bus's maxPayloadBytes. */
  checkSize(bytes: Payload): Payload {
    return this.#pubsub.checkSize(bytes)
  }

  /** Logs an error thrown by user code (an onProgress callback) that nothing else can report. */
  logError(error: unknown, message: string): void {
    this.#log.error({ err: error }, message)
  }

  /** A request_id unique among every caller's: cheaper than a random UUID per request. */
  nextRequestId(): string {
    this.#idCounter += 1
    return this.#idPrefix + this.#idCounter.toString(16).padStart(12, '0')
  }

  /** Puts a request in the table and watches its timeout. */
  add(request: OutgoingRequest): void {
    this.#pending.add(request.id, request)
    this.#timeouts.watch(request, request.timeoutMs)
  }

  /** A request settled: out of the table (unless a final response took it out), and its timeout unwatched. */
  remove(request: OutgoingRequest, inTable: boolean): void {
    if (inTable) this.#pending.remove(request.id)
    this.#timeouts.settled(request, request.timeoutMs)
    this.#checkIdle()
  }

  /**
   * Publishes a request to one live instance of the service, in turn. In the common case, with the
   * reply channel subscribed and the instances known, that is one PUBLISH whose receipt is the
   * request itself: no promise, since every promise hop shows at a few microseconds a request. A
   * request that finds 0 receivers hands itself to reroute().
   */
  send(request: OutgoingRequest, service: string, action: string, bytes: Payload, maxAgeMs: number): void {
    const known = this.#subscribed ? this.#directory.peek(service, maxAgeMs) : undefined
    const channel = known && known.length > 0 ? this.#directory.next(service) : undefined
    if (channel === undefined) {
      this.reroute(request, service, action, bytes, maxAgeMs, undefined)
      return
    }
    request.channel = channel
    this.#pubsub.publishTo(channel, bytes, request)
  }

  /**
   * Routes a request the slow way (see #publish) and tells `target` where it went: when the
   * instances are not known yet, or when `emptyChannel`, the instance channel it was published
   * to, had no subscriber.
   */
  reroute(
    target: RouteTarget,
    service: string,
    action: string,
    bytes: Payload,
    maxAgeMs: number,
    emptyChannel: string | undefined,
  ): void {
    const routing =
      emptyChannel === undefined
        ? this.ready().then(() => this.#publish(service, action, bytes, maxAgeMs, undefined, target))
        : this.#publish(service, action, bytes, maxAgeMs, emptyChannel, target)
    routing.then(
      (channel) => target.routed(channel),
      (error: unknown) => target.fail(error),
    )
  }

  /**
   * Sends a request that a stopping instance refused before starting it to another live instance
   * channel, and puts it back in the table for its response. The refusing instance is evicted
   * from the directory. Never to the shared channel: Daebus peers there cannot be told apart from
   * the instance that refused, and its claim may already be taken.
   */
  resend(request: OutgoingRequest, resend: Resend): void {
    this.#pending.add(request.id, request)
    for (const channel of resend.refusedBy) this.#directory.evict(resend.service, channel)
    this.#log.debug(
      { service: resend.service, requestId: request.id, refusedBy: [...resend.refusedBy] },
      'a stopping instance refused the request unstarted: sending it to another instance',
    )
    this.#publishElsewhere(request, resend).then(
      (channel) => {
        if (channel === undefined) {
          request.fail(resend.refusal)
          return
        }
        this.#resent += 1
        request.routed(channel)
      },
      (error: unknown) => request.fail(error),
    )
  }

  /** Publishes to a live instance channel not in `refusedBy`, looking the list up again once if need be. */
  async #publishElsewhere(
    target: RouteTarget,
    { service, bytes, maxAgeMs, refusedBy }: Resend,
  ): Promise<string | undefined> {
    let budget = (await this.#directory.instances(service, maxAgeMs)).length
    let refreshed = false
    for (;;) {
      const channel = budget > 0 ? this.#directory.next(service) : undefined
      if (channel === undefined) {
        if (refreshed) return undefined
        refreshed = true
        budget = (await this.#directory.refresh(service)).length
        continue
      }
      budget -= 1
      if (refusedBy.has(channel)) continue
      target.trying(channel)
      if ((await this.#pubsub.publish(channel, bytes)) > 0) return channel
      this.#directory.evict(service, channel)
      refusedBy.add(channel)
    }
  }

  /** Publishes a fire-and-forget request (no reply channel needed) and resolves to where it went. */
  publish(service: string, action: string, bytes: Payload, maxAgeMs: number): Promise<string> {
    return this.#publish(service, action, bytes, maxAgeMs)
  }

  async #publish(
    service: string,
    action: string,
    bytes: Payload,
    maxAgeMs: number,
    emptyChannel?: string,
    target?: RouteTarget,
  ): Promise<string> {
    let evicted = false
    if (emptyChannel !== undefined) {
      this.#log.debug({ service, channel: emptyChannel }, 'instance channel has no subscriber: evicting it')
      this.#directory.evict(service, emptyChannel)
      evicted = true
    }
    let budget = (await this.#directory.instances(service, maxAgeMs)).length
    let refreshed = false
    for (;;) {
      const channel = budget > 0 ? this.#directory.next(service) : undefined
      if (channel === undefined) {
        if (!evicted || refreshed) break
        refreshed = true
        budget = (await this.#directory.refresh(service)).length
        continue
      }
      budget -= 1
      target?.trying(channel)
      if ((await this.#pubsub.publish(channel, bytes)) > 0) return channel
      this.#log.debug({ service, channel }, 'instance channel has no subscriber: evicting it')
      this.#directory.evict(service, channel)
      evicted = true
    }
    target?.trying(service)
    if ((await this.#pubsub.publish(service, bytes)) > 0) return service
    throw new NoResponderError(service, action)
  }

  /** Tells the service to abort a request, on the channel the request went to. Best effort. */
  cancel(service: string, channel: string, requestId: string): void {
    if (this.#pubsub.isClosed) return
    this.#pubsub
      .publish(channel, encodeCancel(service, requestId, this.replyChannel))
      .catch((error: unknown) => {
        this.#log.debug({ service, requestId, err: error }, 'could not publish a cancel message')
      })
  }

  readonly #onReply = (raw: unknown): void => {
    if (!(raw instanceof Uint8Array)) return
    const response = decodeResponse(raw)
    if (typeof response === 'string') {
      const malformed = new MalformedMessageError(
        `dropped a malformed response on "${this.replyChannel}": ${response}`,
        { channel: this.replyChannel, bytes: raw },
      )
      this.#pubsub.reportError(malformed, this.#recorder)
      return
    }
    const outcome = this.#pending.route(response)
    if (outcome === 'late') {
      this.#recorder.dropped('late', 1)
      this.#log.debug(
        { requestId: response.requestId },
        'dropped a late reply: its request is no longer waiting',
      )
    } else if (outcome === 'final') {
      this.#checkIdle()
    }
  }

  #checkIdle(): void {
    if (this.#pending.size === 0) this.#onIdle?.()
  }

  /**
   * Lets pending requests finish (each has its own timeout) for as long as the bus's close() waits
   * for in-flight work (closeTimeoutMs), then fails the rest with ClosedError.
   */
  async #close(): Promise<void> {
    if (this.#pending.size > 0) {
      const drained = new Promise<void>((resolve) => (this.#onIdle = resolve))
      await settlesWithin(drained, this.#pubsub.closeTimeoutMs)
      this.#onIdle = undefined
    }
    for (const request of this.#pending.drain()) request.fail(new ClosedError('bus'))
    this.#timeouts.clear()
  }
}
