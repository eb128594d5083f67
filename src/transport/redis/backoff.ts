import type { ReconnectOptions } from './redis-transport-options.js'

/**
 * The delay before reconnect attempt number `attempt` (0 for the first), in milliseconds:
 * exponential growth capped at `maxDelayMs`, of which the `jitter` fraction is random.
 * `random` returns a number in [0, 1); tests pass a fixed one.
 */
export function reconnectDelay(
  attempt: number,
  options: ReconnectOptions,
  random: () => number = Math.random,
): number {
  const grown = options.initialDelayMs * options.factor ** attempt
  // `grown` overflows to Infinity after enough attempts; the cap keeps it finite.
  const base = Math.min(options.maxDelayMs, grown)
  return Math.round(base * (1 - options.jitter + options.jitter * random()))
}

/** True while `attempt` (0 for the first) is still allowed by `maxAttempts`. */
export function mayReconnect(attempt: number, options: ReconnectOptions): boolean {
  return attempt < options.maxAttempts
}
