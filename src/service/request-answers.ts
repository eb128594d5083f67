import type { HandleOutcome } from '../observe/instrumentation.js'
import type { Logger } from '../observe/logger.js'
import { ACTIONS_ACTION } from '../rpc/channels.js'
import type { RpcRequest } from '../rpc/envelope.js'
import { describeError } from './error-reply.js'
import { REFUSALS, type RefusalCode } from './refusal.js'
import type { RequestContext } from './request-context.js'
import { type ReplyLink, Responder } from './responder.js'

/**
 * Marks a request finished and counts its one outcome; false when it had finished already. Every
 * answer goes through it first, so that exactly one final reply goes out and one outcome counts.
 */
export type EndRequest = (ctx: RequestContext, outcome: HandleOutcome, error?: unknown) => boolean

/**
 * The final answer of each request a service took: its result, its handler's error, or a refusal.
 * Nothing here throws, because the request's slot is freed after its answer and a throw would
 * keep it taken for good; a request its caller cancelled, or sent fire-and-forget, gets no reply,
 * only a log line where one helps.
 */
export class RequestAnswers {
  readonly responder: Responder
  readonly #log: Logger
  readonly #service: string
  readonly #end: EndRequest

  constructor(service: string, link: ReplyLink, log: Logger, end: EndRequest) {
    this.responder = new Responder(link, log)
    this.#log = log
    this.#service = service
    this.#end = end
  }

  /** The handler returned `result`. */
  succeeded(ctx: RequestContext, result: unknown): void {
    if (!this.#end(ctx, ctx.cancelled ? 'cancelled' : 'success')) return
    if (ctx.cancelled || ctx.replyTo === undefined) return
    try {
      this.responder.success({ replyTo: ctx.replyTo, requestId: ctx.request.requestId }, result, ctx)
    } catch (error) {
      this.#answerFailed(ctx, error)
    }
  }

  /** The handler threw `error`, or its promise rejected with it. */
  failed(ctx: RequestContext, error: unknown): void {
    if (!this.#end(ctx, ctx.cancelled ? 'cancelled' : 'failed', error)) return
    try {
      this.#answerError(ctx, error)
    } catch (failure) {
      this.#answerFailed(ctx, failure)
    }
  }

  /** The request will not run; `notStarted` lets its caller send it elsewhere. */
  refuse(ctx: RequestContext, message: string, code: RefusalCode, notStarted = false): void {
    if (!this.#end(ctx, REFUSALS[code])) return
    const { replyTo } = ctx
    if (replyTo === undefined) {
      this.#log.warn(
        { action: ctx.action, requestId: ctx.requestId, code },
        `${message} (fire-and-forget: nobody to tell)`,
      )
      return
    }
    this.#log.debug({ action: ctx.action, requestId: ctx.requestId, code }, message)
    this.responder.error({ replyTo, requestId: ctx.request.requestId }, message, code, notStarted)
  }

  /**
   * The service stops before the request `started` or finished: a CLOSED reply (saying
   * `started: false` for one that never started). A cancelled one is counted when its handler returns.
   */
  closed(ctx: RequestContext, reason: string, started: boolean): void {
    if (ctx.cancelled || !this.#end(ctx, 'closed') || ctx.replyTo === undefined) return
    const target = { replyTo: ctx.replyTo, requestId: ctx.request.requestId }
    const when = started ? 'finished' : 'started'
    this.responder.error(target, `${reason} before ${this.name(ctx)} ${when}`, 'CLOSED', !started)
  }

  /** Answers `__actions__` (ACTIONS_ACTION) with the names of the service's actions, sorted. */
  actionNames(request: RpcRequest, names: Iterable<string>): void {
    if (request.replyTo === undefined) return
    const target = { replyTo: request.replyTo, requestId: request.requestId }
    this.responder.success(target, [...names].sort(), { service: this.#service, action: ACTIONS_ACTION })
  }

  /** `service.action`, for messages; made only when a message needs it. */
  name(ctx: RequestContext): string {
    return `${this.#service}.${ctx.action}`
  }

  /** What could throw while answering (a hostile error object, a logger) is reported here. */
  #answerFailed(ctx: RequestContext, error: unknown): void {
    const what = this.name(ctx)
    try {
      this.#log.error(
        { action: ctx.action, requestId: ctx.requestId, err: error },
        `could not answer ${what}`,
      )
      if (ctx.cancelled || ctx.replyTo === undefined) return
      const target = { replyTo: ctx.replyTo, requestId: ctx.request.requestId }
      this.responder.error(target, `${what} failed, and its error could not be sent`, undefined)
    } catch {
      // Nothing left to tell it to: the caller times out.
    }
  }

  #answerError(ctx: RequestContext, error: unknown): void {
    const what = this.name(ctx)
    const { message, code } = describeError(error)
    if (ctx.cancelled) {
      this.#log.debug(
        { action: ctx.action, requestId: ctx.requestId, err: error },
        `${what} failed after its caller cancelled`,
      )
    } else if (ctx.replyTo === undefined) {
      this.#log.error(
        { action: ctx.action, requestId: ctx.requestId, err: error },
        `${what} failed (fire-and-forget): ${message}`,
      )
    } else {
      this.#log.debug({ action: ctx.action, requestId: ctx.requestId, code }, `${what} failed: ${message}`)
      this.responder.error({ replyTo: ctx.replyTo, requestId: ctx.request.requestId }, message, code)
    }
  }
}
