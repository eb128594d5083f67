/**
 * When a request stops being worth starting, on the receiving host's clock. Pure: the clock
 * reading is passed in.
 *
 * A switchboard caller sends two views of one deadline: `deadline`, absolute epoch milliseconds on
 * its own clock, and `timeout_ms`, the time it had left when it sent. Neither is enough alone:
 *
 * - `arrival + timeout_ms` needs no shared clock, but counts time in transit as a gift: a request
 *   held 3 s in a paused Redis after a 1 s deadline would still get its full second.
 * - `deadline` counts transit, but only as well as the two clocks agree: a caller whose clock is
 *   behind by more than the timeout would have every request refused.
 *
 * So the absolute deadline is trusted within `maxClockSkewMs`, and never beyond the budget:
 * `min(arrival + timeout_ms, deadline + maxClockSkewMs)`. While the clocks differ by at most
 * maxClockSkewMs, no request is refused or aborted before its caller gives up, and a request that
 * outlived its caller's deadline by more than maxClockSkewMs (in transit or queued) never starts.
 * Clocks further apart than that cut requests short by the excess, which the DEADLINE_EXCEEDED
 * replies show.
 */

/** The deadline fields of a request as they came. */
export interface SentDeadline {
  /** The caller's absolute deadline, epoch ms on its clock. */
  readonly deadline: number | undefined
  /** The time the caller had left when it sent, in ms. */
  readonly timeoutMs: number | undefined
}

/**
 * The deadline to hold a request to, epoch ms on this host's clock, given when it arrived; undefined
 * when the caller set none (a Daebus caller sets none).
 */
export function effectiveDeadline(
  sent: SentDeadline,
  arrivedAt: number,
  maxClockSkewMs: number,
): number | undefined {
  const budgetEnd = sent.timeoutMs === undefined ? undefined : arrivedAt + sent.timeoutMs
  const trusted = sent.deadline === undefined ? undefined : sent.deadline + maxClockSkewMs
  if (budgetEnd === undefined) return trusted
  if (trusted === undefined) return budgetEnd
  return Math.min(budgetEnd, trusted)
}

/** How far apart caller and service clocks may be before deadlines cut requests short, in ms. */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 1000
