/** One received message. */
export interface Message<T = unknown> {
  /**
   * The channel it was published to, as text. A name whose bytes are not UTF-8 (one another
   * client made) reads here with U+FFFD in place of what is not: reply to `channelBytes`.
   */
  readonly channel: string
  /** The channel's exact bytes: publish to them to reach that very channel. A new copy on each read. */
  readonly channelBytes: Uint8Array
  /** The pattern subscription it matched, when it came through one, as text (see `channel`). */
  readonly pattern?: string
  /** The pattern's exact bytes, when it came through one. A new copy on each read. */
  readonly patternBytes?: Uint8Array
  /** The decoded payload. */
  readonly data: T
  /** The bytes as they arrived. */
  readonly raw: Uint8Array
}
