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

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
}

/** "1048576" (bytes), "512KiB", "16MiB" (k, kb, m, mb too: all powers of 1024) → bytes. */
export function parseSize(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value)
  const unit = SIZE_UNITS[match?.[2]?.toLowerCase() ?? 'x']
  if (!match || unit === undefined)
    throw new InvalidArgumentError('Give a size such as 16MiB, 512KiB or 1048576 (bytes).')
  const bytes = Math.floor(Number(match[1]) * unit)
  if (!Number.isSafeInteger(bytes) || bytes < 1)
    throw new InvalidArgumentError('The size must be at least 1 byte.')
  return bytes
}

/** Formats milliseconds the way parseDuration reads them back. */
export function formatDuration(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}
