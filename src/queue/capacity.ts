import { InvalidArgumentError } from '../errors.js'
import { UNBOUNDED } from './bounded-queue.js'

/**
 * Returns a capacity option (how many items a queue or buffer may hold) when it is a whole number
 * ≥ 0, or Infinity for no bound. Anything else (NaN, negative, fractional, a string) throws
 * InvalidArgumentError under the option's own name, before the queue would refuse it in its words.
 */
export function checkCapacity(option: string, value: unknown): number {
  if (value === UNBOUNDED || (typeof value === 'number' && Number.isInteger(value) && value >= 0))
    return value
  throw new InvalidArgumentError(
    `${option} must be a whole number ≥ 0 (or Infinity for no bound), got ${String(value)}`,
  )
}
