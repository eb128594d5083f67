import type * as PromClient from 'prom-client'
import type { ErrorCode, SwitchboardError } from '../errors.js'
import { ActionCell } from './action-cells.js'
import { BoundedNames, boundedGrouping, CellTable, defaultChannelGroup } from './bounded-labels.js'
import { type CellHistogram, cellHistogram } from './cell-histogram.js'
import { DurableMetrics } from './durable-metrics.js'
import type {
  CallOutcome,
  ConsumeOutcome,
  DropReason,
  HandleOutcome,
  Instrumentation,
  LinkState,
  SkipReason,
} from './instrumentation.js'
import { LastCell } from './last-cell.js'
import { loadOptional } from './optional-dependency.js'
import type { WatchedTopic } from './watched-topic.js'

/**
 * A prom-client Registry, described by what switchboard uses of it, so that the published types
 * do not need prom-client installed.
 */
export interface MetricsRegistry {
  /** The metric already registered under `name`, if any: buses sharing a registry share series. */
  getSingleMetric(name: string): unknown
  /** Registers a metric this module made. */
  registerMetric(metric: never): void
}

/** Options of prometheusMetrics(). */
export interface PrometheusMetricsOptions {
  /** Where the metrics are registered. @defaultValue prom-client's global `register` */
  registry?: MetricsRegistry
  /**
   * The group a channel's messages count under: the `group` label of the published and delivered
   * counters. Keep the set of groups small; it is capped by maxChannelGroups anyway.
   * @defaultValue the channel's text before its first '.' or ':' ('orders.eu' → 'orders')
   */
  channelGroup?: (channel: string) => string
  /** Most distinct channel groups; every later one counts as 'other'. @defaultValue 50 */
  maxChannelGroups?: number
  /** Most distinct services (callers' and handlers'); every later one counts as 'other'. @defaultValue 50 */
  maxServices?: number
  /** Most distinct actions per service; every later one counts as 'other'. @defaultValue 100 */
  maxActions?: number
  /** Most distinct durable topics; every later one counts as 'other'. @defaultValue 50 */
  maxTopics?: number
  /** Most distinct consumer groups per durable topic; every later one counts as 'other'. @defaultValue 20 */
  maxGroups?: number
  /**
   * Upper bounds of the buckets of the duration histograms (RPC, durable entries), in seconds.
   * @defaultValue 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
   */
  durationBuckets?: readonly number[]
}

/** The defaults of prometheusMetrics()'s options: the caps that keep label sets bounded. */
export const PROMETHEUS_DEFAULTS = {
  maxChannelGroups: 50,
  maxServices: 50,
  maxActions: 100,
  maxTopics: 50,
  maxGroups: 20,
  durationBuckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
} as const

interface ChannelCell {
  published: number
  delivered: number
}

/** Running and waiting requests of one instance of a service. */
type InstanceLoad = { inFlight: number; queued: number }

/** Running and waiting requests of each instance of one service in this process. */
type ServiceLoad = Map<string, InstanceLoad>

/**
 * The counts behind one registry's metrics. Every bus given metrics on one registry counts into
 * the same state, so the series are the process's, whatever the number of buses. Counters are
 * plain numbers, histograms are HistogramCells, bumped on the hot path and read by prom-client at
 * scrape time (its own inc() and observe() hash the labels on every call).
 */
class MetricsState implements Instrumentation {
  readonly #channels: CellTable<ChannelCell>
  /**
   * The channels published to and delivered from last, each apart: a caller publishes to a
   * service and hears on its reply channel, turn and turn about, which one shared would miss.
   */
  readonly #lastPublished = new LastCell<ChannelCell>()
  readonly #lastDelivered = new LastCell<ChannelCell>()
  readonly #channelCell = (channel: string): ChannelCell => this.#channels.cell(channel)
  readonly #actions: CellTable<CellTable<ActionCell>>
  readonly #dropped = new Map<DropReason, number>()
  readonly #errors = new Map<ErrorCode, number>()
  readonly #load = new Map<string, ServiceLoad>()
  readonly #services: BoundedNames
  #lastLoad: { service: string; instance: string; figures: InstanceLoad } | undefined
  #reconnects = 0
  #linkUp = -1
  readonly #callDuration: CellHistogram
  readonly #handleDuration: CellHistogram
  readonly #skipped: PromClient.Counter<'service' | 'reason'>
  readonly #durable: DurableMetrics

