/**
 * The seam between switchboard and a broker. A transport knows bytes and channel names, never
 * data types. One Transport is one logical client of the broker: Redis counts its subscriptions
 * once, whatever number of local subscribers the layers above multiplex onto it.
 */

import type { ChannelKey, ChannelName } from './channel-key.js'

/** Connection state changes, as a tagged union. */
export type TransportStatus =
  | { type: 'connected' }
  | { type: 'disconnected'; error?: Error }
  | { type: 'reconnected' }
  | { type: 'error'; error: Error }

/**
 * Called for every message that arrives. `channel` and `pattern` are keys (channel-key.ts): the
 * name's text when its bytes are UTF-8, which is what channelKey() makes of the name that was
 * subscribed, so that they can be looked up as they come. `pattern` is set when the message
 * matched a pattern subscription (Redis `pmessage`). The bytes may be reused by nobody else: keep
 * them.
 */
export type MessageSink = (channel: ChannelKey, payload: Uint8Array, pattern: ChannelKey | undefined) => void

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

/**
 * How a name is subscribed, as data: one table of broker commands is keyed by it (see
 * SUBSCRIBE_COMMANDS), so no layer branches on channel-or-pattern.
 * - `channel`: SUBSCRIBE, an exact channel name.
 * - `pattern`: PSUBSCRIBE, a Redis glob pattern.
 * - `shard`: SSUBSCRIBE, a shard channel of Redis Cluster, served by the primary owning its slot.
 */
export const SubscriptionKind = {
  Channel: 'channel',
  Pattern: 'pattern',
  Shard: 'shard',
} as const
export type SubscriptionKind = (typeof SubscriptionKind)[keyof typeof SubscriptionKind]

/** The Redis commands that subscribe and unsubscribe each kind, and the push that confirms each. */
export const SUBSCRIBE_COMMANDS = {
  channel: { subscribe: 'SUBSCRIBE', unsubscribe: 'UNSUBSCRIBE' },
  pattern: { subscribe: 'PSUBSCRIBE', unsubscribe: 'PUNSUBSCRIBE' },
  shard: { subscribe: 'SSUBSCRIBE', unsubscribe: 'SUNSUBSCRIBE' },
} as const satisfies Record<SubscriptionKind, { subscribe: string; unsubscribe: string }>

/**
 * What a transport can do, declared so that the layers above refuse or map what it cannot
 * explicitly instead of failing at the broker.
 */
export interface TransportAbilities {
  /** The subscription kinds it accepts; subscribing any other rejects with InvalidArgumentError. */
  readonly kinds: ReadonlySet<SubscriptionKind>
}

/**
 * Broker abilities that are not pub/sub: what rpc/ and service/ need from the broker, handed to
 * them by client/ rather than exposed on the Bus.
 */
/** A live claim, as readClaim() finds it. */
export interface ClaimReading {
  value: string
  remainingMs: number
}

export interface BrokerCommands {
  /** PUBSUB CHANNELS: the active channels matching a glob pattern. */
  channels(pattern: string): Promise<string[]>
  /**
   * SET key value NX PX ttl: true when this caller claimed the key first. `value` (default '1')
   * is what readClaim() gives back.
   */
  claim(key: string, ttlMs: number, value?: string): Promise<boolean>
  /**
   * GET and PTTL of a claim: its value and the milliseconds it has left (Infinity for a key
   * without expiry), or undefined when none holds (never made, or expired).
   */
  readClaim(key: string): Promise<ClaimReading | undefined>
  /** Where durable topics keep their streams: Redis commands, or the embedded broker's name. */
  readonly streams: StreamBackend
}

/** An argument of a raw Redis command: text, or bytes sent as they are. */
export type CommandArgument = string | Uint8Array

/**
 * Raw Redis commands for durable/ (Streams, sorted sets, Lua). Bulk replies come back as Buffers,
 * so entry payloads stay bytes. Commands issued in one tick go out in one socket write.
 */
/**
 * How a command's bulk-string replies come back: as Buffers ('bytes', for entries carrying codec
 * bytes), or as strings ('text', for ids and counts: cheaper, no Buffer per reply).
 */
export type ReplyForm = 'bytes' | 'text'

export interface StreamCommands {
  /** One command on the command link; an error reply rejects with a ConnectionError whose cause is it. */
  command<T>(args: readonly CommandArgument[], replies?: ReplyForm): Promise<T>
  /** A connection of its own for blocking reads (XREADGROUP BLOCK), never the one carrying PINGs. */
  openBlocking(): Promise<BlockingCommands>
}

/** A dedicated connection for commands that block until data comes. */
export interface BlockingCommands {
  command<T>(args: readonly CommandArgument[], replies?: ReplyForm): Promise<T>
  /** Cuts the connection at once, rejecting a command blocked on it. */
  close(): Promise<void>
}

/**
 * Durable topics' storage, as data: Redis (commands) or the embedded broker (its name: every
 * transport naming one broker shares its streams).
 */
export type StreamBackend =
  | { readonly kind: 'redis'; readonly commands: StreamCommands }
  | { readonly kind: 'memory'; readonly broker: string }

/**
 * Names are text (sent as UTF-8, and refused with InvalidArgumentError when not well-formed) or
 * exact bytes: see ChannelName.
 */
export interface Transport extends BrokerCommands {
  /** The URL the transport was created from, with any password masked. */
  readonly url: string
  readonly abilities: TransportAbilities
  connect(): Promise<void>
  /** Closes connections. Pending commands are flushed first where the broker allows. */
  close(): Promise<void>
  /** PUBLISH: resolves to the number of receivers (channel plus pattern subscriptions). */
  publish(channel: ChannelName, payload: Payload): Promise<number>
  /** PUBLISH, told to `receipt` instead of a promise. */
  publishTo(channel: ChannelName, payload: Payload, receipt: PublishReceipt): void
  /** Many PUBLISH commands in one round trip; resolves to each one's receivers, in order. */
  publishBatch(messages: ReadonlyArray<readonly [channel: ChannelName, payload: Payload]>): Promise<number[]>
  /** Subscribes names of one kind; resolves once the broker has confirmed every one. */
  subscribe(kind: SubscriptionKind, names: readonly ChannelName[]): Promise<void>
  /**
   * Unsubscribes names of one kind; resolves once the broker has confirmed. Messages the broker
   * sent before its confirmation still reach the sink: nothing it counted is dropped.
   */
  unsubscribe(kind: SubscriptionKind, names: readonly ChannelName[]): Promise<void>
  /** PUBSUB NUMSUB: the subscriber count of each channel. */
  numsub(channels: readonly ChannelName[]): Promise<number[]>
  /** The one sink for incoming messages. Set before subscribing. */
  onMessage(sink: MessageSink): void
  onStatus(sink: StatusSink): void
}
