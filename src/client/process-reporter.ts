import { hostname } from 'node:os'
import { InvalidArgumentError } from '../errors.js'
import { type ProcessReport, REPORT_CHANNEL, REPORT_VERSION } from '../observe/process-report.js'
import type { ReportCollector } from '../observe/report-collector.js'
import type { PubSubCore } from '../pubsub/pubsub-core.js'
import { checkMs } from '../timers.js'

/** `connect({ report })`: what `switchboard dashboard` shows of this process. */
export interface ReportOptions {
  /** How often the bus publishes its report on `switchboard:report`, in milliseconds. @defaultValue 5000 */
  intervalMs?: number
}

export const REPORT_DEFAULTS = { intervalMs: 5000 } as const

/**
 * Whether a bus reports, and how often: `report` from connect(), else SWITCHBOARD_REPORT (`1`
 * turns it on at the default interval, a number of milliseconds sets the interval, `0` or
 * nothing leaves it off). Undefined: off.
 */
export function resolveReporting(
  report: boolean | ReportOptions | undefined,
  env: string | undefined,
): number | undefined {
  if (report === undefined) {
    if (env === undefined || env === '' || env === '0' || env === 'false') return undefined
    if (env === '1' || env === 'true') return REPORT_DEFAULTS.intervalMs
    return checkMs('SWITCHBOARD_REPORT', Number(env), 'positive')
  }
  if (report === false) return undefined
  if (report === true) return REPORT_DEFAULTS.intervalMs
  if (typeof report !== 'object' || report === null) {
    throw new InvalidArgumentError(`report must be true, false or { intervalMs }, got ${String(report)}`)
  }
  return checkMs('report.intervalMs', report.intervalMs ?? REPORT_DEFAULTS.intervalMs, 'positive')
}

/**
 * Publishes the bus's report every `intervalMs` until the bus closes. The timer does not keep the
 * process alive; a report that cannot be published (the link is down) is skipped, since the next
 * one says everything it would have said.
 */
export function startReporting(
  pubsub: PubSubCore,
  collector: ReportCollector,
  config: { name: string; intervalMs: number; topics: () => string[] },
): void {
  const host = hostname()
  const process = `${host}:${globalThis.process.pid}:${Math.random().toString(36).slice(2, 8)}`
  const ignore = { published: () => {}, publishFailed: () => {} }
  const timer = setInterval(() => {
    if (pubsub.isClosing) return
    const totals = pubsub.reporter.stats()
    const report: ProcessReport = {
      v: REPORT_VERSION,
      process,
      name: config.name,
      pid: globalThis.process.pid,
      host,
      at: Date.now(),
      intervalMs: config.intervalMs,
      totals: {
        published: totals.published,
        delivered: totals.delivered,
        malformed: totals.malformed,
        dropped: totals.dropped,
        reconnects: totals.reconnects,
      },
      ...collector.take(),
      topics: config.topics(),
    }
    pubsub.publishTo(REPORT_CHANNEL, JSON.stringify(report), ignore)
  }, config.intervalMs)
  timer.unref()
  pubsub.onClose(async () => clearInterval(timer))
}
