import { RecentRequests } from './recent-requests.js'
import { type RequestContext, requestKey } from './request-context.js'

/**
 * The requests an instance has queued or running, and those it finished lately: where a cancel
 * finds a request, and where a copy of one (the same reply channel and request_id, published
 * twice) is recognised and dropped. A running request stays until its handler settles, even once
 * abandoned, so that waiting for the table to empty waits for every handler.
 *
 * The table is keyed by request_id alone, the reply channel compared on a hit: a key joining the
 * two would be a new string per request, copied and hashed again in every lookup. Two callers
 * rarely use the same request_id at once; when they do, the second request waits in a table keyed
 * by both.
 */
export class ActiveRequests<J extends { readonly ctx: RequestContext }> {
  readonly #byId = new Map<string, J>()
  /** Requests whose request_id another caller's active request has, by requestKey(). */
  readonly #sharedIds = new Map<string, J>()
  readonly #recent: RecentRequests

  /** `windowMs` and `maxIds`: how long, and how many, finished requests are remembered. */
  constructor(windowMs: number, maxIds: number) {
    this.#recent = new RecentRequests(windowMs, maxIds)
  }

  get size(): number {
    return this.#byId.size + this.#sharedIds.size
  }

  /** True for a copy of a request queued, running or lately finished here; `now` is Date.now(). */
  isCopy(ctx: RequestContext, now: number): boolean {
    return this.get(ctx.replyTo, ctx.requestId) !== undefined || this.#recent.has(ctx.fingerprint, now)
  }

  get(replyTo: string | undefined, requestId: string): J | undefined {
    const job = this.#byId.get(requestId)
    if (job !== undefined && job.ctx.replyTo === replyTo) return job
    return this.#sharedIds.size === 0 ? undefined : this.#sharedIds.get(requestKey(replyTo, requestId))
  }

  /** Adds a job that is not a copy (see isCopy). */
  add(job: J): void {
    const { ctx } = job
    if (this.#byId.has(ctx.requestId)) this.#sharedIds.set(requestKey(ctx.replyTo, ctx.requestId), job)
    else this.#byId.set(ctx.requestId, job)
  }

  /** A request leaves the table, and is remembered as finished for its copies. */
  forget(ctx: RequestContext): void {
    if (this.#byId.get(ctx.requestId)?.ctx === ctx) {
      this.#byId.delete(ctx.requestId)
    } else {
      if (this.#sharedIds.size === 0) return
      const key = requestKey(ctx.replyTo, ctx.requestId)
      if (this.#sharedIds.get(key)?.ctx !== ctx) return
      this.#sharedIds.delete(key)
    }
    this.#recent.add(ctx.fingerprint, Date.now())
  }

  *values(): IterableIterator<J> {
    yield* this.#byId.values()
    yield* this.#sharedIds.values()
  }
}
