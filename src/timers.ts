import { InvalidArgumentError } from './errors.js'

/**
 * The largest delay setTimeout honours, in milliseconds: Node fires a longer one at once, with a
 * warning. Every timeout and interval option is checked against it.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * Waits for `promise` to settle, but at most `ms` milliseconds: true when it settled in time.
 * Never rejects, and leaves no timer behind. Used wherever shutdown must be bounded.
 */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms)
  })
  const settled = promise.then(
    () => true as const,
    () => true as const,
  )
  try {
    return await Promise.race([settled, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Returns a duration option when it is a number of milliseconds a timer can honour: at most
 * MAX_TIMER_MS, and above 0 (`least: 'positive'`) or at least 0 (`'zero'`). Anything else (NaN,
 * a string, a negative) throws InvalidArgumentError naming the option, rather than become a timer
 * that fires at once.
 */
export function checkMs(option: string, value: unknown, least: 'zero' | 'positive'): number {
  if (typeof value === 'number' && value <= MAX_TIMER_MS && (least === 'zero' ? value >= 0 : value > 0)) {
    return value
  }
  const range = least === 'zero' ? `[0, ${MAX_TIMER_MS}]` : `(0, ${MAX_TIMER_MS}]`
  throw new InvalidArgumentError(
    `${option} must be a number of milliseconds in ${range}, got ${String(value)}`,
  )
}
