import type { Codec } from '../codec/codec.js'
import { MalformedMessageError, PayloadTooLargeError } from '../errors.js'
import { type ChannelKey, keyText } from '../transport/channel-key.js'
import type { MessageSink, SubscriptionKind } from '../transport/transport.js'
import type { Message } from './message.js'
import { ReceivedMessage } from './received-message.js'

/** A local subscription as the dispatcher sees it: the codec it reads with, and where messages go. */
export interface DispatchTarget {
  readonly codec: Codec
  /** Counts a message that arrived for it and was dropped unread (too large). */
  dropOversize(): void
  /** Takes one decoded message; never throws. */
  deliver(msg: Message<unknown>): void
}

/**
 * Who holds the broker subscription a message came through: the holders of each name of a kind,
 * by key (channel-key.ts), as the transport's sink names channels and patterns.
 */
export interface DispatchRoutes {
  holders(kind: SubscriptionKind): ReadonlyMap<ChannelKey, ReadonlySet<DispatchTarget>>
}

/** Where the dispatcher reports a message it could not decode (each subscription counts its own deliveries). */
export interface DispatchReporter {
  report(error: MalformedMessageError | PayloadTooLargeError): void
}

/**
 * Hands each message that arrives to the local subscriptions that hold its broker subscription,
 * decoding it once per codec among them however they are ordered. A message no codec can read is
 * reported and dropped for the subscriptions of that codec only.
 */
export class MessageDispatcher {
  readonly #byChannel: ReadonlyMap<ChannelKey, ReadonlySet<DispatchTarget>>
  readonly #byPattern: ReadonlyMap<ChannelKey, ReadonlySet<DispatchTarget>>
  readonly #reporter: DispatchReporter
  readonly #maxPayloadBytes: number

  /**
   * `maxPayloadBytes` bounds what is decoded: a larger message is dropped, counted for each of its
   * subscriptions and reported once, before any codec sees it.
   */
  constructor(routes: DispatchRoutes, reporter: DispatchReporter, maxPayloadBytes: number) {
    // The sink names the pattern a message matched, else only its channel: one of the two is the
    // name of the broker subscription it came through. (Shard messages need the sink to say
    // their kind; no transport declares 'shard' yet.)
    this.#byChannel = routes.holders('channel')
    this.#byPattern = routes.holders('pattern')
    this.#reporter = reporter
    this.#maxPayloadBytes = maxPayloadBytes
  }

  /** The transport's message sink. */
  readonly dispatch: MessageSink = (channel, raw, pattern) => {
    const targets = pattern === undefined ? this.#byChannel.get(channel) : this.#byPattern.get(pattern)
    if (!targets) return
    if (raw.byteLength > this.#maxPayloadBytes) {
      for (const sub of targets) sub.dropOversize()
      this.#reporter.report(new PayloadTooLargeError(raw.byteLength, this.#maxPayloadBytes, keyText(channel)))
      return
    }
    let codec: Codec | undefined
    let msg: Message<unknown> | undefined
    // Subscribers with other codecs than the first are rare: their decodes are kept here, so
    // that each codec decodes a message once however the subscribers are ordered.
    let others: Map<Codec, Message<unknown> | undefined> | undefined
    for (const sub of targets) {
      if (codec === undefined) {
        codec = sub.codec
        msg = this.#decode(codec, channel, raw, pattern)
      }
      let delivered = msg
      if (sub.codec !== codec) {
        others ??= new Map()
        if (!others.has(sub.codec)) others.set(sub.codec, this.#decode(sub.codec, channel, raw, pattern))
        delivered = others.get(sub.codec)
      }
      if (delivered) sub.deliver(delivered)
    }
  }

  #decode(
    codec: Codec,
    channel: ChannelKey,
    raw: Uint8Array,
    pattern: ChannelKey | undefined,
  ): Message<unknown> | undefined {
    let data: unknown
    try {
      data = codec.decode(raw)
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      const text = keyText(channel)
      const malformed = new MalformedMessageError(
        `dropped a message on "${text}" that the ${codec.name} codec cannot decode: ${reason}`,
        { channel: text, bytes: raw, cause: error },
      )
      this.#reporter.report(malformed)
      return undefined
    }
    return new ReceivedMessage(channel, pattern, data, raw)
  }
}
