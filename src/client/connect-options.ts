import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { Codec, CodecName } from '../codec/codec.js'
import type { InstrumentationOption } from '../observe/instrumentation.js'
import type { Logger } from '../observe/logger.js'
import type { OverflowPolicy } from '../queue/overflow-policy.js'
import type { ReconnectOptions, RedisTransportOptions } from '../transport/redis/redis-transport-options.js'
import type { ReportOptions } from './process-reporter.js'

/** Options of connect(). Every default is in CONNECT_DEFAULTS. */
export interface ConnectOptions<C extends object = Record<string, unknown>> {
  /**
   * Where the broker is: memory://name, redis://, rediss://, redis+sentinel://h:26379/master,
   * redis+cluster://h:7000,h:7001.
   * @defaultValue SWITCHBOARD_URL when set, else 'memory://default' (the process-wide embedded broker)
   */
  url?: string
  /** How payloads are encoded: 'msgpack' (Popoto's), 'json', 'raw', or your own Codec. @defaultValue 'msgpack' */
  codec?: CodecName | Codec
  /** A pino-compatible logger. @defaultValue warnings and errors as JSON lines on stderr */
  logger?: Logger
  /**
   * Reconnection of Redis transports after a dropped link.
   * @defaultValue initialDelayMs 100, factor 2, maxDelayMs 5000, jitter 0.5, maxAttempts Infinity
   */
  retry?: RetryOptions
  /** Further Redis settings: TLS, connect timeout. @defaultValue see RedisTransportOptions */
  redis?: Omit<RedisTransportOptions, 'reconnect' | 'clientName'>
  /** The client name Redis shows in CLIENT LIST. @defaultValue 'switchboard' */
  name?: string
  /**
   * The largest encoded message publish accepts, in bytes. Redis disconnects a pub/sub client
   * whose output buffer passes 32 MiB, so a larger message would drop every subscriber.
   * @defaultValue 8 MiB
   */
  maxPayloadBytes?: number
  /** How long close() waits for running handlers and services, in milliseconds. @defaultValue 10000 */
  closeTimeoutMs?: number
  /** Default buffer of each subscription, in messages. @defaultValue 10000 */
  bufferSize?: number
  /** Default overflow policy of each subscription. @defaultValue 'drop-oldest' */
  overflow?: OverflowPolicy
  /** Standard Schemas by channel: what arrives on the channel is validated against it. */
  schemas?: { [K in keyof C]?: StandardSchemaV1<unknown, C[K]> }
  /**
   * Hears every event of the bus, its subscriptions, services and callers: messages published,
   * delivered and dropped, errors reported, link changes, requests called and handled. This is
   * where metrics and tracing plug in; `stats()` read the same events. Implement only the
   * methods you need; each must return quickly and never throw, since publish and deliver call
   * them once per message. A list gives each of its members every event: for instance
   * `[prometheusMetrics({ registry }), openTelemetryTracing()]`. @defaultValue none
   */
  instrumentation?: InstrumentationOption
  /**
   * Publish a report of this process every few seconds on `switchboard:report`, for
   * `switchboard dashboard`: its services and their load, per-action counts, errors and p50/p99
   * latency, its publish and delivery counts, its recent errors (never a payload). `true` reports
   * every 5000 ms. @defaultValue SWITCHBOARD_REPORT (`1`, or an interval in ms), else off
   */
  report?: boolean | ReportOptions
}

/** Reconnection: exponential backoff with jitter between attempts. */
export type RetryOptions = Partial<ReconnectOptions>

/** The default of every connect() option that has one. */
export const CONNECT_DEFAULTS = {
  url: 'memory://default',
  codec: 'msgpack',
  name: 'switchboard',
  maxPayloadBytes: 8 * 1024 * 1024,
  closeTimeoutMs: 10_000,
  bufferSize: 10_000,
  overflow: 'drop-oldest',
} as const
