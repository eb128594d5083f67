import { randomUUID } from 'node:crypto'
import { jsonCodec } from '../codec/json.js'
import { rawCodec } from '../codec/raw.js'
import { ClosedError, MalformedMessageError, NoResponderError } from '../errors.js'
import type { Logger } from '../observe/logger.js'
import type { PubSubBus } from '../pubsub/pubsub-bus.js'
import type { Subscription } from '../pubsub/subscription.js'
import { settlesWithin } from '../timers.js'
import { REPLY_CHANNEL_PREFIX } from './channels.js'
import { cancelEnvelope, decodeResponse, type Envelope } from './envelope.js'
import { InstanceDirectory } from './instance-directory.js'
import { type PendingRequest, PendingRequests } from './pending-requests.js'

/** A request the table holds, which the client can also fail when its bus closes. */
export interface OutgoingRequest extends PendingRequest {
  fail(error: Error): void
}

/** Counters of a bus's reply channel, shared by all its callers. */
export interface CallerStats {
  /** Requests waiting for their final response. */
  pending: number
  /** Responses dropped because their request had timed out, been cancelled, or was unknown. */
  lateReplies: number
  /** Responses that could not be decoded, dropped (and reported on the bus 'error' event). */
  malformedReplies: number
}

/**
 * How long a closing bus waits for its callers' pending requests before failing them, in
 * milliseconds. Each request is already bounded by its own timeout; this bounds close().
 */
export const CLOSE_DRAIN_MS = 10_000

/**
 * The RPC side of one bus: one reply channel (`caller:<uuid>`, subscribed on first use) shared by
 * every request of every Caller on the bus, the table routing responses by request_id, and the
 * directory that spreads requests over a service's instances.
 */
export class RpcClient {
  readonly replyChannel = `${REPLY_CHANNEL_PREFIX}${randomUUID()}`
  readonly #bus: PubSubBus
  readonly #log: Logger
  readonly #pending = new PendingRequests<OutgoingRequest>()
  readonly #directory: InstanceDirectory
  #subscription: Promise<Subscription<unknown>> | undefined
  #subscribed = false
  #malformed = 0
  #onIdle: (() => void) | undefined

  constructor(bus: PubSubBus) {
    this.#bus = bus
    this.#log = bus.logger.child({ component: 'caller', replyChannel: this.replyChannel })
    this.#directory = new InstanceDirectory((pattern) => bus.activeChannels(pattern))
    bus.onClose(() => this.#close())
  }

  get isClosed(): boolean {
    return this.#bus.isClosed
  }

  stats(): CallerStats {
    return {
      pending: this.#pending.size,
      lateReplies: this.#pending.lateReplies,
      malformedReplies: this.#malformed,
    }
  }

  /** Subscribes the reply channel once; every request awaits it before publishing. */
  ready(): Promise<unknown> {
    if (!this.#subscription) {
      const subscribing = this.#bus.subscribe(this.replyChannel, this.#onReply, {
        codec: rawCodec,
        pattern: false,
      })
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

  /** Encodes an envelope as JSON, within the bus's maxPayloadBytes. */
  encode(envelope: Envelope): Uint8Array {
    return this.#bus.encode(envelope, jsonCodec)
  }

  /** Logs an error thrown by user code (an onProgress callback) that nothing else can report. */
  logError(error: unknown, message: string): void {
    this.#log.error({ err: error }, message)
  }

  add(requestId: string, request: OutgoingRequest): void {
    this.#pending.add(requestId, request)
  }

  remove(requestId: string): void {
    if (this.#pending.remove(requestId)) this.#checkIdle()
  }

  /**
   * Publishes a request to one live instance of the service, in turn, and returns the channel it
   * went to. An instance channel without subscriber means that instance is gone: it is evicted
   * and the next one tried, after one fresh lookup if all known ones failed; nobody received the
   * request, so a retry cannot make it run twice. With no instance channel at all (a Daebus
   * service, say), the request goes to the service channel; 0 receivers there is NoResponderError.
   */
  publish(service: string, action: string, bytes: Uint8Array, maxAgeMs: number): Promise<string> {
    // The common case, with the reply channel subscribed and the instances known: one PUBLISH and
    // no other await, since every promise hop shows at a few microseconds a request.
    const known = this.#subscribed ? this.#directory.peek(service, maxAgeMs) : undefined
    const channel = known && known.length > 0 ? this.#directory.next(service) : undefined
    if (channel === undefined) return this.ready().then(() => this.#publish(service, action, bytes, maxAgeMs))
    return this.#bus
      .publishBytes(channel, bytes)
      .then((receivers) =>
        receivers > 0 ? channel : this.#publish(service, action, bytes, maxAgeMs, channel),
      )
  }

  async #publish(
    service: string,
    action: string,
    bytes: Uint8Array,
    maxAgeMs: number,
    emptyChannel?: string,
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
      if ((await this.#bus.publishBytes(channel, bytes)) > 0) return channel
      this.#log.debug({ service, channel }, 'instance channel has no subscriber: evicting it')
      this.#directory.evict(service, channel)
      evicted = true
    }
    if ((await this.#bus.publishBytes(service, bytes)) > 0) return service
    throw new NoResponderError(service, action)
  }

  /** Tells the service to abort a request, on the channel the request went to. Best effort. */
  cancel(service: string, channel: string, requestId: string): void {
    if (this.#bus.isClosed) return
    this.#bus
      .publishBytes(channel, this.encode(cancelEnvelope(service, requestId, this.replyChannel)))
      .catch((error: unknown) => {
        this.#log.debug({ service, requestId, err: error }, 'could not publish a cancel message')
      })
  }

  readonly #onReply = (raw: unknown): void => {
    if (!(raw instanceof Uint8Array)) return
    const response = decodeResponse(raw)
    if (typeof response === 'string') {
      this.#malformed += 1
      this.#bus.reportError(
        new MalformedMessageError(`dropped a malformed response on "${this.replyChannel}": ${response}`, {
          channel: this.replyChannel,
          bytes: raw,
        }),
      )
      return
    }
    const outcome = this.#pending.route(response)
    if (outcome === 'late') {
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

  /** Lets pending requests finish (each has its own timeout), up to CLOSE_DRAIN_MS, then fails the rest. */
  async #close(): Promise<void> {
    if (this.#pending.size > 0) {
      await settlesWithin(new Promise<void>((resolve) => (this.#onIdle = resolve)), CLOSE_DRAIN_MS)
      this.#onIdle = undefined
    }
    for (const request of this.#pending.drain()) request.fail(new ClosedError('bus'))
  }
}
