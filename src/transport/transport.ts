/**
 * The seam between switchboard and a broker. A transport knows bytes and channel names, never
 * data types. One Transport is one logical client of the broker: Redis counts its subscriptions
 * once, whatever number of local subscribers the layers above multiplex onto it.
 */

/** Connection state changes, as a tagged union. */
export type TransportStatus =
  | { type: 'connected' }
  | { type: 'disconnected'; error?: Error }
  | { type: 'reconnected' }
  | { type: 'error'; error: Error }

/**
 * Called for every message that arrives. `pattern` is set when the message matched a pattern
 * subscription (Redis `pmessage`). The bytes may be reused by nobody else: keep them.
 */
export type MessageSink = (channel: string, payload: Uint8Array, pattern: string | undefined) => void

export type StatusSink = (status: TransportStatus) => void

/**
 * What a PUBLISH carries: bytes, or text, which goes out as UTF-8. Text lets a caller that builds
 * a message as a string (RPC's JSON envelopes) skip making a buffer only to copy it again.
 */
export type Payload = Uint8Array | string

/** The size of a payload in bytes, as it travels. */
export function payloadBytes(payload: Payload): number {
  return typeof payload === 'string' ? Buffer.byteLength(payload, 'utf8') : payload.byteLength
}

/**
 * Hears how one PUBLISH ended, on a later turn, never inside the publish call: the promise-free
 * publish of the paths that publish once per request, where a promise and its closures per
 * message show in the profile.
 */
export interface PublishReceipt {
  /** PUBLISH answered with this many receivers. */
  published(receivers: number): void
  /** PUBLISH failed, with a SwitchboardError. */
  publishFailed(error: unknown): void
}

export interface Transport {
  /** The URL the transport was created from, with any password masked. */
  readonly url: string
  connect(): Promise<void>
  /** Closes connections. Pending commands are flushed first where the broker allows. */
  close(): Promise<void>
  /** PUBLISH: resolves to the number of receivers (channel plus pattern subscriptions). */
  publish(channel: string, payload: Payload): Promise<number>
  /** PUBLISH, told to `receipt` instead of a promise. */
  publishTo(channel: string, payload: Payload, receipt: PublishReceipt): void
  /** Many PUBLISH commands in one round trip; resolves to each one's receivers, in order. */
  publishBatch(messages: ReadonlyArray<readonly [channel: string, payload: Payload]>): Promise<number[]>
  subscribe(channels: readonly string[]): Promise<void>
  unsubscribe(channels: readonly string[]): Promise<void>
  psubscribe(patterns: readonly string[]): Promise<void>
  punsubscribe(patterns: readonly string[]): Promise<void>
  /** PUBSUB NUMSUB: the subscriber count of each channel. */
  numsub(channels: readonly string[]): Promise<number[]>
  /** PUBSUB CHANNELS: the active channels matching a glob pattern. */
  channels(pattern: string): Promise<string[]>
  /** SET key value NX PX ttl: true when this caller claimed the key first. */
  claim(key: string, ttlMs: number): Promise<boolean>
  /** The one sink for incoming messages. Set before subscribing. */
  onMessage(sink: MessageSink): void
  onStatus(sink: StatusSink): void
}
