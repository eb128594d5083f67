import { closest } from './did-you-mean.js'

/** Milliseconds per unit, under every name a routes file may give it. */
const UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
}

/** The longest duration a routes file may give: a year, far past any sensible delay or backoff. */
const MAX_DURATION_MS = 366 * 86_400_000

/** A duration read from a routes file: its milliseconds, or why it cannot be read and what to write. */
export type DurationReading = { ms: number } | { error: string; hint: string }

/**
 * Reads a duration as a person writes it: `500ms`, `1s`, `30 seconds`, `7 days`, `2h`. A bare
 * number is refused (seconds or milliseconds? the file should say).
 */
export function parseDuration(text: unknown): DurationReading {
  if (typeof text === 'number') {
    return { error: `a duration needs a unit`, hint: `write ${text}s, ${text}ms or ${text} minutes` }
  }
  if (typeof text !== 'string') {
    return {
      error: `a duration must be text such as 30s`,
      hint: 'write it like 500ms, 30s, 5 minutes or 7 days',
    }
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*$/.exec(text)
  if (!match) {
    return {
      error: `"${text}" is not a duration`,
      hint: 'write a number and a unit: 500ms, 30s, 5 minutes, 7 days',
    }
  }
  const [, amount = '', unit = ''] = match
  const perUnit = UNITS[unit.toLowerCase()]
  if (perUnit === undefined) {
    const suggestion = closest(
      unit,
      Object.keys(UNITS).filter((name) => name.length > 2),
    )
    return {
      error: `"${unit}" is not a unit of time`,
      hint: suggestion
        ? `did you mean ${amount} ${suggestion}?`
        : 'use ms, s, seconds, minutes, hours, days or weeks',
    }
  }
  const ms = Math.round(Number(amount) * perUnit)
  if (ms > MAX_DURATION_MS)
    return { error: `"${text}" is longer than a year`, hint: 'write at most 366 days' }
  return { ms }
}

/** A duration as a person reads it: `1s`, `7 days`, `250ms`. */
export function formatDuration(ms: number): string {
  const units: Array<[number, string, string]> = [
    [604_800_000, 'week', 'weeks'],
    [86_400_000, 'day', 'days'],
    [3_600_000, 'hour', 'hours'],
    [60_000, 'minute', 'minutes'],
    [1000, 's', 's'],
  ]
  for (const [size, one, many] of units) {
    if (ms >= size && ms % size === 0) {
      const n = ms / size
      return one === 's' ? `${n}s` : `${n} ${n === 1 ? one : many}`
    }
  }
  return `${ms}ms`
}
