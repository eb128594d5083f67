import { InvalidArgumentError } from 'commander'

/**
 * Option value parsers for commander: they throw commander's InvalidArgumentError, which it
 * reports as "option '--timeout <duration>' argument 'x' is invalid. <our reason>" (exit 64).
 */

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** "500" (milliseconds), "500ms", "2s", "1.5m", "1h" → milliseconds. */
export function parseDuration(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value)
  if (!match) throw new InvalidArgumentError('Give a duration such as 500 (milliseconds), 500ms, 2s or 1m.')
  const ms = Number(match[1]) * (UNITS[match[2] ?? 'ms'] as number)
  if (!(ms > 0) || !Number.isFinite(ms)) throw new InvalidArgumentError('The duration must be more than 0.')
  return Math.round(ms)
}

/** A whole number >= 1. */
export function parseCount(value: string): number {
  const n = Number(value)
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError('Give a whole number of 1 or more.')
  }
  return n
}

/** Formats milliseconds the way parseDuration reads them back. */
export function formatDuration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}
