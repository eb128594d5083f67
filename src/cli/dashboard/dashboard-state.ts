import type { ErrorReport, ProcessReport } from '../../observe/process-report.js'
import { REPORT_CHANNEL, REPORT_VERSION } from '../../observe/process-report.js'
import { detect } from '../detect.js'
import { RateWindow } from './rate-window.js'
import { type WireActionRow, WireRequests } from './wire-requests.js'

/** Channels tracked at most; past this, the one idle longest is forgotten. */
const MAX_CHANNELS = 500
/** Channels the page lists (the busiest). */
const SHOWN_CHANNELS = 40
/** Errors the page lists. */
const SHOWN_ERRORS = 30
/** A process is gone once it missed this many reports. */
const MISSED_REPORTS = 3
/** A payload shown with --show-payloads is cut to this many characters. */
const MAX_PREVIEW = 160

interface ChannelCell {
  window: RateWindow
  lastAt: number
  lastBytes: number
  /** The last message, kept only with --show-payloads, and decoded only when a snapshot shows it. */
  last: Uint8Array | undefined
}

export interface TopicGroupInfo {
  name: string
  pending: number
  lag: number | null
  consumers: number
  deadLetters: number
}

export interface TopicInfo {
  name: string
  length: number
  scheduled: number
  groups: TopicGroupInfo[]
}

/** The link to Redis as the page shows it. */
export interface LinkView {
  state: 'connected' | 'reconnecting'
  /** Epoch ms of the last change. */
  since: number
  reconnects: number
  error?: string
}

/** What the page gets each second (as one server-sent event). Nothing in it is a password. */
export interface DashboardSnapshot {
  at: number
  url: string
  showPayloads: boolean
  link: LinkView
  channels: Array<{
    channel: string
    rate: number
    total: number
    spark: number[]
    subscribers: number | undefined
    lastBytes: number
    preview?: string
  }>
  channelCount: number
  patterns: Array<{ pattern: string; processes: number; perSecond: number }>
  services: Array<{
    service: string
    instances: string[]
    subscribers: number | undefined
    other: number
    inFlight: number
    queued: number
    actions: Array<WireActionRow & { handlerP99Ms: number | undefined }>
  }>
  processes: Array<{
    process: string
    name: string
    pid: number
    host: string
    ageMs: number
    totals: ProcessReport['totals']
  }>
  topics: { supported: boolean; list: TopicInfo[]; error?: string }
  errors: Array<ErrorReport & { process?: string }>
}

/**
 * Everything the dashboard knows, fed by events (messages from its pattern subscription, link
 * changes, the broker lookups of each refresh) and read as one snapshot per second. No I/O here:
 * the command does the lookups and the server sends what snapshot() returns.
 */
export class DashboardState {
  readonly #channels = new Map<string, ChannelCell>()
  readonly #reports = new Map<string, ProcessReport>()
  readonly #errors: Array<ErrorReport & { process?: string }> = []
  /**
   * The latest handler p99 each action was reported with (the worst of the processes in one
   * report round), kept while the action is idle: a report lists only actions that ran.
   */
  readonly #handlerP99 = new Map<string, { p99Ms: number; at: number; process: string }>()
  readonly #wire: WireRequests
  readonly #showPayloads: boolean
  readonly #url: string
  #link: LinkView
  #numsub = new Map<string, number>()
  #instances = new Map<string, string[]>()
  #topics: DashboardSnapshot['topics'] = { supported: false, list: [] }

  constructor(options: { url: string; showPayloads: boolean; now: number }) {
    this.#url = options.url
    this.#showPayloads = options.showPayloads
    this.#link = { state: 'connected', since: options.now, reconnects: 0 }
    this.#wire = new WireRequests((error) => this.#error(error))
  }

