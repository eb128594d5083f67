import type { SlowConsumerError, SwitchboardError } from '../errors.js'
import type { OverflowInfo } from './subscription.js'

/** The events a bus emits, with their arguments. */
export interface BusEvents {
  /** The transport connected for the first time; emitted just after connect() resolves. */
  connected: []
  /** The link to the broker dropped; switchboard is reconnecting. */
  disconnected: [error: Error | undefined]
  /** The link is back and every channel and pattern is subscribed again. */
  reconnected: []
  /**
   * Something went wrong that no call could be told about: a malformed message (on a
   * subscription, a caller's reply channel or a service's request channel), a payload that failed
   * its schema, a handler that threw, a lost link, a slow-consumer disconnect. Each is counted by
   * its code (see stats()) and then handed to these listeners; with none, it is logged instead,
   * at the level of its code: warn for what another process sent and this one dropped (malformed,
   * invalid), error for what this process lost or its own code did.
   */
  error: [error: SwitchboardError]
  /**
   * Redis dropped the subscriber connection because it read too slowly (its pub/sub output
   * buffer passed client-output-buffer-limit). Messages sent meanwhile are lost; switchboard
   * reconnects and resubscribes. The same error also goes to 'error'.
   */
  'slow-consumer': [error: SlowConsumerError]
  /** A subscription buffer overflowed and messages were dropped (once per episode). */
  overflow: [info: OverflowInfo]
}

/**
 * Counts since the bus was created: a view of what the bus's StatsRecorder heard from every layer
 * (its subscriptions, services and callers included).
 */
export interface BusStats {
  /** Messages handed to the transport (each channel of a multi-channel publish counts one). */
  published: number
  /** Messages handed to local subscriptions (one per subscription reached). */
  delivered: number
  /**
   * Messages that could not be decoded and were dropped: on subscriptions, on the reply channel
   * of callers, and requests to services (MalformedMessageError reports).
   */
  malformed: number
  /**
   * Messages dropped after they reached a subscription: its buffer was full (one per message lost,
   * not per episode), the bus closed before a handler reached them, or the message was larger than
   * maxPayloadBytes and was dropped as it arrived, never decoded.
   */
  dropped: number
  /** Messages dropped because they failed their channel's or subscription's schema. */
  invalid: number
  /** Handler calls (and schema checks) that threw: SubscriberError reports. */
  handlerErrors: number
  /** Times the transport's link came back after it dropped. */
  reconnects: number
}
