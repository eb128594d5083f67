import { InvalidArgumentError, type SwitchboardError } from '../errors.js'
import type { Tracer } from './tracer.js'
import type { WatchedTopic } from './watched-topic.js'

/**
 * Why a message that reached a subscription was not handed to its handler or reader. Every
 * message delivered to a subscription is handed over, dropped for one of these, or still buffered.
 */
export const DropReason = {
  /** The subscription buffer was full and its overflow policy dropped one. */
  Overflow: 'overflow',
  /** The bus or subscription closed before a handler reached the message. */
  Closed: 'closed',
  /** The payload failed the channel's or subscription's schema. */
  Invalid: 'invalid',
  /** A response on a reply channel whose request no longer waited (timed out, cancelled, answered). */
  Late: 'late',
  /** The message was larger than maxPayloadBytes: dropped as it arrived, never decoded. */
  Oversize: 'oversize',
} as const
export type DropReason = (typeof DropReason)[keyof typeof DropReason]

/**
 * The reasons `stats().dropped` of a bus or subscription adds up: messages lost to this process
 * (schema failures and late replies have counters of their own).
 */
export const LOST_REASONS: readonly DropReason[] = ['overflow', 'closed', 'oversize']

/** How a request ended for its caller: the outcome label of RPC client metrics and spans. */
export const CallOutcome = {
  Success: 'success',
  RemoteError: 'remote_error',
  Timeout: 'timeout',
  NoResponder: 'no_responder',
  Cancelled: 'cancelled',
  /** Any other failure: the bus closed, the connection dropped, the payload would not encode. */
  Failed: 'failed',
} as const
export type CallOutcome = (typeof CallOutcome)[keyof typeof CallOutcome]

/**
 * How a request that a service instance took ended there: the outcome label of RPC server
 * metrics and spans. Each request taken ends with exactly one.
 */
export const HandleOutcome = {
  /** The handler returned, and its result was sent. */
  Success: 'success',
  /** The handler threw, or the payload failed the action's schema: its error was sent. */
  Failed: 'failed',
  /** The caller cancelled while the request waited or ran: no reply was sent. */
  Cancelled: 'cancelled',
  /** Refused without running: the service has no such action (code UNKNOWN_ACTION). */
  UnknownAction: 'unknown_action',
  /** Refused without running: the queue was full (code OVERLOADED). */
  Overloaded: 'overloaded',
  /** Refused without running: its deadline had passed (code DEADLINE_EXCEEDED). */
  DeadlineExceeded: 'deadline_exceeded',
  /** The service stopped before the request finished (code CLOSED). */
  Closed: 'closed',
} as const
export type HandleOutcome = (typeof HandleOutcome)[keyof typeof HandleOutcome]

/**
 * Why an instance let a request from the shared service channel go without taking it. Every
 * instance receives such a request; one takes it, the others skip it.
 */
export const SkipReason = {
  /** Another instance claimed it first. */
  ClaimedElsewhere: 'claimed_elsewhere',
  /** It waited too long here for a free slot; another instance has probably handled it. */
  Expired: 'expired',
  /** Its caller cancelled it while it was held here. */
  Cancelled: 'cancelled',
} as const
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason]

/** How a durable consumer finished with one entry: the outcome label of durable metrics. */
export const ConsumeOutcome = {
  /** The handler returned: the entry is acknowledged. */
  Acked: 'acked',
  /** The handler threw: the entry is scheduled again, after its backoff. */
  Retried: 'retried',
  /** Its last attempt failed, or it could not be decoded: it went to the group's dead letters. */
  DeadLettered: 'dead_lettered',
  /** The broker failed while the entry was settled: it stays pending, to be claimed again. */
  Failed: 'failed',
} as const
export type ConsumeOutcome = (typeof ConsumeOutcome)[keyof typeof ConsumeOutcome]

/** The link states a transport reports; `reconnected` counts as a reconnect. */
export type LinkState = 'connected' | 'disconnected' | 'reconnected'

