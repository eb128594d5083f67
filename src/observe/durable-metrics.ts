import type * as PromClient from 'prom-client'
import { BoundedNames, CellTable } from './bounded-labels.js'
import { type CellHistogram, cellHistogram, type HistogramCell } from './cell-histogram.js'
import type { ConsumeOutcome } from './instrumentation.js'
import type { TopicFigures, WatchedTopic } from './watched-topic.js'

/** How long a scrape waits for one topic's figures (a broker that is down) before leaving them out. */
const INFO_TIMEOUT_MS = 2000

/** The caps and buckets durable metrics take from prometheusMetrics()'s options. */
export interface DurableMetricsConfig {
  readonly maxTopics: number
  readonly maxGroups: number
  readonly buckets: number[]
}

type GroupRow = { pending: number; lag: number; consumers: number; deadLetters: number }

/** What one scrape read of every topic, by bounded label: topics past the cap add up under 'other'. */
interface Snapshot {
  readonly topics: Map<string, { length: number; scheduled: number }>
  readonly groups: Map<string, Map<string, GroupRow>>
}

/**
 * The metrics of durable topics. Entries processed are counted as they are (a histogram cell per
 * topic, group and outcome, bumped with no allocation); length, scheduled, pending, lag,
 * consumers and dead letters are gauges read at scrape time from `info()` of the topics the buses
 * opened: one read per topic name per scrape, shared by the six gauges.
 */
export class DurableMetrics {
  readonly #topicNames: BoundedNames
  readonly #groupNames = new Map<string, BoundedNames>()
  readonly #maxGroups: number
  readonly #cells: CellTable<CellTable<Map<string, HistogramCell>>>
  readonly #allCells: HistogramCell[] = []
  readonly #duration: CellHistogram
  /** The cell consumed() counted into last, and what it was told. */
  #last: { topic: string; group: string; outcome: ConsumeOutcome; cell: HistogramCell } | undefined
  /** The topics open on some bus, by name: several buses may open one name; one is read. */
  readonly #watched = new Map<string, Set<WatchedTopic>>()
  #reading: Promise<Snapshot> | undefined

