import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { Codec } from '../codec/codec.js'
import type { MessageHandler } from '../pubsub/subscription.js'
import type { IsUntyped, PayloadOf, ResultOf } from '../rpc/action-types.js'

/** What an action handler knows about the request it handles, and how it sends progress. */
export interface ActionContext<P = unknown> {
  /** The caller's request_id, as a string. */
  readonly requestId: string
  /** The caller's reply channel; undefined for a fire-and-forget `send()`. */
  readonly replyTo: string | undefined
  readonly service: string
  readonly action: string
  /**
   * Aborts when the caller cancels, when the deadline passes, or when stop() gives up waiting.
   * Pass it on to fetch() and the like, or check `signal.aborted` between steps.
   */
  readonly signal: AbortSignal
  /** Epoch milliseconds after which the caller no longer waits; undefined when it sent none. */
  readonly deadline: number | undefined
  /** Headers the caller sent (trace context and such). */
  readonly headers: Readonly<Record<string, string>> | undefined
  /**
   * Sends a non-final response (Daebus `final: false`). Resolves once published; never rejects:
   * a failed publish is logged. Does nothing after the final response or for a `send()`.
   */
  progress(partial: P): Promise<void>
}

/** An action: its return value is the final response, and a throw is an error response. */
export type ActionHandler<T = unknown, R = unknown, P = unknown> = (
  payload: T,
  ctx: ActionContext<P>,
) => R | Promise<R>

/** Options of one action. */
export interface ActionOptions<T = unknown> {
  /**
   * A Standard Schema (zod, valibot, arktype...) the payload must pass before the handler runs;
   * a failure is answered with an error whose code is VALIDATION. @defaultValue no validation
   */
  schema?: StandardSchemaV1<unknown, T>
}

/** A listen() handler: a returned promise is awaited before the next message of that listen. */
export type ListenHandler<T = unknown> = MessageHandler<T>

/** Options of listen(). */
export interface ListenOptions<T = unknown> {
  /** Decode with this codec instead of the bus's. @defaultValue the bus codec */
  codec?: Codec
  /** A Standard Schema every message must pass; failures are reported and dropped. @defaultValue none */
  schema?: StandardSchemaV1<unknown, T>
  /** Treat names with `*`, `?` or `[` as Redis glob patterns. @defaultValue true */
  pattern?: boolean
}

/** A background task: it gets a signal that aborts when the service stops. */
export type BackgroundTaskFn = (signal: AbortSignal) => unknown

/** Options of background(). */
export interface BackgroundOptions {
  /** Run once as soon as the service starts, instead of one interval after. @defaultValue false */
  immediate?: boolean
}

/** The payload type a handler of action K gets: the declared one, or, untyped, what the handler says. */
export type HandlerPayload<A, K extends keyof A, T> = IsUntyped<A> extends true ? T : PayloadOf<A[K]>
/** The result type a handler of action K must return: the declared one, or anything when untyped. */
export type HandlerResult<A, K extends keyof A> = IsUntyped<A> extends true ? unknown : ResultOf<A[K]>
