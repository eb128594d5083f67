import type * as OtelApi from '@opentelemetry/api'
import type { Attributes, Context, Tracer as OtelTracer, Span, SpanKind } from '@opentelemetry/api'
import type { Instrumentation } from './instrumentation.js'
import { loadOptional } from './optional-dependency.js'
import type { Carrier, SpanHandle, Tracer } from './tracer.js'

/** Options of openTelemetryTracing(). */
export interface OpenTelemetryTracingOptions {
  /**
   * Where the tracer comes from. @defaultValue the global one (`trace.getTracerProvider()`),
   * which an SDK registers; until one does, every span is a no-op
   */
  tracerProvider?: TracerProviderLike
}

/**
 * An OpenTelemetry TracerProvider, described by what switchboard uses of it, so that the
 * published types do not need @opentelemetry/api installed.
 */
export interface TracerProviderLike {
  getTracer(name: string, version?: string): unknown
}

/** `messaging.system`: the value the messaging conventions give Redis. */
const MESSAGING_SYSTEM = 'redis'

type Api = typeof OtelApi

/**
 * Spans after the OpenTelemetry messaging conventions: names `{operation} {destination}`
 * ('publish orders', 'process orders', 'send user_service'), with `messaging.system`,
 * `messaging.operation.type` and `.name`, `messaging.destination.name`, and on requests
 * `messaging.message.id` and RPC's `rpc.service` and `rpc.method`. The trace context crosses in
 * the request's `headers` through the global propagator (W3C `traceparent` under the usual SDK).
 */
class OtelSpans implements Tracer {
  readonly #api: Api
  readonly #tracer: OtelTracer
  readonly #kind: typeof SpanKind

  constructor(api: Api, tracer: OtelTracer) {
    this.#api = api
    this.#tracer = tracer
    this.#kind = api.SpanKind
  }

  publish(channel: string): SpanHandle {
    return this.#start(`publish ${channel}`, this.#kind.PRODUCER, this.#api.context.active(), {
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'publish',
      'messaging.destination.name': channel,
    })
  }

  deliver(channel: string, pattern: string | undefined): SpanHandle {
    const attributes: Attributes = {
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': channel,
    }
    // A pattern names the destinations as a template does, and keeps span names few.
    if (pattern !== undefined) attributes['messaging.destination.template'] = pattern
    // Plain messages carry no context: whatever is active where they arrive is not theirs.
    return this.#start(
      `process ${pattern ?? channel}`,
      this.#kind.CONSUMER,
      this.#api.ROOT_CONTEXT,
      attributes,
    )
  }

  request(service: string, action: string, requestId: string, carrier: Carrier): SpanHandle {
    const span = this.#start(`send ${service}`, this.#kind.CLIENT, this.#api.context.active(), {
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': service,
      'messaging.message.id': requestId,
      'rpc.service': service,
      'rpc.method': action,
    })
    this.#api.propagation.inject(span.context, carrier)
    return span
  }

  handle(
    service: string,
    action: string,
    requestId: string,
    carrier: Readonly<Carrier> | undefined,
  ): SpanHandle {
    return this.#start(`process ${service}`, this.#kind.SERVER, this.#extract(carrier), {
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': service,
      'messaging.message.id': requestId,
      'rpc.service': service,
      'rpc.method': action,
    })
  }

  produce(topic: string, carrier: Carrier): SpanHandle {
    const span = this.#start(`send ${topic}`, this.#kind.PRODUCER, this.#api.context.active(), {
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': topic,
    })
    this.#api.propagation.inject(span.context, carrier)
    return span
  }

  consume(topic: string, group: string, id: string, carrier: Readonly<Carrier> | undefined): SpanHandle {
    return this.#start(`process ${topic}`, this.#kind.CONSUMER, this.#extract(carrier), {
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': topic,
      'messaging.consumer.group.name': group,
      'messaging.message.id': id,
    })
  }

  /**
   * The context a request or entry brought: only what its carrier says. What is active where it
   * arrives (the context its connection was made in, say) has nothing to do with it.
   */
  #extract(carrier: Readonly<Carrier> | undefined): Context {
    const { ROOT_CONTEXT, propagation } = this.#api
    return carrier === undefined ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, carrier)
  }

  #start(name: string, kind: SpanKind, parent: Context, attributes: Attributes): OtelSpan {
    attributes['messaging.system'] = MESSAGING_SYSTEM
    const span = this.#tracer.startSpan(name, { kind, attributes }, parent)
    return new OtelSpan(this.#api, span, this.#api.trace.setSpan(parent, span))
  }
}

/** A started span and the context in which it is the active one. */
class OtelSpan implements SpanHandle {
  readonly #api: Api
  readonly #span: Span
  readonly context: Context

  constructor(api: Api, span: Span, context: Context) {
    this.#api = api
    this.#span = span
    this.context = context
  }

  run<R>(work: () => R): R {
    return this.#api.context.with(this.context, work)
  }

  end(outcome: string, error?: unknown): void {
    const span = this.#span
    if (outcome !== 'success') {
      const code = (error as { code?: unknown } | undefined)?.code
      span.setAttribute('error.type', typeof code === 'string' ? code : outcome)
      if (error instanceof Error) span.recordException(error)
      span.setStatus({
        code: this.#api.SpanStatusCode.ERROR,
        message: error instanceof Error ? error.message : outcome,
      })
    }
    span.end()
  }
}

/**
 * OpenTelemetry traces for `connect({ instrumentation: openTelemetryTracing() })`: spans for
 * publish, deliver (subscription handlers), request and handle, with the trace context carried in
 * request headers, so that one trace runs from a caller through the services it calls and the
 * calls they make. Needs `@opentelemetry/api`, an optional peer dependency (it throws
 * MissingDependencyError naming the npm command when missing), and an SDK for spans to be kept.
 */
export function openTelemetryTracing(options: OpenTelemetryTracingOptions = {}): Partial<Instrumentation> {
  const api = loadOptional<Api>('@opentelemetry/api', 'openTelemetryTracing()')
  const provider = options.tracerProvider ?? api.trace.getTracerProvider()
  const tracer: Tracer = new OtelSpans(api, provider.getTracer('switchboard') as OtelTracer)
  return { tracer }
}