  constructor(client: typeof PromClient, registers: PromClient.Registry[], config: DurableMetricsConfig) {
    this.#topicNames = new BoundedNames(config.maxTopics)
    this.#maxGroups = config.maxGroups
    this.#cells = new CellTable(
      (topic) => this.#topicNames.name(topic),
      (topic) =>
        new CellTable(
          (group) => this.#groupName(topic, group),
          () => new Map(),
        ),
    )
    this.#duration = cellHistogram(client, {
      name: 'switchboard_durable_process_duration_seconds',
      help: 'Durable entries consumed in this process, from intake to settling, by topic, group and outcome (acked, retried, dead_lettered, failed).',
      labelNames: ['topic', 'group', 'outcome'],
      buckets: config.buckets,
      registers,
    })
    const cells = this.#allCells
    new client.Counter({
      name: 'switchboard_durable_consumed_total',
      help: 'Durable entries consumed in this process, by topic, group and outcome (acked; retried: the handler threw, a retry is scheduled; dead_lettered; failed: the broker failed, the entry stays pending).',
      labelNames: ['topic', 'group', 'outcome'],
      registers,
      collect(this: PromClient.Counter) {
        this.reset()
        for (const cell of cells) this.inc(cell.labels, cell.count)
      },
    })
    this.#gauges(client, registers)
  }

  consumed(topic: string, group: string, outcome: ConsumeOutcome, durationMs: number): void {
    // Entries come in runs of one topic, group and outcome (acked): the cell of the last is kept.
    const last = this.#last
    if (last !== undefined && outcome === last.outcome && group === last.group && topic === last.topic) {
      last.cell.observe(durationMs / 1000)
      return
    }
    const byOutcome = this.#cells.cell(topic).cell(group)
    let cell = byOutcome.get(outcome)
    if (cell === undefined) {
      const labels = { topic: this.#topicNames.name(topic), group: this.#groupName(topic, group), outcome }
      cell = this.#duration.cell(labels)
      this.#allCells.push(cell)
      byOutcome.set(outcome, cell)
    }
    this.#last = { topic, group, outcome, cell }
    cell.observe(durationMs / 1000)
  }

  topicOpened(topic: WatchedTopic): void {
    let same = this.#watched.get(topic.name)
    if (same === undefined) {
      same = new Set()
      this.#watched.set(topic.name, same)
    }
    same.add(topic)
  }

  topicClosed(topic: WatchedTopic): void {
    const same = this.#watched.get(topic.name)
    same?.delete(topic)
    if (same?.size === 0) this.#watched.delete(topic.name)
  }

  #groupName(topic: string, group: string): string {
    const topicLabel = this.#topicNames.name(topic)
    let names = this.#groupNames.get(topicLabel)
    if (names === undefined) {
      names = new BoundedNames(this.#maxGroups)
      this.#groupNames.set(topicLabel, names)
    }
    return names.name(group)
  }

  #gauges(client: typeof PromClient, registers: PromClient.Registry[]): void {
    const read = (): Promise<Snapshot> => {
      // The gauges of one scrape are collected together: the first starts the read, the rest share it.
      this.#reading ??= this.#read().finally(() => {
        this.#reading = undefined
      })
      return this.#reading
    }
    const perTopic = (name: string, help: string, key: 'length' | 'scheduled'): void => {
      new client.Gauge({
        name,
        help,
        labelNames: ['topic'],
        registers,
        async collect(this: PromClient.Gauge) {
          this.reset()
          for (const [topic, row] of (await read()).topics) this.set({ topic }, row[key])
        },
      })
    }
    const perGroup = (name: string, help: string, key: keyof GroupRow): void => {
      new client.Gauge({
        name,
        help,
        labelNames: ['topic', 'group'],
        registers,
        async collect(this: PromClient.Gauge) {
          this.reset()
          for (const [topic, groups] of (await read()).groups)
            for (const [group, row] of groups) this.set({ topic, group }, row[key])
        },
      })
    }
    perTopic(
      'switchboard_durable_length',
      'Entries in the stream of each durable topic a bus of this process opened.',
      'length',
    )
    perTopic(
      'switchboard_durable_scheduled',
      'Entries waiting for their due time (delayed publishes, retries in backoff), by topic.',
      'scheduled',
    )
    perGroup(
      'switchboard_durable_pending',
      'Entries delivered to a consumer group and not acknowledged yet (retries included), by topic and group.',
      'pending',
    )
    perGroup(
      'switchboard_durable_lag',
      'Entries of the stream a consumer group has not been given yet, by topic and group.',
      'lag',
    )
    perGroup('switchboard_durable_consumers', 'Consumers of each group, by topic and group.', 'consumers')
    perGroup(
      'switchboard_durable_dead_letters',
      'Entries in the dead letters of a consumer group, by topic and group.',
      'deadLetters',
    )
  }

  async #read(): Promise<Snapshot> {
    const names = [...this.#watched].flatMap(([name, same]) => {
      const first = same.values().next().value
      return first === undefined ? [] : [[name, first] as const]
    })
    const figures = await Promise.all(names.map(([, topic]) => infoWithin(topic, INFO_TIMEOUT_MS)))
    const snapshot: Snapshot = { topics: new Map(), groups: new Map() }
    names.forEach(([name], i) => {
      const info = figures[i]
      if (info !== undefined)
        add(snapshot, this.#topicNames.name(name), info, (g) => this.#groupName(name, g))
    })
    return snapshot
  }
}

function add(
  snapshot: Snapshot,
  topic: string,
  info: TopicFigures,
  groupName: (group: string) => string,
): void {
  const row = snapshot.topics.get(topic) ?? { length: 0, scheduled: 0 }
  row.length += info.length
  row.scheduled += info.scheduled
  snapshot.topics.set(topic, row)
  let groups = snapshot.groups.get(topic)
  if (groups === undefined) {
    groups = new Map()
    snapshot.groups.set(topic, groups)
  }
  for (const group of info.groups) {
    const label = groupName(group.name)
    const sum = groups.get(label) ?? { pending: 0, lag: 0, consumers: 0, deadLetters: 0 }
    sum.pending += group.pending
    sum.lag += group.lag
    sum.consumers += group.consumers
    sum.deadLetters += group.deadLetters
    groups.set(label, sum)
  }
}

/** A topic's figures, or undefined when the read fails or takes longer than `ms`. */
async function infoWithin(topic: WatchedTopic, ms: number): Promise<TopicFigures | undefined> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms)
    timer.unref()
  })
  try {
    return await Promise.race([topic.info(), late])
  } catch {
    return undefined
  } finally {
    clearTimeout(timer)
  }
}
