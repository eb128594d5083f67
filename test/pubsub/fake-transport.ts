import { msgpackCodec } from '../../src/codec/msgpack.js'
import { ConsoleLogger } from '../../src/observe/console-logger.js'
import { NO_INSTRUMENTATION } from '../../src/observe/instrumentation.js'
import type { Logger } from '../../src/observe/logger.js'
import { PubSubBus } from '../../src/pubsub/pubsub-bus.js'
import { type PubSubConfig, PubSubCore } from '../../src/pubsub/pubsub-core.js'
import type {
  MessageSink,
  Payload,
  PublishReceipt,
  StatusSink,
  SubscriptionKind,
  Transport,
  TransportAbilities,
  TransportStatus,
} from '../../src/transport/transport.js'
import { deferred } from '../helpers/wait.js'

/**
 * A transport with no broker behind it, to test what pubsub/ asks of a transport: it records each
 * (UN)SUBSCRIBE, lets a test hold an UNSUBSCRIBE unconfirmed or fail it, and injects messages
 * and statuses as a real transport's sinks would get them.
 */
export class FakeTransport implements Transport {
  readonly url = 'fake://test'
  readonly abilities: TransportAbilities
  /** Each command, as `subscribe channel news`, in the order the bus sent them. */
  readonly commands: string[] = []
  /** While set, an UNSUBSCRIBE waits for confirmUnsubscribe(). */
  holdUnsubscribe = false
  /** While set, an UNSUBSCRIBE fails with this error. */
  failUnsubscribe: Error | undefined
  readonly #held: Array<() => void> = []
  #sink: MessageSink = () => {}
  #status: StatusSink = () => {}

  constructor(kinds: readonly SubscriptionKind[] = ['channel', 'pattern']) {
    this.abilities = { kinds: new Set(kinds) }
  }

  async connect(): Promise<void> {
    this.#status({ type: 'connected' })
  }

  async close(): Promise<void> {}

  async publish(): Promise<number> {
    return 0
  }

  publishTo(_channel: string, _payload: Payload, receipt: PublishReceipt): void {
    queueMicrotask(() => receipt.published(0))
  }

  async publishBatch(messages: ReadonlyArray<readonly [string, Payload]>): Promise<number[]> {
    return messages.map(() => 0)
  }

  async subscribe(kind: SubscriptionKind, names: readonly string[]): Promise<void> {
    this.commands.push(`subscribe ${kind} ${names.join(' ')}`)
  }

  async unsubscribe(kind: SubscriptionKind, names: readonly string[]): Promise<void> {
    this.commands.push(`unsubscribe ${kind} ${names.join(' ')}`)
    if (this.failUnsubscribe) throw this.failUnsubscribe
    if (!this.holdUnsubscribe) return
    const confirmed = deferred()
    this.#held.push(confirmed.resolve)
    await confirmed.promise
  }

  /** Confirms every UNSUBSCRIBE held so far. */
  confirmUnsubscribe(): void {
    for (const confirm of this.#held.splice(0)) confirm()
    this.commands.push('unsubscribe confirmed')
  }

  get heldUnsubscribes(): number {
    return this.#held.length
  }

  async numsub(channels: readonly string[]): Promise<number[]> {
    return channels.map(() => 0)
  }

  async channels(): Promise<string[]> {
    return []
  }

  async claim(): Promise<boolean> {
    return true
  }

  async readClaim(): Promise<undefined> {
    return undefined
  }

  readonly streams = { kind: 'memory', broker: 'fake-transport' } as const

  onMessage(sink: MessageSink): void {
    this.#sink = sink
  }

  onStatus(sink: StatusSink): void {
    this.#status = sink
  }

  /** A message arriving, as the broker would push it. */
  push(channel: string, data: unknown, pattern?: string): void {
    this.#sink(channel, msgpackCodec.encode(data), pattern)
  }

  emitStatus(status: TransportStatus): void {
    this.#status(status)
  }
}

/** A bus over `transport`, made as connect() makes one, but with no broker. */
export async function fakeBus(
  transport: FakeTransport,
  config: Partial<PubSubConfig> & { logger?: Logger } = {},
): Promise<PubSubBus> {
  const core = new PubSubCore(transport, {
    codec: msgpackCodec,
    logger: new ConsoleLogger('silent'),
    maxPayloadBytes: 1024 * 1024,
    closeTimeoutMs: 1000,
    bufferSize: 100,
    overflow: 'drop-oldest',
    schemas: {},
    instrumentation: NO_INSTRUMENTATION,
    ...config,
  })
  await core.start()
  return new PubSubBus(core)
}
