import { afterEach, expect, it } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { rawCodec } from '../../src/codec/raw.js'
import { openTelemetryTracing } from '../../src/observe/open-telemetry-tracing.js'
import { deferred, uniq, withTimeout } from '../helpers/wait.js'

let buses: Bus[] = []
afterEach(async () => {
  await Promise.allSettled(buses.map((bus) => bus.close()))
  buses = []
})

it('with no OpenTelemetry SDK registered, tracing sends no headers, and requests, publishes and handlers work as ever', async () => {
  const url = `memory://${uniq('no-sdk')}`
  const open = async (traced: boolean) => {
    const bus = await connect({ url, instrumentation: traced ? openTelemetryTracing() : undefined })
    buses.push(bus)
    return bus
  }
  const [traced, plain] = [await open(true), await open(false)]
  const svc = uniq('svc')
  const wire = deferred<Record<string, unknown>>()
  await plain.subscribe(`${svc}*`, (raw: unknown) => wire.resolve(JSON.parse(String(raw))), {
    codec: rawCodec,
  })
  await traced
    .service(svc)
    .action('twice', (n: number) => n * 2)
    .start()
  const heard = deferred<unknown>()
  await traced.subscribe('news', (data) => heard.resolve(data))
  expect(await traced.caller(svc).request('twice', 21)).toBe(42)
  await traced.caller(svc).send('twice', 1)
  expect(await traced.publish('news', 'hi')).toBe(1)
  expect(await withTimeout(heard.promise, 'the message')).toBe('hi')
  const envelope = await withTimeout(wire.promise, 'the request on the wire')
  expect(envelope).toMatchObject({ action: 'twice', payload: 21 })
  expect('headers' in envelope).toBe(false)
})

it('with no OpenTelemetry SDK registered, a traced durable topic stores no trace context and consumes as ever', async () => {
  const bus = await connect({ url: `memory://${uniq('no-sdk')}`, instrumentation: openTelemetryTracing() })
  buses.push(bus)
  const topic = bus.topic<number>(uniq('orders'))
  const seen = deferred<Readonly<Record<string, string>>>()
  await topic.consume('billing', (_n, msg) => seen.resolve(msg.headers))
  await topic.publish(1, { headers: { tenant: 'acme' } })
  await topic.publish(2)
  expect(await withTimeout(seen.promise, 'the entry consumed')).toEqual({ tenant: 'acme' })
  const stored: Readonly<Record<string, string>>[] = []
  for await (const msg of topic.read({ from: '0' })) stored.push(msg.headers)
  // The caller's headers as given, and none at all (no `headers` field) for the entry without.
  expect(stored).toEqual([{ tenant: 'acme' }, {}])
})
