import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { rawCodec } from '../../src/codec/raw.js'
import type { TopicMessage } from '../../src/durable/entry.js'
import type { Topic } from '../../src/durable/topic.js'
import { openTelemetryTracing } from '../../src/observe/open-telemetry-tracing.js'
import { RedisServer, redisServerBinary } from '../helpers/redis-server.js'
import { deferred, uniq, until, withTimeout } from '../helpers/wait.js'
import { recordingLogger } from '../rpc/harness.js'

const exporter = new InMemorySpanExporter()
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })

beforeAll(() => {
  trace.setGlobalTracerProvider(provider)
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())
})
afterAll(() => {
  trace.disable()
  context.disable()
  propagation.disable()
})

function spanNamed(name: string): ReadableSpan {
  const found = exporter.getFinishedSpans().filter((span) => span.name === name)
  if (found.length !== 1) throw new Error(`expected one span "${name}", found ${found.length}`)
  return found[0] as ReadableSpan
}

async function readAll<T>(topic: Topic<T>): Promise<TopicMessage<T>[]> {
  const entries: TopicMessage<T>[] = []
  for await (const msg of topic.read({ from: '0' })) entries.push(msg)
  return entries
}

function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId
}

/** Each span is the child of the one before it, all in one trace; returns the trace id. */
function expectOneChain(chain: readonly ReadableSpan[]): string {
  for (let i = 1; i < chain.length; i++) {
    expect(parentOf(chain[i] as ReadableSpan), `${chain[i]?.name} is a child of ${chain[i - 1]?.name}`).toBe(
      chain[i - 1]?.spanContext().spanId,
    )
  }
  const traceId = chain[0]?.spanContext().traceId
  for (const span of chain) expect(span.spanContext().traceId).toBe(traceId)
  return traceId as string
}

const TRANSPORTS: { name: string; redis: boolean }[] = [
  { name: 'the embedded broker', redis: false },
  ...(redisServerBinary ? [{ name: 'Redis', redis: true }] : []),
]

