import type { SwitchboardError } from '../errors.js'
import {
  type CallOutcome,
  type ConsumeOutcome,
  type DropReason,
  type HandleOutcome,
  type Instrumentation,
  type LinkState,
  NO_INSTRUMENTATION,
  type SkipReason,
} from './instrumentation.js'
import { LatencyHistogram } from './latency-histogram.js'
import type { ActionReport, ErrorReport, InstanceReport, PatternReport } from './process-report.js'
import type { WatchedTopic } from './watched-topic.js'

/** Errors kept between two reports; older ones in a burst are counted, not kept. */
const MAX_ERRORS = 20
/** An error message is cut to this many characters: it is for a glance, not a log. */
const MAX_MESSAGE = 240

interface ActionCell {
  role: 'handled' | 'called'
  service: string
  action: string
  count: number
  errors: number
  latency: LatencyHistogram
}

/** What one interval gathered, taken (and reset) by the reporter. */
export interface CollectedInterval {
  actions: ActionReport[]
  instances: InstanceReport[]
  patterns: PatternReport[]
  errors: ErrorReport[]
}

/** Outcomes of a call that the dashboard lists among the last errors. */
const CALL_FAILURES: ReadonlySet<CallOutcome> = new Set(['timeout', 'no_responder', 'failed'])

/**
 * Gathers what a process report says, between two reports: per action, counts, errors and a
 * latency histogram; each instance's load; the patterns that delivered; the errors. It sits in
 * front of the user's instrumentation and passes every event on. Per event it costs one map
 * lookup per name and, for a request, a log2: no allocation once an
 * action has been seen.
 */
export class ReportCollector implements Instrumentation {
  readonly #next: Instrumentation
  /** By role, then service, then action: nested maps, so that counting builds no key string. */
  readonly #actions = {
    handled: new Map<string, Map<string, ActionCell>>(),
    called: new Map<string, Map<string, ActionCell>>(),
  }
  readonly #instances = new Map<string, InstanceReport>()
  readonly #patterns = new Map<string, { n: number }>()
  #errors: ErrorReport[] = []
  readonly #now: () => number

  constructor(next: Instrumentation = NO_INSTRUMENTATION, now: () => number = Date.now) {
    this.#next = next
    this.#now = now
  }

  published(channel: string, messages: number): void {
    this.#next.published(channel, messages)
  }

  delivered(channel: string, pattern: string | undefined): void {
    if (pattern !== undefined) {
      let cell = this.#patterns.get(pattern)
      if (cell === undefined) {
        cell = { n: 0 }
        this.#patterns.set(pattern, cell)
      }
      cell.n += 1
    }
    this.#next.delivered(channel, pattern)
  }

  dropped(reason: DropReason, messages: number): void {
    this.#next.dropped(reason, messages)
  }

  reported(error: SwitchboardError): void {
    const fields = error as SwitchboardError & { channel?: unknown; service?: unknown; action?: unknown }
    // The message only: never `preview` or `cause`, which may hold the bytes of a message.
    this.#error({
      at: this.#now(),
      code: error.code,
      message: error.message.slice(0, MAX_MESSAGE),
      ...(typeof fields.channel === 'string' ? { channel: fields.channel } : {}),
      ...(typeof fields.service === 'string' ? { service: fields.service } : {}),
      ...(typeof fields.action === 'string' ? { action: fields.action } : {}),
    })
    this.#next.reported(error)
  }

  link(state: LinkState): void {
    this.#next.link(state)
  }

  called(service: string, action: string, outcome: CallOutcome, durationMs: number): void {
    this.#count('called', service, action, outcome !== 'success' && outcome !== 'cancelled', durationMs)
    if (CALL_FAILURES.has(outcome)) {
      this.#error({
        at: this.#now(),
        code: outcome.toUpperCase(),
        message: `request to ${service}.${action}: ${outcome.replace('_', ' ')} after ${Math.round(durationMs)} ms`,
        service,
        action,
      })
    }
    this.#next.called(service, action, outcome, durationMs)
  }

  handled(service: string, action: string, outcome: HandleOutcome, durationMs: number): void {
    this.#count('handled', service, action, outcome !== 'success' && outcome !== 'cancelled', durationMs)
    this.#next.handled(service, action, outcome, durationMs)
  }

  skipped(service: string, action: string, reason: SkipReason): void {
    this.#next.skipped(service, action, reason)
  }

  load(service: string, instance: string, inFlight: number, queued: number): void {
    const cell = this.#instances.get(instance)
    if (cell === undefined) this.#instances.set(instance, { service, instance, inFlight, queued })
    else {
      cell.inFlight = inFlight
      cell.queued = queued
    }
    this.#next.load(service, instance, inFlight, queued)
  }

  consumed(topic: string, group: string, outcome: ConsumeOutcome, durationMs: number): void {
    this.#next.consumed(topic, group, outcome, durationMs)
  }

  topicOpened(topic: WatchedTopic): void {
    this.#next.topicOpened(topic)
  }

  topicClosed(topic: WatchedTopic): void {
    this.#next.topicClosed(topic)
  }

  /** What the interval gathered; the counts, patterns and errors start again from zero. */
  take(): CollectedInterval {
    const actions: ActionReport[] = []
    for (const cell of this.#cells()) {
      actions.push({
        role: cell.role,
        service: cell.service,
        action: cell.action,
        count: cell.count,
        errors: cell.errors,
        p50Ms: cell.latency.percentile(0.5),
        p99Ms: cell.latency.percentile(0.99),
      })
    }
    // Fresh cells: an idle action costs nothing in the next report.
    this.#actions.handled.clear()
    this.#actions.called.clear()
    const patterns = [...this.#patterns].map(([pattern, cell]) => ({ pattern, delivered: cell.n }))
    this.#patterns.clear()
    const errors = this.#errors
    this.#errors = []
    return { actions, instances: [...this.#instances.values()].map((i) => ({ ...i })), patterns, errors }
  }

  #count(role: 'handled' | 'called', service: string, action: string, failed: boolean, ms: number): void {
    let byAction = this.#actions[role].get(service)
    if (byAction === undefined) {
      byAction = new Map()
      this.#actions[role].set(service, byAction)
    }
    let cell = byAction.get(action)
    if (cell === undefined) {
      cell = { role, service, action, count: 0, errors: 0, latency: new LatencyHistogram() }
      byAction.set(action, cell)
    }
    cell.count += 1
    if (failed) cell.errors += 1
    cell.latency.record(ms)
  }

  *#cells(): Generator<ActionCell> {
    for (const byService of [this.#actions.handled, this.#actions.called])
      for (const byAction of byService.values()) yield* byAction.values()
  }

  #error(error: ErrorReport): void {
    if (this.#errors.length >= MAX_ERRORS) this.#errors.shift()
    this.#errors.push(error)
  }
}
