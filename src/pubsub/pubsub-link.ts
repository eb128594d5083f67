import type { SwitchboardError } from '../errors.js'
import type { Instrumentation } from '../observe/instrumentation.js'
import type { Logger } from '../observe/logger.js'
import type { Payload, PublishReceipt } from '../transport/transport.js'
import type { MessageHandler, SubscribeOptions, Subscription } from './subscription.js'

/** Work a closing bus runs, and waits for, before it ends its subscriptions. */
export type CloseHook = () => Promise<void>

/**
 * What rpc/ and service/ need of a bus's pub/sub beyond its public API: publishing bytes they
 * encoded themselves (RPC envelopes), receipts instead of promises on the RPC hot path, the size
 * limit, the bus's recorder and error path, and a place in the close sequence. client/ hands it to them (see
 * rpc/bus-internals.ts); it is never a method of the public Bus.
 */
export interface PubSubLink {
  readonly logger: Logger
  /** True once close() has drained and the connections are closing: every call fails. */
  readonly isClosed: boolean
  /**
   * The bus's StatsRecorder: a service or RPC client chains a recorder of its own to it, so that
   * its stats() are its share and the bus's totals include them.
   */
  readonly instrumentation: Instrumentation
  /** How long the bus's close() waits for in-flight work, in milliseconds: the bound of each close hook. */
  readonly closeTimeoutMs: number
  /**
   * bus.subscribe(), with the names already a list: the same defaults, schemas and multiplexing.
   * The subscription counts through `parent` (default: the bus's recorder).
   */
  subscribe<T>(
    names: readonly string[],
    handler: MessageHandler<T> | undefined,
    options: SubscribeOptions<T>,
    parent?: Instrumentation,
  ): Promise<Subscription<T>>
  /** Returns a payload encoded elsewhere, or throws PayloadTooLargeError beyond maxPayloadBytes. */
  checkSize<P extends Payload>(payload: P): P
  /** Publishes encoded bytes to one channel; `receipt` hears how it went, on a later turn. */
  publishTo(channel: string, payload: Payload, receipt: PublishReceipt): void
  /** Publishes encoded bytes to one channel; resolves to the number of receivers. */
  publish(channel: string, payload: Payload): Promise<number>
  /**
   * The bus's one error path, for an error nothing else can be told about: counted by code
   * through `via` (a recorder chained to the bus's; default the bus's own), then to the bus
   * 'error' listeners, or logged at its code's level when there are none.
   */
  reportError(error: SwitchboardError, via?: Instrumentation): void
  /** Registers work close() waits for (services, callers); returns a function that unregisters it. */
  onClose(hook: CloseHook): () => void
}
