import { BoundedQueue } from '../queue/bounded-queue.js'

/** What offer() did with an item. */
export type Admission = 'run' | 'queued' | 'rejected'

/**
 * Admits at most `concurrency` items to run at once, holds up to `maxQueue` more in FIFO order,
 * and rejects beyond that, so memory stays bounded whatever the load. Pure bookkeeping, no I/O:
 * the service runs what this admits, and calls release() when one finishes.
 */
export class ConcurrencyLimiter<T> {
  readonly concurrency: number
  readonly maxQueue: number
  #running = 0
  /** Refuses past maxQueue ('error' policy): offer() turns that into 'rejected'. */
  readonly #queue: BoundedQueue<T>

  constructor(concurrency: number, maxQueue: number) {
    this.concurrency = concurrency
    this.maxQueue = maxQueue
    this.#queue = new BoundedQueue<T>(maxQueue, 'error')
  }

  get running(): number {
    return this.#running
  }

  get queued(): number {
    return this.#queue.length
  }

  /** Runs the item now if a slot is free, else queues it if there is room. */
  offer(item: T): Admission {
    if (this.#running < this.concurrency) {
      this.#running += 1
      return 'run'
    }
    return this.#queue.push(item) === 'ok' ? 'queued' : 'rejected'
  }

  /** Frees the slot of a finished item, and returns the next queued item, which takes it. */
  release(): T | undefined {
    const next = this.#queue.shift()
    if (next === undefined) this.#running -= 1
    return next
  }

  /** Takes a queued item out (it was cancelled); true when it was queued. */
  remove(item: T): boolean {
    return this.#queue.remove(item)
  }

  /** Empties the queue, returning what was in it in order. */
  clear(): T[] {
    return this.#queue.drain()
  }
}
