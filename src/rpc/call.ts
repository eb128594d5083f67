import { CancelledError, NoResponderError, RemoteError, TimeoutError } from '../errors.js'
import type { CallOutcome } from '../observe/instrumentation.js'
import { NO_SPAN, type SpanHandle } from '../observe/tracer.js'
import type { Payload } from '../transport/transport.js'
import { encodeRequest, type RpcResponse, readErrorPayload } from './envelope.js'
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

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error))
}

/** How a call that failed with `error` ended, for the instrumentation. */
function outcomeOf(error: unknown): CallOutcome {
  if (error instanceof TimeoutError) return 'timeout'
  if (error instanceof NoResponderError) return 'no_responder'
  if (error instanceof CancelledError) return 'cancelled'
  if (error instanceof RemoteError) return 'remote_error'
  return 'failed'
}

/**
 * One request in flight: it registers in the pending table, publishes, and settles exactly once,
 * on the final response, the timeout, the abort signal, or a failed publish. The client watches
 * its timeout (see TimeoutQueue), so a call holds no timer of its own.
 */
export class Call implements OutgoingRequest {
  readonly id: string
  readonly expiresAt: number
  timeoutSlot = -1
  readonly #client: RpcClient
  readonly #spec: CallSpec
  readonly #sink: CallSink
  channel: string | undefined
  /** Kept until a subscriber got them, in case the instance is gone and they must go elsewhere. */
  #bytes: Payload | undefined
  /** The channel the request reached: a cancel follows it there. */
  #routed: string | undefined
  /** Epoch ms on this host's clock: sent with the request, and again with each resend. */
  #deadline = 0
  /** Channels whose instance refused the request because it was stopping; made on the first refusal. */
  #refusedBy: Set<string> | undefined
  #done = false
  #added = false
  #cancelPending = false
  #onAbort: (() => void) | undefined
  /** The request's span and the headers carrying its context, when tracing is on. */
  #span: SpanHandle | undefined
  #headers: Readonly<Record<string, string>> | undefined

  constructor(client: RpcClient, spec: CallSpec, sink: CallSink) {
    this.#client = client
    this.#spec = spec
    this.#sink = sink
    this.id = client.nextRequestId()
    this.expiresAt = performance.now() + spec.timeoutMs
    this.#headers = spec.headers
  }

  get timeoutMs(): number {
    return this.#spec.timeoutMs
  }

