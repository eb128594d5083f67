/**
 * The periodic report a bus publishes when reporting is on (`connect({ report: true })` or
 * SWITCHBOARD_REPORT=1), and which `switchboard dashboard` reads. It is JSON on one reserved
 * channel, so that any tool (redis-cli, Python) can read it too. It never carries a payload:
 * names, counts, durations, error codes and messages only.
 */

/** The channel every reporting bus publishes its report on. */
export const REPORT_CHANNEL = 'switchboard:report'

/** The version of the report format; a reader skips a version it does not know. */
export const REPORT_VERSION = 1

/** One action, over the last interval, as this process saw it. */
export interface ActionReport {
  /** `handled`: a service instance here ran it; `called`: a caller here asked for it. */
  role: 'handled' | 'called'
  service: string
  action: string
  /** Requests finished in the interval. */
  count: number
  /** Of those, the ones that did not succeed (cancelled ones excepted). */
  errors: number
  /** Median and 99th percentile duration, in milliseconds (within about 19 %). */
  p50Ms: number | undefined
  p99Ms: number | undefined
}

/** A service instance of this process, with its load when it last changed. */
export interface InstanceReport {
  service: string
  instance: string
  inFlight: number
  queued: number
}

/** An error nobody could be told about, or a failed call; never with the message's bytes. */
export interface ErrorReport {
  /** Epoch milliseconds. */
  at: number
  code: string
  message: string
  channel?: string
  service?: string
  action?: string
}

/** A pattern subscription of this process that delivered in the interval. */
export interface PatternReport {
  pattern: string
  delivered: number
}

/**
 * What a bus with `connect({ report: true })` publishes on REPORT_CHANNEL every interval, as JSON:
 * what `switchboard dashboard` shows of each process. Never holds a message payload.
 */
export interface ProcessReport {
  v: typeof REPORT_VERSION
  /** Unique per bus: `<host>:<pid>:<random>`. */
  process: string
  /** The bus's name (`connect({ name })`). */
  name: string
  pid: number
  host: string
  /** Epoch milliseconds when the report was made. */
  at: number
  /** How often this bus reports, in milliseconds: a reader drops it after three missed reports. */
  intervalMs: number
  /** Counts since the bus was created (its `stats()`). */
  totals: { published: number; delivered: number; malformed: number; dropped: number; reconnects: number }
  actions: ActionReport[]
  instances: InstanceReport[]
  patterns: PatternReport[]
  /** Errors since the last report, the latest 20 at most. */
  errors: ErrorReport[]
  /** Names of the durable topics this bus opened. */
  topics: string[]
}
