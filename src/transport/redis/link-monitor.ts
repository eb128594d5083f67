import type { TransportStatus } from '../transport.js'

/** The connections to one server (see server-links.ts), and the Sentinel watcher's. */
export const LINKS = {
  commands: 'commands',
  subscriber: 'subscriber',
  publisher: 'publish',
  /** A dedicated connection for blocking reads; it takes no part in the transport's status. */
  blocking: 'blocking',
  /** The Sentinel watcher's; it takes no part in the transport's status. */
  sentinel: 'sentinel',
} as const

export type Link = (typeof LINKS)[keyof typeof LINKS]

/**
 * Folds the up/down events of several connections into one status stream, so that a server
 * restart, which drops them all, reads as one `disconnected` and one `reconnected`.
 * `disconnected` comes when the first connection drops; `reconnected` when the last one is back.
 * Pure logic: it returns the status to emit, or undefined.
 */
export class LinkMonitor {
  #down = new Set<Link>()
  #announced = false

  /** True while at least one connection is down. */
  get isDown(): boolean {
    return this.#down.size > 0
  }

  isLinkDown(link: Link): boolean {
    return this.#down.has(link)
  }

  /** True when `link` coming back would announce `reconnected`: it is the one link still down. */
  isLastDown(link: Link): boolean {
    return this.#announced && this.#down.size === 1 && this.#down.has(link)
  }

  down(link: Link, error: Error): TransportStatus | undefined {
    this.#down.add(link)
    if (this.#announced) return undefined
    this.#announced = true
    return { type: 'disconnected', error }
  }

  up(link: Link): TransportStatus | undefined {
    this.#down.delete(link)
    if (!this.#announced || this.#down.size > 0) return undefined
    this.#announced = false
    return { type: 'reconnected' }
  }
}
