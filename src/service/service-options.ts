import type { Logger } from '../observe/logger.js'
import type { AnyBus } from '../pubsub/pubsub-bus.js'
import { DEFAULT_MAX_CLOCK_SKEW_MS } from '../rpc/deadline.js'

/** Options of a Service. Every default is in SERVICE_DEFAULTS. */
export interface ServiceOptions {
  /** The bus to serve on; bus.service() passes its own. */
  bus: AnyBus
  /**
   * Action handlers that may run at once in this instance, like Daebus' `max_workers`. More
   * requests wait in the queue, in arrival order. @defaultValue 10
   */
  concurrency?: number
  /**
   * Requests that may wait for a free slot (a whole number, or Infinity for no bound). One more
   * is answered at once with an error whose code is OVERLOADED, so memory stays bounded (about
   * maxQueue × request size) and callers learn of the overload instead of timing out.
   * @defaultValue 10000
   */
  maxQueue?: number
  /**
   * How long stop() waits for in-flight and queued requests, in milliseconds. Those still running
   * then get an error reply (code CLOSED) and their ctx.signal aborts, and stop() waits as long
   * again for their handlers to settle (see Service.stop). @defaultValue 10000
   */
  stopTimeoutMs?: number
  /**
   * How long the claim on a request that reached every instance (a plain Daebus caller publishes
   * to the shared service channel) is kept, in milliseconds. It must outlast the gap between the
   * first and the last instance trying to claim the same message; an instance with no free slot
   * holds such a request back for at most CLAIM_WAIT_SHARE (half) of this time. Keeping it longer
   * costs Redis memory (about 100 bytes per such request). @defaultValue 30000
   */
  claimTtlMs?: number
  /**
   * How long an instance waits before it claims a shared-channel request that another live
   * instance is preferred for, in milliseconds: the extra latency of such a request when its
   * preferred instance is gone or busy. See SharedIntake. @defaultValue 50
   */
  claimGraceMs?: number
  /**
   * How old this instance's list of the live instances of its service may grow before it is
   * looked up again (PUBSUB CHANNELS, in the background), in milliseconds. The list names the
   * instance that claims a shared-channel request first; a caller's own list is its
   * discoveryIntervalMs. @defaultValue 1000
   */
  discoveryIntervalMs?: number
  /**
   * How far apart the clocks of callers and this instance may be, in milliseconds. A caller sends
   * its absolute deadline and the time it had left; a request is held to the earlier of arrival +
   * time left and its deadline + maxClockSkewMs, so that one held in transit (a paused or slow
   * Redis) past its caller's deadline does not start. Clocks further apart than this cut requests
   * short by the difference. @defaultValue 1000
   */
  maxClockSkewMs?: number
  /**
   * How long this instance remembers a finished request, in milliseconds, so that a copy of it
   * (the same reply_to and request_id, published again) does not run a second time: at least
   * this long (and less than twice), unless dedupeMaxIds more requests finish first. Copies that
   * arrive while the first is queued or running never run, whatever this is. 0 forgets at once.
   * @defaultValue 30000
   */
  dedupeWindowMs?: number
  /**
   * How many finished requests this instance is sure to remember for dedupeWindowMs; it holds up
   * to twice as many, as 64-bit fingerprints in fixed memory (32 to 64 bytes per id: 512 KiB for
   * the default), at most 1,000,000. At high rates the window is shorter: about
   * dedupeMaxIds / requests per second. @defaultValue 10000
   */
  dedupeMaxIds?: number
  /** This instance's id: its private channel is `<service>:instance:<id>`. @defaultValue a random UUID */
  instanceId?: string
  /** Where the service logs. @defaultValue the bus's logger, with `{ service }` bound */
  logger?: Logger
}

/** Options of stop(). */
export interface StopOptions {
  /** Overrides the service's stopTimeoutMs, in milliseconds. @defaultValue the service's stopTimeoutMs */
  timeoutMs?: number
}

/** Options of run(). */
export interface RunOptions extends StopOptions {
  /** The signals that stop the service gracefully; a second one exits at once. @defaultValue ['SIGTERM', 'SIGINT'] */
  signals?: readonly NodeJS.Signals[]
  /**
   * After the graceful stop, close the bus (flushing replies) and exit the process with code 0,
   * as Daebus' app.run() does. Set to false to have run() resolve instead. @defaultValue true
   */
  exit?: boolean
}

/** The default of every service option that has one. */
export const SERVICE_DEFAULTS = {
  concurrency: 10,
  maxQueue: 10_000,
  maxClockSkewMs: DEFAULT_MAX_CLOCK_SKEW_MS,
  dedupeWindowMs: 30_000,
  dedupeMaxIds: 10_000,
  stopTimeoutMs: 10_000,
  claimTtlMs: 30_000,
  claimGraceMs: 50,
  discoveryIntervalMs: 1000,
  signals: ['SIGTERM', 'SIGINT'],
  exit: true,
} as const

/**
 * The share of claimTtlMs a shared-channel request may wait here for a free slot before it is
 * dropped (ServiceStats.expired). Past the claim's TTL another instance could claim the request
 * anew and run it twice; half leaves the other half as margin for the other instances' own waits
 * and claims.
 */
export const CLAIM_WAIT_SHARE = 0.5

/**
 * Counts since the service was created, and what is running, queued and held now. The counts are
 * a view of the service's own recorder, which passes them on to the bus's (and the user's
 * instrumentation). Each request the instance takes ends in exactly one of succeeded, failed,
 * cancelled, overloaded, unknownAction, deadlineExceeded or closed.
 */
export interface ServiceStats {
  /** Messages that arrived on the service's channels (requests and cancels). */
  received: number
  /** Requests whose handler returned a value, which was sent. */
  succeeded: number
  /** Requests whose handler threw, or whose payload failed validation: the error was sent. */
  failed: number
  /** Requests refused because the queue was full (code OVERLOADED). */
  overloaded: number
  /** Requests for an action the service does not have (code UNKNOWN_ACTION). */
  unknownAction: number
  /** Requests skipped because their deadline had passed (code DEADLINE_EXCEEDED). */
  deadlineExceeded: number
  /**
   * Requests that were not JSON or lacked fields (code BAD_REQUEST when a reply could go):
   * reported as MalformedMessageError on the bus 'error' event.
   */
  malformed: number
  /**
   * Requests the caller cancelled while they were held, waited or ran (one that ran is counted
   * when its handler returns, and gets no reply).
   */
  cancelled: number
  /** Requests answered CLOSED because the service had stopped, or stopped before they finished. */
  closed: number
  /** Requests on the shared channel that another instance claimed first. */
  claimedElsewhere: number
  /** Shared-channel requests dropped after waiting claimTtlMs × CLAIM_WAIT_SHARE for a free slot (see SharedIntake). */
  expired: number
  /** Handlers running now. */
  inFlight: number
  /** Requests waiting for a slot now. */
  queued: number
  /** Shared-channel requests held back now: for another instance to claim first, or for a free slot. */
  held: number
}
