import { BufferOverflowError } from '../errors.js'
import { BoundedQueue } from '../queue/bounded-queue.js'
import { QueuedIterator } from '../queue/queued-iterator.js'
import type { CallSink } from './call.js'

/**
 * The responses of one streamed request as an async iterator: each progress payload, then the
 * final one. Responses wait in a bounded buffer for a slow reader; past `limit` the stream fails
 * with BufferOverflowError rather than grow or drop silently. Leaving the loop early cancels the
 * request, so the service sees its ctx.signal abort.
 */
export class ResponseStream<T> implements AsyncIterableIterator<T> {
  readonly #limit: number
  readonly #channel: string
  readonly #responses: QueuedIterator<T>
  #cancel: (error?: Error) => void = () => {}

  /** @internal */
  constructor(limit: number, channel: string) {
    this.#limit = limit
    this.#channel = channel
    // `limit` progress payloads, and one slot past them that only the final payload may take.
    const buffer = new BoundedQueue<T>(limit + 1, 'error')
    this.#responses = new QueuedIterator(buffer, 'a response stream', () => this.#leave())
  }

  /** @internal Connects the stream to its call. */
  bind(cancel: (error?: Error) => void): void {
    this.#cancel = cancel
  }

  /** @internal What the call delivers to. */
  readonly sink: CallSink = {
    progress: (payload) => this.#progress(payload as T),
    resolve: (payload) => {
      if (this.#responses.ended) return
      // Always fits: progress stops one slot short of the buffer's capacity.
      this.#responses.push(payload as T)
      this.#responses.end()
    },
    reject: (error) => this.#responses.fail(error),
  }

  #progress(value: T): void {
    const responses = this.#responses
    if (responses.ended) return
    if (!responses.reading && responses.queue.length >= this.#limit) {
      this.#cancel(new BufferOverflowError(this.#channel, this.#limit))
      return
    }
    responses.push(value)
  }

  /** Leaving a for-await loop early: drops what is buffered, and cancels the request if it still runs. */
  #leave(): void {
    const running = !this.#responses.ended
    // Discarded first, so that the cancellation the call reports back is not read as a failure.
    this.#responses.discard()
    if (running) this.#cancel()
  }

  /** The next progress value or the final one; rejects as request() would. */
  next(): Promise<IteratorResult<T>> {
    return this.#responses.next()
  }

  /** Leaving a for-await loop early: cancels the request if it is still running. */
  return(): Promise<IteratorResult<T>> {
    return this.#responses.return()
  }

  /** The stream is its own iterator: `for await (const part of stream)`. */
  [Symbol.asyncIterator](): this {
    return this
  }
}
