import { randomUUID } from 'node:crypto'
import { CancelledError, RemoteError, TimeoutError } from '../errors.js'
import { type RpcResponse, readErrorPayload, requestEnvelope } from './envelope.js'
import type { OutgoingRequest, RpcClient } from './rpc-client.js'

/** Where a call delivers what happens to it. */
export interface CallSink {
  progress(payload: unknown): void
  resolve(payload: unknown): void
  reject(error: Error): void
}

/** What a call needs to go out. */
export interface CallSpec {
  readonly service: string
  readonly action: string
  readonly payload: unknown
  readonly timeoutMs: number
  /** How old the cached instance list may be, in milliseconds. */
  readonly discoveryIntervalMs: number
  readonly signal: AbortSignal | undefined
  readonly headers: Readonly<Record<string, string>> | undefined
}

/**
 * One request in flight: it registers in the pending table, publishes, and settles exactly once,
 * on the final response, the timeout, the abort signal, or a failed publish.
 */
export class Call implements OutgoingRequest {
  readonly id = randomUUID()
  readonly #client: RpcClient
  readonly #spec: CallSpec
  readonly #sink: CallSink
  #timer: NodeJS.Timeout | undefined
  /** The channel the request went to: a cancel follows it there. */
  #channel: string | undefined
  #done = false
  #cancelPending = false

  constructor(client: RpcClient, spec: CallSpec, sink: CallSink) {
    this.#client = client
    this.#spec = spec
    this.#sink = sink
  }

  get done(): boolean {
    return this.#done
  }

  start(): void {
    const { signal, timeoutMs } = this.#spec
    if (signal?.aborted) {
      this.cancel()
      return
    }
    let bytes: Uint8Array
    try {
      bytes = this.#client.encode(
        requestEnvelope({
          action: this.#spec.action,
          payload: this.#spec.payload,
          replyTo: this.#client.replyChannel,
          requestId: this.id,
          service: this.#spec.service,
          deadline: Date.now() + timeoutMs,
          headers: this.#spec.headers,
        }),
      )
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)))
      return
    }
    this.#client.add(this.id, this)
    this.#timer = setTimeout(this.#onTimeout, timeoutMs)
    signal?.addEventListener('abort', this.#onAbort, { once: true })
    this.#client.publish(this.#spec.service, this.#spec.action, bytes, this.#spec.discoveryIntervalMs).then(
      (channel) => {
        this.#channel = channel
        if (this.#cancelPending) this.#client.cancel(this.#spec.service, channel, this.id)
      },
      (error: unknown) => this.fail(error instanceof Error ? error : new Error(String(error))),
    )
  }

  progress(payload: unknown): void {
    if (!this.#done) this.#sink.progress(payload)
  }

  settle(response: RpcResponse): void {
    if (!this.#finish()) return
    if (response.status === 'error') {
      const { message, code } = readErrorPayload(response.payload)
      this.#sink.reject(new RemoteError(this.#spec.service, this.#spec.action, message, code))
      return
    }
    this.#sink.resolve(response.payload)
  }

  fail(error: Error): void {
    if (this.#finish()) this.#sink.reject(error)
  }

  /** Rejects at once and tells the service, so that its ctx.signal aborts. */
  cancel(error?: Error): void {
    if (!this.#finish()) return
    const reason = this.#spec.signal?.reason
    this.#sink.reject(
      error ??
        new CancelledError(`request to ${this.#spec.service}.${this.#spec.action} was cancelled`, {
          cause: reason,
        }),
    )
    if (this.#channel !== undefined) this.#client.cancel(this.#spec.service, this.#channel, this.id)
    else this.#cancelPending = true
  }

  /** Marks the call done and releases what it holds; false when it was already done. */
  #finish(): boolean {
    if (this.#done) return false
    this.#done = true
    clearTimeout(this.#timer)
    this.#spec.signal?.removeEventListener('abort', this.#onAbort)
    this.#client.remove(this.id)
    return true
  }

  readonly #onAbort = (): void => this.cancel()

  readonly #onTimeout = (): void => {
    const { service, action, timeoutMs } = this.#spec
    // No cancel message: the deadline travels with the request, and the service aborts on it.
    this.fail(
      new TimeoutError(`request to ${service}.${action} timed out after ${timeoutMs} ms`, timeoutMs, {
        service,
        action,
      }),
    )
  }
}
