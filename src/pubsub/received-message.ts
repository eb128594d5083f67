import { type ChannelKey, keyBytes, keyText } from '../transport/channel-key.js'
import type { Message } from './message.js'

/**
 * A Message as the dispatcher makes it, from the keys the transport names channel and pattern by
 * (channel-key.ts). The text is read off the key at once (it is the key itself unless the bytes
 * are not UTF-8); the exact bytes only when a handler asks for them, so that a message costs no
 * buffer it does not use.
 */
export class ReceivedMessage<T = unknown> implements Message<T> {
  readonly channel: string
  // Declared, not defined: a message that came through no pattern has no `pattern` key at all.
  declare readonly pattern?: string
  readonly data: T
  readonly raw: Uint8Array
  readonly #channelKey: ChannelKey
  readonly #patternKey: ChannelKey | undefined

  constructor(channelKey: ChannelKey, patternKey: ChannelKey | undefined, data: T, raw: Uint8Array) {
    this.channel = keyText(channelKey)
    if (patternKey !== undefined) this.pattern = keyText(patternKey)
    this.data = data
    this.raw = raw
    this.#channelKey = channelKey
    this.#patternKey = patternKey
  }

  get channelBytes(): Uint8Array {
    return keyBytes(this.#channelKey)
  }

  get patternBytes(): Uint8Array | undefined {
    return this.#patternKey === undefined ? undefined : keyBytes(this.#patternKey)
  }

  /** The same message with other data (what a schema made of it). */
  withData<U>(data: U): ReceivedMessage<U> {
    return new ReceivedMessage(this.#channelKey, this.#patternKey, data, this.raw)
  }
}

/** `msg` with other data, keeping what it knows of its names. */
export function withData<T>(msg: Message<unknown>, data: T): Message<T> {
  return msg instanceof ReceivedMessage ? msg.withData(data) : { ...msg, data }
}
