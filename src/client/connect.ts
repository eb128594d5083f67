import { resolveCodec } from '../codec/resolve-codec.js'
import { ConsoleLogger } from '../observe/console-logger.js'
import { completeInstrumentation } from '../observe/instrumentation.js'
import { ReportCollector } from '../observe/report-collector.js'
import { PubSubCore } from '../pubsub/pubsub-core.js'
import { checkMs } from '../timers.js'
import { brokerCommands } from './broker-commands.js'
import { Bus } from './bus.js'
import { CONNECT_DEFAULTS, type ConnectOptions } from './connect-options.js'
import { createTransport } from './create-transport.js'
import { resolveReporting, startReporting } from './process-reporter.js'

/**
 * Connects a bus. With no argument it uses SWITCHBOARD_URL, else the process-wide embedded
 * broker memory://default, which every bus in the process naming it shares.
 *
 * ```ts
 * interface Channels { order_updates: { id: number; status: string } }
 * const bus = await connect<Channels>('redis://127.0.0.1:6379')   // or connect({ url, codec, logger })
 * await bus.subscribe('order_updates', (order) => console.log(order.status))
 * await bus.publish('order_updates', { id: 7, status: 'cooking' })
 * ```
 */
export async function connect<C extends object = Record<string, unknown>>(
  urlOrOptions?: string | ConnectOptions<C>,
): Promise<Bus<C>> {
  const options: ConnectOptions<C> =
    typeof urlOrOptions === 'string' ? { url: urlOrOptions } : (urlOrOptions ?? {})
  const url = options.url ?? process.env.SWITCHBOARD_URL ?? CONNECT_DEFAULTS.url
  // Options are checked before a transport exists, so a bad one leaves nothing to close.
  const given = completeInstrumentation(options.instrumentation)
  const reportEveryMs = resolveReporting(options.report, process.env.SWITCHBOARD_REPORT)
  // Only a reporting bus pays for the collector (and for the clock reads it makes worth taking).
  const collector = reportEveryMs === undefined ? undefined : new ReportCollector(given)
  const instrumentation = collector ?? given
  const closeTimeoutMs = checkMs(
    'closeTimeoutMs',
    options.closeTimeoutMs ?? CONNECT_DEFAULTS.closeTimeoutMs,
    'zero',
  )
  const transport = await createTransport(url, options)
  const pubsub = new PubSubCore(transport, {
    codec: resolveCodec(options.codec ?? CONNECT_DEFAULTS.codec),
    logger: options.logger ?? new ConsoleLogger(),
    maxPayloadBytes: options.maxPayloadBytes ?? CONNECT_DEFAULTS.maxPayloadBytes,
    closeTimeoutMs,
    bufferSize: options.bufferSize ?? CONNECT_DEFAULTS.bufferSize,
    overflow: options.overflow ?? CONNECT_DEFAULTS.overflow,
    schemas: (options.schemas ?? {}) as Record<string, never>,
    instrumentation,
  })
  const bus = new Bus<C>(
    pubsub,
    brokerCommands(transport, () => pubsub.isClosed),
  )
  await pubsub.start()
  if (collector && reportEveryMs !== undefined) {
    startReporting(pubsub, collector, {
      name: options.name ?? CONNECT_DEFAULTS.name,
      intervalMs: reportEveryMs,
      topics: () => bus.topicNames,
    })
  }
  return bus
}
