import { InvalidArgumentError } from '../errors.js'
import type { BoundedQueue, PushOutcome } from './bounded-queue.js'

// Method syntax on purpose: its parameters are compared bivariantly, so that the iterator of a
// Subscription<Order> is still usable where that of a Subscription<unknown> is expected.
interface Reader<T> {
  resolve(result: IteratorResult<T>): void
  reject(error: unknown): void
}

/**
 * An async iterator over a BoundedQueue, fed by its owner: values go straight to a reader that
 * is waiting, else into the queue, whose capacity and overflow policy bound what a slow reader
 * costs. One reader at a time: a second next() while one waits is refused.
 *
 * Reading order: what is queued first, then the failure (fail), then done (end). `return()`, which
 * a for-await loop calls when left early, runs the owner's hook: Subscription unsubscribes,
 * ResponseStream cancels its request.
 */
export class QueuedIterator<T> implements AsyncIterableIterator<T> {
  /** Where values wait for the reader; the owner may shift from it directly (a handler's backlog). */
  readonly queue: BoundedQueue<T>
  /** What is read, for errors: 'a subscription'. */
  readonly #what: string
  readonly #onReturn: () => unknown
  #reader: Reader<T> | undefined
  #failure: Error | undefined
  #ended = false

  constructor(queue: BoundedQueue<T>, what: string, onReturn: () => unknown) {
    this.queue = queue
    this.#what = what
    this.#onReturn = onReturn
  }

  /** True once ended or failed: reads then drain the queue, then see the failure or done. */
  get ended(): boolean {
    return this.#ended
  }

  /** True while a reader waits (then the queue is empty). */
  get reading(): boolean {
    return this.#reader !== undefined
  }

  /** Hands a value to the waiting reader, else queues it (still after end: it is read before done). */
  push(value: T): PushOutcome {
    const reader = this.#reader
    if (reader === undefined) return this.queue.push(value)
    this.#reader = undefined
    reader.resolve({ value, done: false })
    return 'ok'
  }

  /** Ends reading: the reader gets what is queued, then done. Once only; later calls do nothing. */
  end(): void {
    if (this.#ended) return
    this.#ended = true
    const reader = this.#reader
    this.#reader = undefined
    reader?.resolve({ value: undefined, done: true })
  }

  /** Ends reading with an error: the reader gets what is queued, then `error`. Ignored once ended. */
  fail(error: Error): void {
    if (this.#ended) return
    this.#failure = error
    this.#ended = true
    const reader = this.#reader
    this.#reader = undefined
    reader?.reject(error)
  }

  /** Ends reading now: what is queued, and any failure, are thrown away. */
  discard(): void {
    this.end()
    this.#failure = undefined
    this.queue.clear()
  }

  /** Takes a queued value without waiting: undefined when none is there, the failure once failed. */
  poll(): T | undefined {
    if (this.queue.length > 0) return this.queue.shift()
    if (this.#failure) throw this.#failure
    return undefined
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queue.length > 0) return Promise.resolve({ value: this.queue.shift() as T, done: false })
    if (this.#failure) return Promise.reject(this.#failure)
    if (this.#ended) return Promise.resolve({ value: undefined, done: true })
    if (this.#reader)
      return Promise.reject(new InvalidArgumentError(`${this.#what} can be read by one consumer at a time`))
    return new Promise((resolve, reject) => {
      this.#reader = { resolve, reject }
    })
  }

  /** Leaving a for-await loop early: runs the owner's hook, then reports done. */
  async return(): Promise<IteratorResult<T>> {
    await this.#onReturn()
    return { value: undefined, done: true }
  }

  [Symbol.asyncIterator](): this {
    return this
  }
}
