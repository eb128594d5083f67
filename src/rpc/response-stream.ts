import { BufferOverflowError } from '../errors.js'
import type { CallSink } from './call.js'

type Waiter<T> = { resolve(result: IteratorResult<T>): void; reject(error: unknown): void }

/**
 * The responses of one streamed request as an async iterator: each progress payload, then the
 * final one. Responses wait in a bounded buffer for a slow reader; past `limit` the stream fails
 * with BufferOverflowError rather than grow or drop silently. Leaving the loop early cancels the
 * request, so the service sees its ctx.signal abort.
 */
export class ResponseStream<T> implements AsyncIterableIterator<T> {
  readonly #limit: number
  readonly #channel: string
  readonly #buffer: T[] = []
  #head = 0
  #waiter: Waiter<T> | undefined
  #ended = false
  #error: Error | undefined
  #cancel: (error?: Error) => void = () => {}

  /** @internal */
  constructor(limit: number, channel: string) {
    this.#limit = limit
    this.#channel = channel
  }

  /** @internal Connects the stream to its call. */
  bind(cancel: (error?: Error) => void): void {
    this.#cancel = cancel
  }

  /** @internal What the call delivers to. */
  readonly sink: CallSink = {
    progress: (payload) => this.#push(payload as T, false),
    resolve: (payload) => {
      this.#push(payload as T, true)
      this.#ended = true
    },
    reject: (error) => {
      if (this.#ended) return
      this.#ended = true
      this.#error = error
      const waiter = this.#waiter
      this.#waiter = undefined
      waiter?.reject(error)
    },
  }

  /** The final value is always kept, one past the limit if need be: it is what the caller waits for. */
  #push(value: T, final: boolean): void {
    if (this.#ended) return
    const waiter = this.#waiter
    if (waiter) {
      this.#waiter = undefined
      waiter.resolve({ value, done: false })
      return
    }
    if (!final && this.#buffer.length - this.#head >= this.#limit) {
      this.#cancel(new BufferOverflowError(this.#channel, this.#limit))
      return
    }
    this.#buffer.push(value)
  }

  #shift(): T | undefined {
    if (this.#head >= this.#buffer.length) return undefined
    const value = this.#buffer[this.#head] as T
    this.#head += 1
    // Compact now and then, so a long stream does not keep what was read.
    if (this.#head > 1024 && this.#head * 2 > this.#buffer.length) {
      this.#buffer.splice(0, this.#head)
      this.#head = 0
    }
    return value
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#head < this.#buffer.length) return Promise.resolve({ value: this.#shift() as T, done: false })
    if (this.#error) return Promise.reject(this.#error)
    if (this.#ended) return Promise.resolve({ value: undefined, done: true })
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject }
    })
  }

  /** Leaving a for-await loop early: cancels the request if it is still running. */
  async return(): Promise<IteratorResult<T>> {
    if (!this.#ended) this.#cancel()
    this.#ended = true
    this.#buffer.length = 0
    this.#head = 0
    this.#error = undefined
    return { value: undefined, done: true }
  }

  [Symbol.asyncIterator](): this {
    return this
  }
}