  /** One message seen by the pattern subscription. */
  message(channel: string, bytes: Uint8Array, now: number): void {
    let cell = this.#channels.get(channel)
    if (cell === undefined) {
      if (this.#channels.size >= MAX_CHANNELS) this.#forgetIdlest()
      cell = { window: new RateWindow(now), lastAt: now, lastBytes: 0, last: undefined }
      this.#channels.set(channel, cell)
    }
    cell.window.add(now)
    cell.lastAt = now
    cell.lastBytes = bytes.byteLength
    if (this.#showPayloads) cell.last = bytes
    if (channel === REPORT_CHANNEL) this.#report(bytes)
    else this.#wire.see(channel, bytes, now)
  }

  linkDown(now: number, error: Error | undefined): void {
    this.#link = {
      ...this.#link,
      state: 'reconnecting',
      since: now,
      ...(error ? { error: error.message } : {}),
    }
  }

  linkUp(now: number): void {
    this.#link = { state: 'connected', since: now, reconnects: this.#link.reconnects + 1 }
  }

  /** The services and channels to ask PUBSUB NUMSUB about at the next refresh. */
  numsubTargets(): string[] {
    const names = new Set([...this.#services(), ...this.#busiestChannels(Date.now()).map(([name]) => name)])
    return [...names]
  }

  /** Results of one refresh: subscriber counts, and the instance channels PUBSUB CHANNELS listed. */
  refreshed(numsub: Map<string, number>, instanceChannels: readonly string[]): void {
    this.#numsub = numsub
    const instances = new Map<string, string[]>()
    for (const channel of instanceChannels) {
      const match = /^(.*):instance:([^:]+)$/.exec(channel)
      if (!match?.[1] || !match[2]) continue
      const list = instances.get(match[1]) ?? []
      list.push(match[2])
      instances.set(match[1], list)
    }
    this.#instances = instances
  }

  /** Names of the durable topics the reporting processes opened. */
  topicNames(): string[] {
    const names = new Set<string>()
    for (const report of this.#reports.values()) for (const name of report.topics) names.add(name)
    return [...names]
  }

  topics(topics: DashboardSnapshot['topics']): void {
    this.#topics = topics
  }

  snapshot(now: number): DashboardSnapshot {
    this.#expireReports(now)
    const reports = [...this.#reports.values()]
    const load = new Map<string, { inFlight: number; queued: number }>()
    for (const report of reports) {
      for (const i of report.instances) {
        const sum = load.get(i.service) ?? { inFlight: 0, queued: 0 }
        sum.inFlight += i.inFlight
        sum.queued += i.queued
        load.set(i.service, sum)
      }
    }
    const wireRows = this.#wire.rows(now)
    const services = [...this.#services()].sort().map((service) => {
      const instances = this.#instances.get(service) ?? []
      const subscribers = this.#numsub.get(service)
      return {
        service,
        instances,
        subscribers,
        // Subscribers of the shared channel that have no instance channel: Daebus (Python) services.
        other: Math.max(0, (subscribers ?? 0) - instances.length),
        inFlight: load.get(service)?.inFlight ?? 0,
        queued: load.get(service)?.queued ?? 0,
        actions: wireRows
          .filter((row) => row.service === service)
          .map((row) => ({
            ...row,
            handlerP99Ms: this.#handlerP99.get(`${service}\u0000${row.action}`)?.p99Ms,
          })),
      }
    })
    const patterns = new Map<string, { processes: number; delivered: number; seconds: number }>()
    for (const report of reports) {
      for (const p of report.patterns) {
        const cell = patterns.get(p.pattern) ?? { processes: 0, delivered: 0, seconds: 0 }
        cell.processes += 1
        cell.delivered += p.delivered
        cell.seconds = Math.max(cell.seconds, report.intervalMs / 1000)
        patterns.set(p.pattern, cell)
      }
    }
    return {
      at: now,
      url: this.#url,
      showPayloads: this.#showPayloads,
      link: this.#link,
      channels: this.#busiestChannels(now).map(([channel, cell]) => ({
        channel,
        rate: cell.window.rate(now),
        total: cell.window.total,
        spark: cell.window.history(now),
        subscribers: this.#numsub.get(channel),
        lastBytes: cell.lastBytes,
        ...(this.#showPayloads && cell.last !== undefined ? { preview: preview(cell.last) } : {}),
      })),
      channelCount: this.#channels.size,
      patterns: [...patterns].map(([pattern, p]) => ({
        pattern,
        processes: p.processes,
        perSecond: p.seconds > 0 ? p.delivered / p.seconds : 0,
      })),
      services,
      processes: reports.map((r) => ({
        process: r.process,
        name: r.name,
        pid: r.pid,
        host: r.host,
        ageMs: now - r.at,
        totals: r.totals,
      })),
      topics: this.#topics,
      errors: this.#errors.slice(-SHOWN_ERRORS).reverse(),
    }
  }

  #services(): Set<string> {
    const names = new Set([...this.#instances.keys(), ...this.#wire.services()])
    for (const report of this.#reports.values()) for (const i of report.instances) names.add(i.service)
    return names
  }

  #busiestChannels(now: number): Array<[string, ChannelCell]> {
    return [...this.#channels]
      .sort(
        ([a, x], [b, y]) =>
          y.window.rate(now) - x.window.rate(now) || y.lastAt - x.lastAt || a.localeCompare(b),
      )
      .slice(0, SHOWN_CHANNELS)
  }

  #forgetIdlest(): void {
    let idlest: string | undefined
    let oldest = Number.POSITIVE_INFINITY
    for (const [name, cell] of this.#channels) {
      if (cell.lastAt < oldest) {
        oldest = cell.lastAt
        idlest = name
      }
    }
    if (idlest !== undefined) this.#channels.delete(idlest)
  }

  #report(bytes: Uint8Array): void {
    let report: ProcessReport
    try {
      report = JSON.parse(new TextDecoder().decode(bytes)) as ProcessReport
    } catch {
      return
    }
    if (report?.v !== REPORT_VERSION || typeof report.process !== 'string') return
    this.#reports.set(report.process, report)
    for (const a of report.actions ?? []) {
      if (a.role !== 'handled' || a.p99Ms === undefined) continue
      const key = `${a.service}\u0000${a.action}`
      const known = this.#handlerP99.get(key)
      // Another process's figure from the same round (within one interval) only raises it.
      const sameRound =
        known !== undefined && known.process !== report.process && report.at - known.at < report.intervalMs
      this.#handlerP99.set(key, {
        p99Ms: sameRound ? Math.max(known.p99Ms, a.p99Ms) : a.p99Ms,
        at: report.at,
        process: report.process,
      })
    }
    for (const error of report.errors ?? []) this.#error({ ...error, process: report.process })
  }

  #expireReports(now: number): void {
    for (const [process, report] of this.#reports) {
      if (now - report.at > report.intervalMs * MISSED_REPORTS) this.#reports.delete(process)
    }
  }

  #error(error: ErrorReport & { process?: string }): void {
    this.#errors.push(error)
    if (this.#errors.length > SHOWN_ERRORS) this.#errors.shift()
  }
}

/** A short text of the message for --show-payloads: decoded as `sub` would show it. */
function preview(bytes: Uint8Array): string {
  const { as, value } = detect(bytes)
  const text =
    as === 'hex'
      ? Buffer.from(bytes.subarray(0, MAX_PREVIEW / 2)).toString('hex')
      : as === 'text'
        ? String(value)
        : JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))
  return (text ?? '').slice(0, MAX_PREVIEW)
}