  constructor(client: typeof PromClient, registry: PromClient.Registry, options: PrometheusMetricsOptions) {
    const maxActions = options.maxActions ?? PROMETHEUS_DEFAULTS.maxActions
    this.#services = new BoundedNames(options.maxServices ?? PROMETHEUS_DEFAULTS.maxServices)
    const group = boundedGrouping(
      options.channelGroup ?? defaultChannelGroup,
      options.maxChannelGroups ?? PROMETHEUS_DEFAULTS.maxChannelGroups,
    )
    this.#channels = new CellTable(group, () => ({ published: 0, delivered: 0 }))
    this.#actions = new CellTable(
      (service) => this.#services.name(service),
      (service) => {
        const actions = new BoundedNames(maxActions)
        return new CellTable(
          (action) => actions.name(action),
          (action) => new ActionCell(this.#callDuration, this.#handleDuration, service, action),
        )
      },
    )
    const registers = [registry]
    this.#tally(client, registers)
    const buckets = [...(options.durationBuckets ?? PROMETHEUS_DEFAULTS.durationBuckets)]
    const labelNames = ['service', 'action', 'outcome'] as const
    this.#callDuration = cellHistogram(client, {
      name: 'switchboard_rpc_request_duration_seconds',
      help: 'Requests made by callers in this process, from start to the final outcome, by service, action and outcome (success, remote_error, timeout, no_responder, cancelled, failed).',
      labelNames,
      buckets,
      registers,
    })
    this.#handleDuration = cellHistogram(client, {
      name: 'switchboard_rpc_handle_duration_seconds',
      help: 'Requests taken by service instances in this process, from intake to the reply, by service, action and outcome (success, failed, cancelled, unknown_action, overloaded, deadline_exceeded, closed).',
      labelNames,
      buckets,
      registers,
    })
    this.#skipped = new client.Counter({
      name: 'switchboard_rpc_skipped_total',
      help: 'Shared-channel requests an instance let go without taking them, by service and reason (claimed_elsewhere, expired, cancelled).',
      labelNames: ['service', 'reason'],
      registers,
    })
    this.#durable = new DurableMetrics(client, registers, {
      maxTopics: options.maxTopics ?? PROMETHEUS_DEFAULTS.maxTopics,
      maxGroups: options.maxGroups ?? PROMETHEUS_DEFAULTS.maxGroups,
      buckets,
    })
  }

  /** The counters and gauges read from plain numbers at scrape time. */
  #tally(client: typeof PromClient, registers: PromClient.Registry[]): void {
    const scraped = <L extends string>(
      Kind: typeof PromClient.Counter | typeof PromClient.Gauge,
      name: string,
      help: string,
      labelNames: readonly L[],
      read: () => Iterable<readonly [Partial<Record<L, string>>, number]>,
    ): void => {
      new Kind<L>({
        name,
        help,
        labelNames,
        registers,
        collect(this: PromClient.Counter<L> | PromClient.Gauge<L>) {
          this.reset()
          for (const [labels, value] of read()) {
            if (this instanceof client.Gauge) this.set(labels, value)
            else this.inc(labels, value)
          }
        },
      })
    }
    scraped(
      client.Counter,
      'switchboard_messages_published_total',
      'Messages handed to the broker, by channel group.',
      ['group'],
      () => map(this.#channels.entries(), ([group, cell]) => [{ group }, cell.published] as const),
    )
    scraped(
      client.Counter,
      'switchboard_messages_delivered_total',
      'Messages handed to local subscriptions (one per subscription reached), by channel group.',
      ['group'],
      () => map(this.#channels.entries(), ([group, cell]) => [{ group }, cell.delivered] as const),
    )
    scraped(
      client.Counter,
      'switchboard_messages_dropped_total',
      'Messages that reached a subscription and were not handed over, by reason (overflow: a slow consumer, its buffer full; closed; invalid: failed its schema; late: a reply nobody waited for; oversize).',
      ['reason'],
      () => map(this.#dropped.entries(), ([reason, n]) => [{ reason }, n] as const),
    )
    scraped(
      client.Counter,
      'switchboard_messages_malformed_total',
      'Messages and requests that could not be decoded, dropped.',
      [],
      () => [[{}, this.#errors.get('MALFORMED_MESSAGE') ?? 0]],
    )
    scraped(
      client.Counter,
      'switchboard_slow_consumer_disconnects_total',
      'Times Redis dropped a subscriber connection of this process because it read too slowly (output buffer limit).',
      [],
      () => [[{}, this.#errors.get('SLOW_CONSUMER') ?? 0]],
    )
    scraped(
      client.Counter,
      'switchboard_errors_total',
      'Errors reported on the bus error path (no caller could be told), by code.',
      ['code'],
      () => map(this.#errors.entries(), ([code, n]) => [{ code }, n] as const),
    )
    scraped(client.Counter, 'switchboard_reconnects_total', 'Broker links re-established.', [], () => [
      [{}, this.#reconnects],
    ])
    scraped(
      client.Gauge,
      'switchboard_link_up',
      '1 while the last link state a bus of this process reported is connected, 0 when disconnected.',
      [],
      () => (this.#linkUp < 0 ? [] : [[{}, this.#linkUp]]),
    )
    scraped(
      client.Gauge,
      'switchboard_rpc_in_flight',
      'Requests running in the service instances of this process, by service.',
      ['service'],
      () => map(this.#load.entries(), ([service, load]) => [{ service }, sum(load, 'inFlight')] as const),
    )
    scraped(
      client.Gauge,
      'switchboard_rpc_queued',
      'Requests waiting for a free slot in the service instances of this process, by service.',
      ['service'],
      () => map(this.#load.entries(), ([service, load]) => [{ service }, sum(load, 'queued')] as const),
    )
  }

  published(channel: string, messages: number): void {
    this.#lastPublished.get(channel, this.#channelCell).published += messages
  }

  delivered(channel: string): void {
    this.#lastDelivered.get(channel, this.#channelCell).delivered += 1
  }

  dropped(reason: DropReason, messages: number): void {
    this.#dropped.set(reason, (this.#dropped.get(reason) ?? 0) + messages)
  }

  reported(error: SwitchboardError): void {
    this.#errors.set(error.code, (this.#errors.get(error.code) ?? 0) + 1)
  }

  link(state: LinkState): void {
    if (state === 'reconnected') this.#reconnects += 1
    this.#linkUp = state === 'disconnected' ? 0 : 1
  }

  called(service: string, action: string, outcome: CallOutcome, durationMs: number): void {
    this.#actions
      .cell(service)
      .cell(action)
      .called.cell(outcome)
      .observe(durationMs / 1000)
  }

  handled(service: string, action: string, outcome: HandleOutcome, durationMs: number): void {
    this.#actions
      .cell(service)
      .cell(action)
      .handled.cell(outcome)
      .observe(durationMs / 1000)
  }

  skipped(service: string, _action: string, reason: SkipReason): void {
    this.#skipped.inc({ service: this.#services.name(service), reason })
  }

  load(service: string, instance: string, inFlight: number, queued: number): void {
    // Told as each request starts and ends: the instance told last is kept, and then no Map is read.
    const last = this.#lastLoad
    if (last !== undefined && instance === last.instance && service === last.service) {
      last.figures.inFlight = inFlight
      last.figures.queued = queued
      return
    }
    const name = this.#services.name(service)
    let load = this.#load.get(name)
    if (load === undefined) {
      load = new Map()
      this.#load.set(name, load)
    }
    let figures = load.get(instance)
    if (figures === undefined) {
      figures = { inFlight, queued }
      load.set(instance, figures)
    } else {
      figures.inFlight = inFlight
      figures.queued = queued
    }
    this.#lastLoad = { service, instance, figures }
  }

  consumed(topic: string, group: string, outcome: ConsumeOutcome, durationMs: number): void {
    this.#durable.consumed(topic, group, outcome, durationMs)
  }

  topicOpened(topic: WatchedTopic): void {
    this.#durable.topicOpened(topic)
  }

  topicClosed(topic: WatchedTopic): void {
    this.#durable.topicClosed(topic)
  }
}

function* map<T, U>(items: Iterable<T>, f: (item: T) => U): Iterable<U> {
  for (const item of items) yield f(item)
}

function sum(load: ServiceLoad, key: 'inFlight' | 'queued'): number {
  let total = 0
  for (const one of load.values()) total += one[key]
  return total
}

/** One state per registry: buses that share a registry share its series. */
const states = new WeakMap<object, MetricsState>()

/**
 * Prometheus metrics for `connect({ instrumentation: prometheusMetrics({ registry }) })`, through
 * prom-client, an optional peer dependency: it is loaded here, on first use, and a missing one
 * throws MissingDependencyError with the npm command that installs it. Several buses may be
 * given metrics on the same registry; they count into the same series, and the options of the
 * first call for a registry hold.
 */
export function prometheusMetrics(options: PrometheusMetricsOptions = {}): Instrumentation {
  const client = loadOptional<typeof PromClient>('prom-client', 'prometheusMetrics()')
  const registry = (options.registry as PromClient.Registry | undefined) ?? client.register
  let state = states.get(registry)
  if (state === undefined) {
    state = new MetricsState(client, registry, options)
    states.set(registry, state)
  }
  return state
}
