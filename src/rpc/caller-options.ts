/** Options of bus.caller(). Every default is in CALLER_DEFAULTS. */
export interface CallerOptions {
  /**
   * How long request() and stream() wait for the final response, in milliseconds. The deadline
   * travels with the request, so the service skips it, or aborts its ctx.signal, once it passes.
   * @defaultValue 5000
   */
  timeoutMs?: number
  /**
   * How old the cached list of a service's instances may grow before it is looked up again
   * (PUBSUB CHANNELS, in the background), in milliseconds. A dead instance leaves the list at once
   * whatever this is: the first publish that finds its channel empty evicts it.
   * @defaultValue 1000
   */
  discoveryIntervalMs?: number
  /**
   * Responses a stream() holds for a reader that is behind, in messages (a whole number, or
   * Infinity for no bound); one more fails the stream with BufferOverflowError and cancels the
   * request. @defaultValue 10000
   */
  streamBufferSize?: number
  /** Headers sent with every request, such as trace context; per-call headers are merged over them. @defaultValue none */
  headers?: Readonly<Record<string, string>>
}

/** Options of one request() or stream() call. */
export interface RequestOptions<P = unknown> {
  /** Overrides the caller's timeout for this call, in milliseconds. @defaultValue the caller's timeoutMs */
  timeoutMs?: number
  /** Aborting it rejects the call at once with CancelledError and aborts the handler's ctx.signal. */
  signal?: AbortSignal
  /** Called with each progress payload, in order, before the promise settles. */
  onProgress?: (progress: P) => void
  /** Headers for this call, merged over the caller's. @defaultValue none */
  headers?: Readonly<Record<string, string>>
}

/** Options of send(). */
export interface SendOptions {
  /** Headers for this message, merged over the caller's. @defaultValue none */
  headers?: Readonly<Record<string, string>>
}

/** The default of every caller option that has one. */
export const CALLER_DEFAULTS = {
  timeoutMs: 5000,
  discoveryIntervalMs: 1000,
  streamBufferSize: 10_000,
} as const
