import { context, propagation, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { afterAll, expect, it } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { openTelemetryTracing } from '../../src/observe/open-telemetry-tracing.js'
import { uniq, until } from '../helpers/wait.js'

// A file of its own: the SDK is registered globally partway through, after the buses exist.
const buses: Bus[] = []
afterAll(async () => {
  await Promise.allSettled(buses.map((bus) => bus.close()))
  trace.disable()
  context.disable()
  propagation.disable()
})

it('an SDK registered after the bus was made (and after it made requests untraced) still gets its spans', async () => {
  const url = `memory://${uniq('late-sdk')}`
  const open = async () => {
    const bus = await connect({ url, instrumentation: openTelemetryTracing() })
    buses.push(bus)
    return bus
  }
  const [callerBus, serviceBus] = [await open(), await open()]
  const svc = uniq('svc')
  const orders = uniq('orders')
  const topic = serviceBus.topic<number>(orders)
  const consumed: Readonly<Record<string, string>>[] = []
  await topic.consume('billing', (_n, msg) => {
    consumed.push(msg.headers)
  })
  await serviceBus
    .service(svc)
    .action('twice', async (n: number) => {
      await topic.publish(n)
      return n * 2
    })
    .start()
  // Untraced while no SDK is there: the entry published by the handler carries no context.
  expect(await callerBus.caller(svc).request('twice', 1)).toBe(2)
  await until(() => consumed.length === 1, 'the first entry consumed')
  expect(consumed[0]).toEqual({})

  const exporter = new InMemorySpanExporter()
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  )
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())

  expect(await callerBus.caller(svc).request('twice', 2)).toBe(4)
  await until(() => consumed.length === 2, 'the second entry consumed')
  const names = [`send ${svc}`, `process ${svc}`, `publish ${orders}`, `process ${orders}`]
  await until(
    () => names.every((name) => exporter.getFinishedSpans().some((span) => span.name === name)),
    'the spans of the request, its handler and the entry',
  )
  const spans = names.map((name) => exporter.getFinishedSpans().find((span) => span.name === name))
  // One trace from the caller to the durable consumer, its context stored with the entry.
  const traceId = spans[0]?.spanContext().traceId
  for (const span of spans) expect(span?.spanContext().traceId).toBe(traceId)
  expect(consumed[1]?.traceparent).toContain(traceId)
})
