import type { RedisUrl } from '../url.js'
import type { LinkClient, ManagedConnectionSpec } from './managed-connection.js'

/** What a follower needs of the command link: whether it is up, and where. */
export interface LeadLink {
  readonly ready: unknown
  readonly target: RedisUrl | undefined
}

/**
 * The links that follow the command link (publish, blocking): they open where it is once it is
 * up, and a follower made while it moved tries again, so that a paused or moved server takes them
 * along. `spec` is what such a link's ManagedConnection locates and checks its server with.
 */
export class CommandFollowers {
  readonly #lead: LeadLink
  readonly #unusable: () => Error | undefined
  /** Links waiting for the command link to be up, to open where it is. */
  #waiting: Array<{ resolve(target: RedisUrl): void; reject(error: Error): void }> = []

  /** `unusable`: why no link can open any more (closed, or reconnection gave up), if so. */
  constructor(lead: LeadLink, unusable: () => Error | undefined) {
    this.#lead = lead
    this.#unusable = unusable
  }

  readonly spec: Pick<ManagedConnectionSpec<LinkClient>, 'locate' | 'prepare'> = {
    locate: () => this.#whereLeadIs(),
    prepare: async (_client, target) => this.#checkFollows(target),
  }

  /** The command link is up: the links waiting for it open where it is. */
  wake(): void {
    const target = this.#lead.target
    if (!this.#lead.ready || !target) return
    for (const waiter of this.#waiting.splice(0)) waiter.resolve(target)
  }

  /** No link will open: those waiting fail with `error`. */
  rejectAll(error: Error): void {
    for (const waiter of this.#waiting.splice(0)) waiter.reject(error)
  }

  #whereLeadIs(): Promise<RedisUrl> {
    const target = this.#lead.ready ? this.#lead.target : undefined
    if (target) return Promise.resolve(target)
    const unusable = this.#unusable()
    if (unusable) return Promise.reject(unusable)
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }))
  }

  /** A follower made while the command link moved would be on the wrong server: it tries again. */
  #checkFollows(target: RedisUrl): void {
    if (this.#lead.ready && this.#lead.target === target) return
    throw new Error('the command connection moved while this one was opening')
  }
}
