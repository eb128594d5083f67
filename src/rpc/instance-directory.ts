import { instancePattern } from './channels.js'

/** Lists the active channels matching a glob pattern (PUBSUB CHANNELS). */
export type ChannelLister = (pattern: string) => Promise<string[]>

interface Entry {
  channels: string[]
  fetchedAt: number
  cursor: number
  refreshing: Promise<string[]> | undefined
}

/**
 * Which instances of each service are alive, as PUBSUB CHANNELS shows their private channels,
 * and whose turn it is. A list is served from cache and refreshed in the background once it is
 * older than the caller's maxAgeMs (stale-while-revalidate), so only a service's first request
 * waits for the lookup. A channel that a publish found empty is evicted at once.
 */
export class InstanceDirectory {
  readonly #list: ChannelLister
  readonly #now: () => number
  readonly #entries = new Map<string, Entry>()

  constructor(list: ChannelLister, now: () => number = Date.now) {
    this.#list = list
    this.#now = now
  }

  /**
   * The known instance channels of a service. Waits only when nothing is cached; a stale list is
   * returned as it is while a refresh runs.
   */
  async instances(service: string, maxAgeMs: number): Promise<readonly string[]> {
    const entry = this.#entries.get(service)
    if (!entry || entry.fetchedAt === Number.NEGATIVE_INFINITY) return this.refresh(service)
    if (this.#now() - entry.fetchedAt >= maxAgeMs && !entry.refreshing) {
      // A failed background refresh keeps the old list; the next request tries again.
      this.refresh(service).catch(() => {})
    }
    return entry.channels
  }

  /**
   * The cached list, without waiting: undefined until a first lookup has answered. Starts a
   * background lookup when there is none yet or the list is older than maxAgeMs.
   */
  peek(service: string, maxAgeMs: number): readonly string[] | undefined {
    const entry = this.#entries.get(service)
    if (!entry || (this.#now() - entry.fetchedAt >= maxAgeMs && !entry.refreshing)) {
      this.refresh(service).catch(() => {})
    }
    return entry && entry.fetchedAt !== Number.NEGATIVE_INFINITY ? entry.channels : undefined
  }

  /** Looks the list up now; concurrent calls share one lookup. */
  refresh(service: string): Promise<string[]> {
    let entry = this.#entries.get(service)
    if (entry?.refreshing) return entry.refreshing
    const refreshing = this.#list(instancePattern(service)).then(
      (channels) => {
        const current = this.#entries.get(service)
        const sorted = channels.sort()
        if (current) {
          current.channels = sorted
          current.fetchedAt = this.#now()
          current.refreshing = undefined
        } else {
          this.#entries.set(service, {
            channels: sorted,
            fetchedAt: this.#now(),
            cursor: 0,
            refreshing: undefined,
          })
        }
        return sorted
      },
      (error: unknown) => {
        const current = this.#entries.get(service)
        if (current) current.refreshing = undefined
        throw error
      },
    )
    if (!entry) {
      // Start each caller at a random instance, so that many callers do not all begin on the first.
      entry = {
        channels: [],
        fetchedAt: Number.NEGATIVE_INFINITY,
        cursor: Math.floor(Math.random() * 1024),
        refreshing,
      }
      this.#entries.set(service, entry)
    } else {
      entry.refreshing = refreshing
    }
    return refreshing
  }

  /** The next instance channel in round-robin order, or undefined when none is known. */
  next(service: string): string | undefined {
    const entry = this.#entries.get(service)
    if (!entry || entry.channels.length === 0) return undefined
    entry.cursor = (entry.cursor + 1) % entry.channels.length
    return entry.channels[entry.cursor]
  }

  /** Forgets a channel that a publish found without subscriber: its instance is gone. */
  evict(service: string, channel: string): void {
    const entry = this.#entries.get(service)
    if (!entry) return
    const index = entry.channels.indexOf(channel)
    if (index < 0) return
    entry.channels = entry.channels.filter((c) => c !== channel)
    if (index <= entry.cursor) entry.cursor -= 1
  }
}
