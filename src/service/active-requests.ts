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
/** Where a job is held: by request_id alone, or by request key (see ActiveRequests). */
export type HeldBy = 'id' | 'key' | undefined

/** A job as the table holds it: `heldBy` is the table's own note of where, or undefined once gone. */
export interface ActiveJob {
  readonly ctx: RequestContext
  heldBy: HeldBy
}

export class ActiveRequests<J extends ActiveJob> {
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

  /**
   * Adds a job, unless it is a copy of a request queued, running or lately finished here: then
   * false, and the table is unchanged. `now` is Date.now().
   */
  admit(job: J, now: number): boolean {
    const { ctx } = job
    const holder = this.#byId.get(ctx.requestId)
    if (holder === undefined) {
      if (this.#sharedIds.size > 0 && this.#sharedIds.has(requestKey(ctx.replyTo, ctx.requestId)))
        return false
      if (this.#recent.has(ctx.fingerprint, now)) return false
      this.#byId.set(ctx.requestId, job)
      job.heldBy = 'id'
      return true
    }
    if (holder.ctx.replyTo === ctx.replyTo) return false
    const key = requestKey(ctx.replyTo, ctx.requestId)
    if (this.#sharedIds.has(key) || this.#recent.has(ctx.fingerprint, now)) return false
    this.#sharedIds.set(key, job)
    job.heldBy = 'key'
    return true
  }

  get(replyTo: string | undefined, requestId: string): J | undefined {
    const job = this.#byId.get(requestId)
    if (job !== undefined && job.ctx.replyTo === replyTo) return job
    return this.#sharedIds.size === 0 ? undefined : this.#sharedIds.get(requestKey(replyTo, requestId))
  }

  /** A job that finished leaves the table (once: later calls do nothing), remembered for its copies. */
  forget(job: J): void {
    if (this.withdraw(job)) this.#recent.add(job.ctx.fingerprint, Date.now())
  }

  /**
   * A job that never ran leaves the table, not remembered: its caller may send the request again
   * (after OVERLOADED, say). False when it had left already.
   */
  withdraw(job: J): boolean {
    const { ctx } = job
    if (job.heldBy === 'id') this.#byId.delete(ctx.requestId)
    else if (job.heldBy === 'key') this.#sharedIds.delete(requestKey(ctx.replyTo, ctx.requestId))
    else return false
    job.heldBy = undefined
    return true
  }

  *values(): IterableIterator<J> {
    yield* this.#byId.values()
    yield* this.#sharedIds.values()
  }
}
