import { InvalidArgumentError } from './errors.js'

/**
 * Checks of whole-number options, shared by the layers that take them (service, durable): each
 * returns the value or throws InvalidArgumentError naming the option. Milliseconds are checked by
 * checkMs (timers.ts), capacities by checkCapacity (queue/capacity.ts).
 */

export function positiveInteger(option: string, value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value
  throw new InvalidArgumentError(`${option} must be a positive integer, got ${String(value)}`)
}

export function nonNegativeInteger(option: string, value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value
  throw new InvalidArgumentError(`${option} must be an integer >= 0, got ${String(value)}`)
}

export function atMost(max: number, value: number, option: string): number {
  if (value > max) throw new InvalidArgumentError(`${option} must be at most ${max}, got ${value}`)
  return value
}