describe.each(TRANSPORTS)('openTelemetryTracing() on $name', ({ redis }) => {
  let server: RedisServer | undefined
  let url: string
  let buses: Bus[] = []
  beforeAll(async () => {
    if (redis) server = await RedisServer.start()
  })
  afterAll(async () => {
    await server?.stop()
  })
  beforeEach(() => {
    url = server ? server.url : `memory://${uniq('trace')}`
    exporter.reset()
  })
  afterEach(async () => {
    await Promise.allSettled(buses.map((bus) => bus.close()))
    buses = []
  })

  async function bus(traced = true): Promise<Bus> {
    const made = await connect({
      url,
      logger: recordingLogger(),
      instrumentation: traced ? openTelemetryTracing() : undefined,
    })
    buses.push(made)
    return made
  }

  it('one trace crosses caller → service → a nested call from its handler → a publish, with the context in request headers', async () => {
    const [front, back, audit] = [uniq('front'), uniq('back'), uniq('audit')]
    const [callerBus, frontBus, backBus, auditBus] = [await bus(), await bus(), await bus(), await bus()]
    // An untraced listener on every channel of the front service sees the request as it travels.
    const wire = deferred<Record<string, unknown>>()
    await (await bus(false)).subscribe(`${front}*`, (raw: unknown) => wire.resolve(JSON.parse(String(raw))), {
      codec: rawCodec,
    })
    const audited = deferred<void>()
    await auditBus.subscribe(audit, () => audited.resolve())
    await backBus
      .service(back)
      .action('work', async (n: number) => {
        await backBus.publish(audit, { n })
        return n * 2
      })
      .start()
    await frontBus
      .service(front)
      .action('go', (n: number) => frontBus.caller(back).request('work', n + 1))
      .start()

    const tracer = trace.getTracer('test')
    const result = await tracer.startActiveSpan('test root', async (root) => {
      try {
        return await callerBus.caller(front).request('go', 1)
      } finally {
        root.end()
      }
    })
    expect(result).toBe(4)
    await withTimeout(audited.promise, 'the audit message')
    await until(() => exporter.getFinishedSpans().length >= 7, 'seven spans')

    const root = spanNamed('test root')
    const sendFront = spanNamed(`send ${front}`)
    const processFront = spanNamed(`process ${front}`)
    const sendBack = spanNamed(`send ${back}`)
    const processBack = spanNamed(`process ${back}`)
    const publishAudit = spanNamed(`publish ${audit}`)
    const processAudit = spanNamed(`process ${audit}`)
    const chain = [root, sendFront, processFront, sendBack, processBack, publishAudit]
    const traceId = expectOneChain(chain)

    expect([sendFront.kind, processFront.kind, publishAudit.kind, processAudit.kind]).toEqual([
      SpanKind.CLIENT,
      SpanKind.SERVER,
      SpanKind.PRODUCER,
      SpanKind.CONSUMER,
    ])
    expect(sendFront.attributes).toMatchObject({
      'messaging.system': 'redis',
      'messaging.operation.type': 'send',
      'messaging.destination.name': front,
      'rpc.service': front,
      'rpc.method': 'go',
    })
    expect(typeof sendFront.attributes['messaging.message.id']).toBe('string')
    expect(processFront.attributes).toMatchObject({
      'messaging.system': 'redis',
      'messaging.operation.type': 'process',
      'messaging.destination.name': front,
      'messaging.message.id': sendFront.attributes['messaging.message.id'],
      'rpc.method': 'go',
    })
    expect(processAudit.attributes).toMatchObject({
      'messaging.system': 'redis',
      'messaging.operation.type': 'process',
      'messaging.destination.name': audit,
    })
    for (const span of chain.slice(1)) expect(span.status.code).not.toBe(SpanStatusCode.ERROR)

    // On the wire: Daebus' keys as ever, and the W3C trace context of the caller's span in `headers`.
    const envelope = await withTimeout(wire.promise, 'the request on the wire')
    expect(envelope).toMatchObject({ action: 'go', payload: 1, service: front })
    expect(envelope.headers).toEqual({
      traceparent: `00-${traceId}-${sendFront.spanContext().spanId}-01`,
    })
  })

  it('one trace crosses caller → service → a nested call → a durable consumer, with the context in the entry headers', async () => {
    const [front, back, orders] = [uniq('front'), uniq('back'), uniq('orders')]
    const [callerBus, frontBus, backBus, consumerBus] = [await bus(), await bus(), await bus(), await bus()]
    const consumed = deferred<Readonly<Record<string, string>>>()
    await consumerBus
      .topic<{ n: number }>(orders)
      .consume('billing', (_order, msg) => consumed.resolve(msg.headers))
    const topic = backBus.topic<{ n: number }>(orders)
    await backBus
      .service(back)
      .action('work', async (n: number) => {
        await topic.publish({ n }, { headers: { tenant: 'acme' } })
        return n * 2
      })
      .start()
    await frontBus
      .service(front)
      .action('go', (n: number) => frontBus.caller(back).request('work', n + 1))
      .start()

    const result = await trace.getTracer('test').startActiveSpan('test root', async (root) => {
      try {
        return await callerBus.caller(front).request('go', 1)
      } finally {
        root.end()
      }
    })
    expect(result).toBe(4)
    const headers = await withTimeout(consumed.promise, 'the durable entry consumed')
    await until(() => exporter.getFinishedSpans().length >= 7, 'seven spans')

    const root = spanNamed('test root')
    const publish = spanNamed(`publish ${orders}`)
    const consume = spanNamed(`process ${orders}`)
    const chain = [
      root,
      spanNamed(`send ${front}`),
      spanNamed(`process ${front}`),
      spanNamed(`send ${back}`),
      spanNamed(`process ${back}`),
      publish,
      consume,
    ]
    const traceId = expectOneChain(chain)
    expect([publish.kind, consume.kind]).toEqual([SpanKind.PRODUCER, SpanKind.CONSUMER])
    expect(publish.attributes).toMatchObject({
      'messaging.system': 'redis',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'publish',
      'messaging.destination.name': orders,
    })
    const [entry] = await readAll(topic)
    expect(consume.attributes).toMatchObject({
      'messaging.system': 'redis',
      'messaging.operation.type': 'process',
      'messaging.destination.name': orders,
      'messaging.consumer.group.name': 'billing',
      'messaging.message.id': entry?.id,
    })
    // The entry carries the publish span's context next to the caller's own headers.
    const traceparent = `00-${traceId}-${publish.spanContext().spanId}-01`
    expect(headers).toEqual({ tenant: 'acme', traceparent })
    expect(entry?.headers).toEqual({ tenant: 'acme', traceparent })
  })

  it("a durable entry with no trace context (an old one, or a Python producer's) starts a trace of its own", async () => {
    const orders = uniq('orders')
    const [producer, consumer] = [await bus(false), await bus()]
    const failed = deferred<void>()
    await consumer.topic(orders).consume(
      'billing',
      () => {
        failed.resolve()
        throw new Error('declined')
      },
      { maxAttempts: 1 },
    )
    await producer.topic(orders).publish({ n: 1 })
    await withTimeout(failed.promise, 'the handler')
    await until(() => exporter.getFinishedSpans().length >= 1, 'one span')
    const consume = spanNamed(`process ${orders}`)
    expect(parentOf(consume)).toBeUndefined()
    expect(consume.status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'declined' })
    const [entry] = await readAll(producer.topic(orders))
    expect(entry?.headers).toEqual({})
  })

  it('a failed request marks both its spans as errors, with the error type', async () => {
    const svc = uniq('svc')
    const [callerBus, serviceBus] = [await bus(), await bus()]
    await serviceBus
      .service(svc)
      .action('boom', () => {
        throw Object.assign(new Error('no stock'), { code: 'E_STOCK' })
      })
      .start()
    await expect(callerBus.caller(svc).request('boom', {})).rejects.toThrow('no stock')
    await until(() => exporter.getFinishedSpans().length >= 2, 'two spans')
    const send = spanNamed(`send ${svc}`)
    const processed = spanNamed(`process ${svc}`)
    expect(send.status).toMatchObject({ code: SpanStatusCode.ERROR })
    expect(send.attributes['error.type']).toBe('REMOTE')
    expect(processed.status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'no stock' })
    expect(processed.attributes['error.type']).toBe('E_STOCK')
    expect(parentOf(processed)).toBe(send.spanContext().spanId)
  })
})
