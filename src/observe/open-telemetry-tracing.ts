import type * as OtelApi from '@opentelemetry/api'
import type { Attributes, Context, Tracer as OtelTracer, Span, SpanKind } from '@opentelemetry/api'
import type { Instrumentation } from './instrumentation.js'
import { loadOptional } from './optional-dependency.js'
import { type Carrier, NO_SPAN, type SpanHandle, type Tracer } from './tracer.js'

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
  /** The tracer of an instrumentation scope, as `@opentelemetry/api`'s TracerProvider gives it. */
  getTracer(name: string, version?: string): unknown
}

/** `messaging.system`: the value the messaging conventions give Redis. */
const MESSAGING_SYSTEM = 'redis'

type Api = typeof OtelApi

/** What the spans use of the API, read once: the module's exports are getters, a call each time. */
type ApiParts = Pick<Api, 'context' | 'trace' | 'propagation' | 'ROOT_CONTEXT' | 'SpanStatusCode'>

function partsOf(api: Api): ApiParts {
  const { context, trace, propagation, ROOT_CONTEXT, SpanStatusCode } = api
  return { context, trace, propagation, ROOT_CONTEXT, SpanStatusCode }
}

/**
 * Spans after the OpenTelemetry messaging conventions: names `{operation} {destination}`
 * ('publish orders', 'process orders', 'send user_service'), with `messaging.system`,
 * `messaging.operation.type` and `.name`, `messaging.destination.name`, and on requests
 * `messaging.message.id` and RPC's `rpc.service` and `rpc.method`. The trace context crosses in
 * the request's `headers` through the global propagator (W3C `traceparent` under the usual SDK).
 */
class OtelSpans implements Tracer {
  readonly #api: ApiParts
  /** The tracer spans start with: the proxy's until an SDK is found behind it, then the SDK's own. */
  #tracer: OtelTracer
  readonly #kind: typeof SpanKind
  /**
   * The global provider while it has no SDK behind it, and the no-op provider it delegates to
   * until one is registered; undefined once an SDK is found (or for a provider given).
   */
  #unregistered: { proxy: OtelApi.ProxyTracerProvider; noop: unknown } | undefined

  constructor(api: Api, provider: TracerProviderLike, global: boolean) {
    this.#api = partsOf(api)
    this.#tracer = provider.getTracer('switchboard') as OtelTracer
    this.#kind = api.SpanKind
    if (global && provider instanceof api.ProxyTracerProvider) {
      // What a proxy with no delegate hands out: the API's one no-op provider, the same for every proxy.
      const noop = new api.ProxyTracerProvider().getDelegate()
      this.#unregistered = { proxy: provider, noop }
      this.#noSdk()
    }
  }

