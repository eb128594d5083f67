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
   * Something went wrong that no call could be told about: a malformed message, a handler that
   * threw, a slow-consumer disconnect. With no listener, errors are only logged.
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

export interface BusStats {
  /** Messages handed to the transport. */
  published: number
  /** Messages handed to local subscriptions. */
  delivered: number
  /** Messages that could not be decoded and were dropped. */
  malformed: number
  /** Messages dropped by full subscription buffers. */
  dropped: number
  /** Handler calls that threw. */
  handlerErrors: number
}