/**
 * The one seam through which switchboard tells what it does: every layer reports here, and
 * `stats()` are views of what a StatsRecorder heard. The default does nothing; metrics and
 * tracing implement it. Methods take primitives, never a fresh object, because publish, deliver
 * and RPC call them once per message and an allocation there shows in the profile.
 *
 * An implementation must not throw (switchboard does not guard the calls) and should return
 * quickly: it runs on the path of every message.
 */
export interface Instrumentation {
  /** Messages handed to the transport for `channel` (a multi-channel publish tells each channel). */
  published(channel: string, messages: number): void
  /** One message handed to one local subscription (a pattern subscription names its pattern). */
  delivered(channel: string, pattern: string | undefined): void
  /** Messages a subscription received and did not hand over, and why. */
  dropped(reason: DropReason, messages: number): void
  /**
   * An error no call could be told about (malformed message, handler that threw, lost link,
   * slow consumer): each is reported once here, then to the bus 'error' listeners or the log.
   */
  reported(error: SwitchboardError): void
  /** The transport's link changed state. */
  link(state: LinkState): void
  /** A request's caller heard its outcome `durationMs` after it started. */
  called(service: string, action: string, outcome: CallOutcome, durationMs: number): void
  /** A service instance finished with a request `durationMs` after it took it. */
  handled(service: string, action: string, outcome: HandleOutcome, durationMs: number): void
  /** A service instance let a shared-channel request go without taking it. */
  skipped(service: string, action: string, reason: SkipReason): void
  /**
   * The requests running (`inFlight`) and waiting for a slot (`queued`) at one instance of a
   * service changed: the new values, for gauges. `instance` tells instances in one process apart.
   */
  load(service: string, instance: string, inFlight: number, queued: number): void
  /**
   * A durable consumer of `group` finished with an entry of `topic`, `durationMs` after it took
   * it (the handler's time, with decoding; 0 when it was dead-lettered without running).
   */
  consumed(topic: string, group: string, outcome: ConsumeOutcome, durationMs: number): void
  /**
   * A bus opened a durable topic (the first `bus.topic(name)` of that name): metrics read its
   * length, lag, pending and dead letters from it when scraped, until topicClosed().
   */
  topicOpened(topic: WatchedTopic): void
  /** The bus that opened `topic` is closing: its figures are no longer read. */
  topicClosed(topic: WatchedTopic): void
  /**
   * Begins the spans of publishes, deliveries, requests and handlers (see Tracer). Without one,
   * switchboard makes no span and sends no trace context.
   */
  readonly tracer?: Tracer
}

/** What completeInstrumentation() accepts: one instrumentation, or several that all hear every event. */
export type InstrumentationOption = Partial<Instrumentation> | readonly Partial<Instrumentation>[]

/** Every method of Instrumentation, to complete a partial one. */
const EVENTS = [
  'published',
  'delivered',
  'dropped',
  'reported',
  'link',
  'called',
  'handled',
  'skipped',
  'load',
  'consumed',
  'topicOpened',
  'topicClosed',
] as const satisfies readonly (keyof Instrumentation)[]

// Fails to compile when Instrumentation gains a method that EVENTS does not list.
const everyEvent: Record<Exclude<keyof Instrumentation, (typeof EVENTS)[number] | 'tracer'>, never> = {}
void everyEvent

const nothing = (): void => {}

/** The default: hears everything and does nothing. */
export const NO_INSTRUMENTATION: Instrumentation = Object.freeze({
  published: nothing,
  delivered: nothing,
  dropped: nothing,
  reported: nothing,
  link: nothing,
  called: nothing,
  handled: nothing,
  skipped: nothing,
  load: nothing,
  consumed: nothing,
  topicOpened: nothing,
  topicClosed: nothing,
})

/**
 * Whether an instrumentation does anything with the events, rather than only bring a tracer
 * (openTelemetryTracing() alone): only then are durations and load worth telling, and the
 * clock reads they take.
 */
export function hearsEvents(instrumentation: Instrumentation): boolean {
  return EVENTS.some((event) => instrumentation[event] !== nothing)
}

