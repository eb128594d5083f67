import { InvalidArgumentError } from '../errors.js'
import { MAX_TIMER_MS } from '../timers.js'
import type { BackoffOptions } from './topic-options.js'

export type Backoff = Required<BackoffOptions>

/**
 * How long a delivery that failed waits before attempt `failed + 1`: `delayMs` (fixed), or
 * `delayMs × 2^(failed − 1)` (exponential), at most maxDelayMs, less up to `jitter` of it at
 * random. `random` is injected so that tests can pin it.
 */
export function backoffDelay(backoff: Backoff, failed: number, random: () => number = Math.random): number {
  const base = backoff.type === 'fixed' ? backoff.delayMs : backoff.delayMs * 2 ** Math.max(0, failed - 1)
  const capped = Math.min(base, backoff.maxDelayMs)
  return Math.round(capped * (1 - backoff.jitter * random()))
}

/** Completes and checks backoff options; InvalidArgumentError names the bad one. */
export function resolveBackoff(given: BackoffOptions | undefined, defaults: Backoff): Backoff {
  const backoff = { ...defaults, ...given }
  if (backoff.type !== 'fixed' && backoff.type !== 'exponential') {
    throw new InvalidArgumentError(
      `backoff.type must be 'fixed' or 'exponential'; got ${String(backoff.type)}`,
    )
  }
  for (const option of ['delayMs', 'maxDelayMs'] as const) {
    const value = backoff[option]
    if (!Number.isFinite(value) || value < 0 || value > MAX_TIMER_MS) {
      throw new InvalidArgumentError(`backoff.${option} must be a number of milliseconds ≥ 0; got ${value}`)
    }
  }
  if (!(backoff.jitter >= 0 && backoff.jitter <= 1)) {
    throw new InvalidArgumentError(`backoff.jitter must be between 0 and 1; got ${backoff.jitter}`)
  }
  return backoff
}
