import type { Codec } from '../codec/codec.js'
import type { SwitchboardError } from '../errors.js'
import type { Instrumentation } from '../observe/instrumentation.js'
import type { Scheduler } from './scheduler.js'
import type { Retention, TopicStore } from './topic-store.js'

/** What a topic needs of its bus, handed over by client/: nothing of it is public API. */
export interface DurableContext {
  /** The store of one topic on the bus's broker. */
  openStore(topic: string, retention: Retention): TopicStore
  readonly codec: Codec
  /** Encodes with the bus codec: EncodeError, or PayloadTooLargeError beyond maxPayloadBytes. */
  encode(data: unknown): Uint8Array
  readonly instrumentation: Instrumentation
  /**
   * True when something past the bus's own counters hears the events (metrics, say): only then
   * is an entry's duration worth its two clock reads.
   */
  readonly timed: boolean
  /** The bus's one error path, for failures nobody awaits (a read loop, an ack). */
  reportError(error: SwitchboardError): void
  /** Work the bus's close() waits for; returns a function that unregisters it. */
  onClose(hook: () => Promise<void>): () => void
  /**
   * The one scheduler of a topic on this bus, made by `create` the first time: every
   * `bus.topic(name)` object of one name shares it.
   */
  schedulerFor(topic: string, create: () => Scheduler): Scheduler
  /** Refuses calls on a closed bus (ClosedError). */
  checkOpen(): void
}