/**
 * The user's instrumentation made whole: the methods it has (bound to it), and a no-op for each
 * it lacks, so that an implementation written for today's events keeps working when events are
 * added. A value that is not an object, or a method that is not a function, is refused. A list
 * (metrics and tracing, say) becomes one instrumentation that tells each of them every event; at
 * most one of them may bring a tracer.
 */
export function completeInstrumentation(given: InstrumentationOption | undefined): Instrumentation {
  if (given === undefined) return NO_INSTRUMENTATION
  if (!Array.isArray(given)) return completeOne(given as Partial<Instrumentation>)
  const parts = (given as readonly Partial<Instrumentation>[]).map(completeOne)
  const tracers = parts.filter((part) => part.tracer !== undefined)
  if (tracers.length > 1) {
    throw new InvalidArgumentError(`instrumentation lists ${tracers.length} tracers: give at most one`)
  }
  const used = parts.filter((part) => part !== NO_INSTRUMENTATION)
  if (used.length === 0) return NO_INSTRUMENTATION
  if (used.length === 1) return used[0] as Instrumentation
  return fanOut(used, tracers[0]?.tracer)
}

function completeOne(given: Partial<Instrumentation> | undefined): Instrumentation {
  if (given === undefined) return NO_INSTRUMENTATION
  if (typeof given !== 'object' || given === null) {
    throw new InvalidArgumentError(`instrumentation must be an object of event methods, got ${String(given)}`)
  }
  for (const event of EVENTS) {
    const method: unknown = given[event]
    if (method !== undefined && typeof method !== 'function') {
      throw new InvalidArgumentError(`instrumentation.${event} must be a function, got ${typeof method}`)
    }
  }
  const tracer: unknown = given.tracer
  if (tracer !== undefined && (typeof tracer !== 'object' || tracer === null)) {
    throw new InvalidArgumentError(`instrumentation.tracer must be a Tracer object, got ${String(tracer)}`)
  }
  return {
    published: given.published?.bind(given) ?? nothing,
    delivered: given.delivered?.bind(given) ?? nothing,
    dropped: given.dropped?.bind(given) ?? nothing,
    reported: given.reported?.bind(given) ?? nothing,
    link: given.link?.bind(given) ?? nothing,
    called: given.called?.bind(given) ?? nothing,
    handled: given.handled?.bind(given) ?? nothing,
    skipped: given.skipped?.bind(given) ?? nothing,
    load: given.load?.bind(given) ?? nothing,
    consumed: given.consumed?.bind(given) ?? nothing,
    topicOpened: given.topicOpened?.bind(given) ?? nothing,
    topicClosed: given.topicClosed?.bind(given) ?? nothing,
    tracer: given.tracer,
  }
}

/** One instrumentation that tells every part each event, in order. */
function fanOut(parts: readonly Instrumentation[], tracer: Tracer | undefined): Instrumentation {
  return {
    published: (channel, messages) => {
      for (const part of parts) part.published(channel, messages)
    },
    delivered: (channel, pattern) => {
      for (const part of parts) part.delivered(channel, pattern)
    },
    dropped: (reason, messages) => {
      for (const part of parts) part.dropped(reason, messages)
    },
    reported: (error) => {
      for (const part of parts) part.reported(error)
    },
    link: (state) => {
      for (const part of parts) part.link(state)
    },
    called: (service, action, outcome, durationMs) => {
      for (const part of parts) part.called(service, action, outcome, durationMs)
    },
    handled: (service, action, outcome, durationMs) => {
      for (const part of parts) part.handled(service, action, outcome, durationMs)
    },
    skipped: (service, action, reason) => {
      for (const part of parts) part.skipped(service, action, reason)
    },
    load: (service, instance, inFlight, queued) => {
      for (const part of parts) part.load(service, instance, inFlight, queued)
    },
    consumed: (topic, group, outcome, durationMs) => {
      for (const part of parts) part.consumed(topic, group, outcome, durationMs)
    },
    topicOpened: (topic) => {
      for (const part of parts) part.topicOpened(topic)
    },
    topicClosed: (topic) => {
      for (const part of parts) part.topicClosed(topic)
    },
    tracer,
  }
}
