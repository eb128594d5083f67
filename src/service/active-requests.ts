import { RecentRequests } from './recent-requests.js'
import type { RequestContext } from './request-context.js'

/**
 * The requests an instance has queued or running, by request key (reply channel and request_id),
 * and those it finished lately: where a cancel finds a request, and where a copy of one (published
 * twice) is recognised and dropped. A running request stays until its handler settles, even once
 * abandoned, so that waiting for the table to empty waits for every handler.
 */
export class ActiveRequests<J extends { readonly ctx: RequestContext }> {
  readonly #active = new Map<string, J>()
  readonly #recent: RecentRequests

  /** `windowMs` and `maxIds`: how long, and how many, finished requests are remembered. */
  constructor(windowMs: number, maxIds: number) {
    this.#recent = new RecentRequests(windowMs, maxIds)
  }

  get size(): number {
    return this.#active.size
  }

  /** True for a copy of a request queued, running or lately finished here. */
  isCopy(ctx: RequestContext): boolean {
    return this.#active.has(ctx.key) || this.#recent.has(ctx.fingerprint, Date.now())
  }

  get(key: string): J | undefined {
    return this.#active.get(key)
  }

  add(job: J): void {
    this.#active.set(job.ctx.key, job)
  }

  /** A request leaves the table, and is remembered as finished for its copies. */
  forget(ctx: RequestContext): void {
    if (this.#active.get(ctx.key)?.ctx !== ctx) return
    this.#active.delete(ctx.key)
    this.#recent.add(ctx.fingerprint, Date.now())
  }

  values(): IterableIterator<J> {
    return this.#active.values()
  }
}