  start(): void {
    const spec = this.#spec
    const signal = spec.signal
    if (signal?.aborted) {
      this.cancel()
      return
    }
    this.#deadline = Date.now() + spec.timeoutMs
    const tracer = this.#client.tracer
    if (tracer !== undefined) {
      const carrier = { ...spec.headers }
      const span = tracer.request(spec.service, spec.action, this.id, carrier)
      // NO_SPAN: nothing traced, nothing written in the carrier.
      if (span !== NO_SPAN) {
        this.#span = span
        this.#headers = carrier
      }
    }
    let bytes: Payload
    try {
      bytes = this.#encode()
    } catch (error) {
      this.fail(asError(error))
      return
    }
    this.#client.add(this)
    this.#added = true
    this.#bytes = bytes
    if (signal) {
      this.#onAbort = () => this.cancel()
      signal.addEventListener('abort', this.#onAbort, { once: true })
    }
    this.#client.send(this, spec.service, spec.action, bytes, spec.discoveryIntervalMs)
  }

  /** The request's envelope; `timeout_ms` in it is the time left now. */
  #encode(): Payload {
    const spec = this.#spec
    return this.#client.checkSize(
      encodeRequest({
        action: spec.action,
        payload: spec.payload,
        replyTo: this.#client.replyChannel,
        requestId: this.id,
        service: spec.service,
        deadline: this.#deadline,
        headers: this.#headers,
      }),
    )
  }

  published(receivers: number): void {
    const channel = this.channel as string
    if (receivers > 0) {
      this.routed(channel)
      return
    }
    if (this.#done) return
    const { service, action, discoveryIntervalMs } = this.#spec
    this.#client.reroute(this, service, action, this.#bytes as Payload, discoveryIntervalMs, channel)
  }

  publishFailed(error: unknown): void {
    this.fail(error)
  }

  trying(channel: string): void {
    this.channel = channel
  }

  routed(channel: string): void {
    this.#routed = channel
    this.#bytes = undefined
    if (this.#cancelPending) this.#client.cancel(this.#spec.service, channel, this.id)
  }

  progress(payload: unknown): void {
    if (!this.#done) this.#sink.progress(payload)
  }

  settle(response: RpcResponse): void {
    // The table let go of it already, on routing this final response.
    if (this.#done) return
    if (response.status === 'error') {
      const { message, code, notStarted } = readErrorPayload(response.payload)
      const error = new RemoteError(this.#spec.service, this.#spec.action, message, code)
      if (notStarted && code === 'CLOSED' && this.#resend(error)) return
      if (this.#finish('remote_error', false, error)) this.#sink.reject(error)
      return
    }
    if (this.#finish('success', false)) this.#sink.resolve(response.payload)
  }

  /**
   * A stopping instance refused the request before its handler started: sends it to another live
   * instance channel, never one that refused it already, nor the shared channel (the request may
   * hold a claim there). Still within the call's own timeout; with no other instance, the call
   * fails with `refusal`. False when it cannot be sent again.
   */
  #resend(refusal: RemoteError): boolean {
    // The refusal may come back before the PUBLISH receipt has said where the request went.
    const from = this.#routed ?? this.channel
    if (from === undefined) return false
    let bytes: Payload
    try {
      bytes = this.#encode()
    } catch {
      return false
    }
    this.#refusedBy ??= new Set()
    const refusedBy = this.#refusedBy
    refusedBy.add(from)
    // Until it reaches an instance again, a cancel waits for routed().
    this.#routed = undefined
    const { service, action, discoveryIntervalMs } = this.#spec
    this.#client.resend(this, { service, action, bytes, maxAgeMs: discoveryIntervalMs, refusedBy, refusal })
    return true
  }

  fail(error: unknown): void {
    if (this.#finish(outcomeOf(error), true, error)) this.#sink.reject(asError(error))
  }

  /** Rejects at once and tells the service, so that its ctx.signal aborts. */
  cancel(error?: Error): void {
    if (!this.#finish(error === undefined ? 'cancelled' : outcomeOf(error), true, error)) return
    const reason = this.#spec.signal?.reason
    this.#sink.reject(
      error ??
        new CancelledError(`request to ${this.#spec.service}.${this.#spec.action} was cancelled`, {
          cause: reason,
        }),
    )
    if (this.#routed !== undefined) this.#client.cancel(this.#spec.service, this.#routed, this.id)
    else this.#cancelPending = true
  }

  expire(): void {
    const { service, action, timeoutMs } = this.#spec
    // No cancel message: the deadline travels with the request, and the service aborts on it.
    this.fail(
      new TimeoutError(`request to ${service}.${action} timed out after ${timeoutMs} ms`, timeoutMs, {
        service,
        action,
      }),
    )
  }

  /**
   * Marks the call done, releases what it holds and tells the client (and the span) how it
   * ended; false when it was already done.
   */
  #finish(outcome: CallOutcome, inTable = true, error?: unknown): boolean {
    if (this.#done) return false
    this.#done = true
    const spec = this.#spec
    if (this.#onAbort) spec.signal?.removeEventListener('abort', this.#onAbort)
    if (this.#added) this.#client.remove(this, inTable)
    // The start, without a clock read of its own: expiresAt was counted from it.
    this.#client.called(spec.service, spec.action, outcome, this.expiresAt - spec.timeoutMs)
    this.#span?.end(outcome, error)
    return true
  }
}
