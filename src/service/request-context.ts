import { CancelledError, SwitchboardError } from '../errors.js'
import type { SpanHandle } from '../observe/tracer.js'
import type { RpcRequest } from '../rpc/envelope.js'
import { MAX_TIMER_MS } from '../timers.js'
import type { ActionContext } from './action-context.js'
import type { Fingerprint, Fingerprinter } from './fingerprint-set.js'

/** Sends one progress response for a context. */
export type ProgressSender = (ctx: RequestContext, partial: unknown) => Promise<void>

/**
 * One accepted request, from admission to its final reply. The AbortController (and the deadline
 * timer behind it) is made only when the handler reads ctx.signal, because most handlers never do
 * and a timer per request is not free at tens of thousands of requests per second.
 */
export class RequestContext implements ActionContext {
  readonly request: RpcRequest
  /**
   * Identifies the request among all callers (their reply channel plus their request_id), made
   * once: what the memory of finished requests holds.
   */
  readonly fingerprint: Fingerprint
  readonly requestId: string
  readonly service: string
  /** performance.now() when the instance took the request (0 when nobody times it). */
  readonly takenAt: number
  /** The request's span, when tracing is on: the handler runs inside it. */
  span: SpanHandle | undefined
  readonly #sendProgress: ProgressSender
  #controller: AbortController | undefined
  #abortReason: Error | undefined
  #deadlineTimer: NodeJS.Timeout | undefined
  #finished = false
  #cancelled = false

  constructor(
    service: string,
    request: RpcRequest,
    fingerprints: Fingerprinter,
    sendProgress: ProgressSender,
    takenAt: number,
  ) {
    this.service = service
    this.takenAt = takenAt
    this.request = request
    this.requestId = String(request.requestId)
    this.fingerprint = fingerprints.of(request.replyTo ?? '', this.requestId)
    this.#sendProgress = sendProgress
  }

  get action(): string {
    return this.request.action
  }

  get replyTo(): string | undefined {
    return this.request.replyTo
  }

  get deadline(): number | undefined {
    return this.request.deadline
  }

  get headers(): Readonly<Record<string, string>> | undefined {
    return this.request.headers
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController()
      if (this.#abortReason) this.#controller.abort(this.#abortReason)
      else if (this.deadline !== undefined && !this.#finished) this.#armDeadline(this.deadline)
    }
    return this.#controller.signal
  }

  /** True once the caller cancelled: nobody waits for a reply any more. */
  get cancelled(): boolean {
    return this.#cancelled
  }

  get finished(): boolean {
    return this.#finished
  }

  progress(partial: unknown): Promise<void> {
    if (this.#finished || this.#cancelled || this.replyTo === undefined) return Promise.resolve()
    return this.#sendProgress(this, partial)
  }

  /** Aborts the signal (now, or as soon as it is read). The first reason wins. */
  abort(reason: Error): void {
    if (this.#abortReason) return
    this.#abortReason = reason
    clearTimeout(this.#deadlineTimer)
    this.#controller?.abort(reason)
  }

  /** The caller cancelled: abort, and send no reply. */
  cancel(): void {
    this.#cancelled = true
    this.abort(
      new CancelledError(`the caller cancelled ${this.service}.${this.action} (request ${this.requestId})`),
    )
  }

  /** Marks the request answered; false when it already was, so exactly one final reply goes out. */
  finish(): boolean {
    if (this.#finished) return false
    this.#finished = true
    clearTimeout(this.#deadlineTimer)
    return true
  }

  #armDeadline(deadline: number): void {
    const abortNow = (): void =>
      this.abort(
        new SwitchboardError(
          'DEADLINE_EXCEEDED',
          `the deadline of ${this.service}.${this.action} passed while it ran`,
        ),
      )
    const delay = deadline - Date.now()
    if (delay <= 0) {
      abortNow()
      return
    }
    this.#deadlineTimer = setTimeout(abortNow, Math.min(delay, MAX_TIMER_MS))
    // A pending deadline must not keep a process alive that has nothing else to do.
    this.#deadlineTimer.unref()
  }
}

/** The key of a request in a service's table of requests in progress. */
export function requestKey(replyTo: string | undefined, requestId: string): string {
  return `${replyTo ?? ''}\n${requestId}`
}
