/**
 * What each instrumentation call costs by itself, in ns: the spans openTelemetryTracing() begins
 * with no SDK registered (all of them no-ops), and the events prometheusMetrics() counts, each
 * called 2,000,000 times in a loop after as many to warm up, with a clock read for scale. The
 * layers make these calls once per message or request (an RPC: request, handle, called, handled,
 * load twice, a publish and a delivery at each end).
 *
 *   npx tsx bench/observe-call-cost.ts
 *
 * Run it on two trees to see what a change saves. Prints only.
 */
import { openTelemetryTracing, prometheusMetrics, type Tracer } from '../src/index.js'

const N = 2_000_000
const tracer = openTelemetryTracing().tracer as Tracer
const metrics = prometheusMetrics()

function time(name: string, call: () => unknown): void {
  for (let i = 0; i < N; i++) call()
  const start = process.hrtime.bigint()
  for (let i = 0; i < N; i++) call()
  const ns = Number(process.hrtime.bigint() - start) / N
  console.log(`  ${name.padEnd(32)} ${ns.toFixed(1).padStart(6)} ns`)
}

console.log('tracing, no SDK registered:')
time('publish', () => tracer.publish('orders.eu'))
time('deliver', () => tracer.deliver('orders.eu', undefined))
time('request (and its carrier)', () => tracer.request('svc', 'echo', 'id', {}))
time('handle, no headers', () => tracer.handle('svc', 'echo', 'id', undefined))
time('handle, headers {}', () => tracer.handle('svc', 'echo', 'id', {}))
time('produce', () => tracer.produce('orders', {}))
time('consume', () => tracer.consume('orders', 'billing', '1-0', {}))
console.log('metrics:')
time('published', () => metrics.published('orders.eu', 1))
time('delivered', () => metrics.delivered('orders.eu', undefined))
time('called (0.3 ms)', () => metrics.called('svc', 'echo', 'success', 0.3))
time('handled (0.3 ms)', () => metrics.handled('svc', 'echo', 'success', 0.3))
time('load', () => metrics.load('svc', 'instance', 3, 0))
time('consumed (0.3 ms)', () => metrics.consumed('orders', 'billing', 'acked', 0.3))
console.log('for scale:')
time('performance.now()', () => performance.now())
