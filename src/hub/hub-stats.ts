/** What one route has done since the hub started (in this process). */
export interface RouteStats {
  /** Events of this route this hub routed (claimed; another hub routes the rest). */
  matched: number
  /** Steps that ran to the end. */
  done: number
  /** Steps that failed for good: every attempt failed, or the event could not be tested or keyed. */
  failed: number
  /** Attempts that failed and were tried again. */
  retried: number
  /** Steps set to run later (`after:`). */
  scheduled: number
  /** Waiting steps cancelled by their cancel_on event. */
  cancelled: number
  /** Steps left out because their `when:` did not hold. */
  skipped: number
}

/** Per route (keyed by event name): the numbers of `hub.stats()`. */
export type HubStats = Record<string, RouteStats>

const zero = (): RouteStats => ({
  matched: 0,
  done: 0,
  failed: 0,
  retried: 0,
  scheduled: 0,
  cancelled: 0,
  skipped: 0,
})

/** The counters of one hub; the only owner of its numbers. */
export class HubCounters {
  readonly #routes = new Map<string, RouteStats>()

  /** Adds one to `what` of `route`. */
  count(route: string, what: keyof RouteStats): void {
    let stats = this.#routes.get(route)
    if (!stats) {
      stats = zero()
      this.#routes.set(route, stats)
    }
    stats[what] += 1
  }

  /** A copy, with every route in `routes` present even when nothing happened to it yet. */
  snapshot(routes: readonly string[]): HubStats {
    const out: HubStats = {}
    for (const route of routes) out[route] = zero()
    for (const [route, stats] of this.#routes) out[route] = { ...stats }
    return out
  }
}
