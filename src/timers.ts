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
