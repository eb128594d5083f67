/**
 * Bounds `work` by `ms`: past it, the promise rejects with `timedOut()`, and `onTimeout` runs (it
 * cuts what the work waits on, so that nothing is left hanging). What the work settles to
 * after that is ignored.
 */
export async function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  timedOut: () => Error,
  onTimeout: () => void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Rejected first, so that the race settles with the timeout, not with what the cut causes.
      reject(timedOut())
      onTimeout()
    }, ms)
  })
  // Past the deadline nobody awaits the work any more: its rejection must not go unhandled.
  work.catch(() => undefined)
  try {
    return await Promise.race([work, deadline])
  } finally {
    clearTimeout(timer)
  }
}
