/** Bounded waits for tests: never a bare sleep. */

export function withTimeout<T>(promise: Promise<T>, what: string, ms = 5_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** Resolves when `check` returns true, polling every 10 ms, or rejects after `ms`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = 5_000,
): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** A promise with its resolve function outside, to await a callback. */
export function deferred<T = void>(): {
  promise: Promise<T>
  resolve: (v: T) => void
  reject: (e: unknown) => void
} {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** Collects values until `count` have arrived; `done` resolves with them. */
export function collector<T>(count: number): { push: (v: T) => void; items: T[]; done: Promise<T[]> } {
  const items: T[] = []
  const d = deferred<T[]>()
  return {
    items,
    done: d.promise,
    push(v: T) {
      items.push(v)
      if (items.length === count) d.resolve(items)
    },
  }
}

let counter = 0
/** A channel/key prefix unique to this test, so tests never see each other's traffic. */
export function uniq(name = 't'): string {
  counter += 1
  return `${name}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`
}
