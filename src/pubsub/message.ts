/** One received message. */
export interface Message<T = unknown> {
  /** The channel it was published to. */
  readonly channel: string
  /** The pattern subscription it matched, when it came through one. */
  readonly pattern?: string
  /** The decoded payload. */
  readonly data: T
  /** The bytes as they arrived. */
  readonly raw: Uint8Array
}