  /**
   * True while the global provider has no SDK behind it. An SDK may be registered after
   * connect(), so until one is, each span asks (one field read); from then on the SDK's tracer is
   * kept and nothing is asked again.
   */
  #noSdk(): boolean {
    const unregistered = this.#unregistered
    if (unregistered === undefined) return false
    if (unregistered.proxy.getDelegate() === unregistered.noop) return true
    this.#tracer = unregistered.proxy.getTracer('switchboard') as OtelTracer
    this.#unregistered = undefined
    return false
  }

  publish(channel: string): SpanHandle {
    const parent = this.#api.context.active()
    if (this.#idle(parent)) return NO_SPAN
    return this.#start(`publish ${channel}`, this.#kind.PRODUCER, parent, {
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'publish',
      'messaging.destination.name': channel,
    })
  }

  deliver(channel: string, pattern: string | undefined): SpanHandle {
    // Plain messages carry no context: whatever is active where they arrive is not theirs. So
    // with no SDK there is nothing to record and nothing to pass on.
    if (this.#noSdk()) return NO_SPAN
    const parent = this.#api.ROOT_CONTEXT
    const attributes: Attributes = {
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': channel,
    }
    // A pattern names the destinations as a template does, and keeps span names few.
    if (pattern !== undefined) attributes['messaging.destination.template'] = pattern
    return this.#start(`process ${pattern ?? channel}`, this.#kind.CONSUMER, parent, attributes)
  }

  request(service: string, action: string, requestId: string, carrier: Carrier): SpanHandle {
    const parent = this.#api.context.active()
    if (this.#idle(parent)) return NO_SPAN
    return this.#inject(
      this.#start(`send ${service}`, this.#kind.CLIENT, parent, {
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'send',
        'messaging.destination.name': service,
        'messaging.message.id': requestId,
        'rpc.service': service,
        'rpc.method': action,
      }),
      carrier,
    )
  }

  handle(
    service: string,
    action: string,
    requestId: string,
    carrier: Readonly<Carrier> | undefined,
  ): SpanHandle {
    const parent = this.#extract(carrier)
    if (this.#idle(parent)) return NO_SPAN
    return this.#start(`process ${service}`, this.#kind.SERVER, parent, {
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': service,
      'messaging.message.id': requestId,
      'rpc.service': service,
      'rpc.method': action,
    })
  }

  produce(topic: string, carrier: Carrier): SpanHandle {
    const parent = this.#api.context.active()
    if (this.#idle(parent)) return NO_SPAN
    return this.#inject(
      this.#start(`publish ${topic}`, this.#kind.PRODUCER, parent, {
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'publish',
        'messaging.destination.name': topic,
      }),
      carrier,
    )
  }

  consume(topic: string, group: string, id: string, carrier: Readonly<Carrier> | undefined): SpanHandle {
    const parent = this.#extract(carrier)
    if (this.#idle(parent)) return NO_SPAN
    return this.#start(`process ${topic}`, this.#kind.CONSUMER, parent, {
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': topic,
      'messaging.consumer.group.name': group,
      'messaging.message.id': id,
    })
  }

  /**
   * Nothing to record and nothing to pass on: no SDK, and no span in the parent context (an
   * incoming trace is passed on even by a process that records nothing). The span is then
   * NO_SPAN, and costs no object, name, context switch or promise callback.
   */
  #idle(parent: Context): boolean {
    // The root context holds no span: no lookup for it (it is what is active with no context manager).
    return (
      this.#noSdk() && (parent === this.#api.ROOT_CONTEXT || this.#api.trace.getSpan(parent) === undefined)
    )
  }

  /**
   * The context a request or entry brought: only what its carrier says. What is active where it
   * arrives (the context its connection was made in, say) has nothing to do with it.
   */
  #extract(carrier: Readonly<Carrier> | undefined): Context {
    const { ROOT_CONTEXT, propagation } = this.#api
    return carrier === undefined ? ROOT_CONTEXT : propagation.extract(ROOT_CONTEXT, carrier)
  }

  #inject(span: SpanHandle, carrier: Carrier): SpanHandle {
    if (span instanceof OtelSpan) this.#api.propagation.inject(span.context, carrier)
    return span
  }

  /** Starts a span; one with no valid context (nothing recorded, nothing to pass on) is NO_SPAN. */
  #start(name: string, kind: SpanKind, parent: Context, attributes: Attributes): SpanHandle {
    attributes['messaging.system'] = MESSAGING_SYSTEM
    const span = this.#tracer.startSpan(name, { kind, attributes }, parent)
    if (!this.#api.trace.isSpanContextValid(span.spanContext())) return NO_SPAN
    return new OtelSpan(this.#api, span, this.#api.trace.setSpan(parent, span))
  }
}

/** A started span and the context in which it is the active one. */
class OtelSpan implements SpanHandle {
  readonly #api: ApiParts
  readonly #span: Span
  readonly context: Context

  constructor(api: ApiParts, span: Span, context: Context) {
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
 * publish, deliver (subscription handlers), request, handle, and durable publish and consume, with
 * the trace context carried in request headers and durable entries' headers, so that one trace
 * runs from a caller through the services it calls, the calls they make and the durable consumers
 * of what they publish. Needs `@opentelemetry/api`, an optional peer dependency (it throws
 * MissingDependencyError naming the npm command when missing), and an SDK for spans to be kept.
 */
export function openTelemetryTracing(options: OpenTelemetryTracingOptions = {}): Partial<Instrumentation> {
  const api = loadOptional<Api>('@opentelemetry/api', 'openTelemetryTracing()')
  const given = options.tracerProvider
  const tracer: Tracer = new OtelSpans(api, given ?? api.trace.getTracerProvider(), given === undefined)
  return { tracer }
}
