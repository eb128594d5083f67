/**
 * The tracing half of the instrumentation seam. Where the events of Instrumentation are told
 * after the fact, a span has to begin before the work, carry its context into the work (so that a
 * call made from inside a handler joins the trace), and cross the wire in a request's `headers`.
 * switchboard calls a Tracer only when one is installed (`instrumentation: openTelemetryTracing()`):
 * without one, no span, header object or closure is made.
 */

/** One span a Tracer began; switchboard ends it exactly once. */
export interface SpanHandle {
  /** Runs `work` with this span as the active one, so that what it starts joins the trace. */
  run<R>(work: () => R): R
  /**
   * Ends the span. `outcome` is a CallOutcome, a HandleOutcome, 'success' or 'failed'; anything
   * but 'success' marks the span as an error, with `error` recorded when there is one.
   */
  end(outcome: string, error?: unknown): void
}

/** Trace context and other metadata as it travels: a request's `headers`, a durable entry's. */
export type Carrier = Record<string, string>

/**
 * Begins spans. Each method starts from the active context of the caller (so a publish or call
 * made inside a traced handler is its child), except where a carrier brings the remote one.
 */
export interface Tracer {
  /** `bus.publish` to `channel`: ended when the publish resolves. */
  publish(channel: string): SpanHandle
  /**
   * A subscription handler for one message that came on `channel` (through `pattern`, if
   * any): ended when the handler returns or its promise settles. Plain channel messages carry no
   * context, so this span starts a trace of its own, or joins the one active when it arrived.
   */
  deliver(channel: string, pattern: string | undefined): SpanHandle
  /**
   * A request (request(), stream(), send()) begins: writes the trace context into `carrier`,
   * which goes out as the request's `headers`. Ended when the caller hears the outcome.
   */
  request(service: string, action: string, requestId: string, carrier: Carrier): SpanHandle
  /**
   * A service instance took a request whose headers are `carrier`: the span continues the
   * caller's trace and the handler runs inside it. Ended with the request's HandleOutcome.
   */
  handle(
    service: string,
    action: string,
    requestId: string,
    carrier: Readonly<Carrier> | undefined,
  ): SpanHandle
  /**
   * For durable topics: an entry is published to `topic` and its trace context written into
   * `carrier`, to be stored with the entry (its `headers`).
   */
  produce(topic: string, carrier: Carrier): SpanHandle
  /**
   * For durable topics: consumer `group` processes entry `id` of `topic`, whose stored headers
   * are `carrier`: the span continues the producer's trace.
   */
  consume(topic: string, group: string, id: string, carrier: Readonly<Carrier> | undefined): SpanHandle
}

/**
 * A span that is not there: what a tracer returns when nothing records or propagates (no SDK
 * registered, no incoming context), so that the work runs as if untraced.
 */
export const NO_SPAN: SpanHandle = Object.freeze({
  run: <R>(work: () => R): R => work(),
  end: (): void => {},
})

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

/**
 * Runs `work` inside `span` and ends the span when the work is done: at once when it returns a
 * value or throws, or when its promise settles. What the work returns or throws passes through.
 */
export function runInSpan<R>(span: SpanHandle, work: () => R): R {
  if (span === NO_SPAN) return work()
  let result: R
  try {
    result = span.run(work)
  } catch (error) {
    span.end('failed', error)
    throw error
  }
  if (!isThenable(result)) {
    span.end('success')
    return result
  }
  result.then(
    () => span.end('success'),
    (error: unknown) => span.end('failed', error),
  )
  return result
}
