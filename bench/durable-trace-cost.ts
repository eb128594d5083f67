/**
 * What tracing costs durable topics when it records nothing: topic.publish and a consumer's
 * handling of the same entries on the embedded broker (so that no Redis round trip hides it),
 * with no instrumentation and with openTelemetryTracing() and no SDK registered, in alternating
 * rounds. Per entry it prints the CPU time and the bytes allocated on the V8 heap (from
 * v8.GCProfiler: what each collection found in use, less what the previous one left).
 *
 *   npx tsx bench/durable-trace-cost.ts [--entries 20000] [--rounds 6]
 *
 * Run it on two trees (with and without a change) to see what the change adds. Prints only.
 */
import { GCProfiler, getHeapStatistics } from 'node:v8'
import { connect, openTelemetryTracing } from '../src/index.js'
import { median } from './lib/stats.js'

const args = process.argv.slice(2)
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(`--${name}`)
  return at >= 0 ? Number(args[at + 1] ?? fallback) : fallback
}
const ENTRIES = option('entries', 20_000)
const ROUNDS = option('rounds', 6)
const WAVE = 500

/** Bytes allocated on the heap while `work` runs: the growth of used heap, collections added back. */
async function allocatedBy(work: () => Promise<void>): Promise<number> {
  const profiler = new GCProfiler()
  profiler.start()
  const start = getHeapStatistics().used_heap_size
  await work()
  const end = getHeapStatistics().used_heap_size
  let allocated = 0
  let previous = start
  for (const gc of profiler.stop()?.statistics ?? []) {
    allocated += gc.beforeGC.heapStatistics.usedHeapSize - previous
    previous = gc.afterGC.heapStatistics.usedHeapSize
  }
  return allocated + end - previous
}

/** Publishes ENTRIES in waves and waits for one consumer to have handled them all. */
async function round(traced: boolean): Promise<{ cpuUs: number; bytes: number }> {
  const bus = await connect({
    url: `memory://durable-trace-cost-${Math.random()}`,
    ...(traced ? { instrumentation: openTelemetryTracing() } : {}),
  })
  const topic = bus.topic<{ n: number }>('orders')
  let handled = 0
  let done!: () => void
  const all = new Promise<void>((resolve) => {
    done = resolve
  })
  await topic.consume(
    'billing',
    () => {
      handled += 1
      if (handled === ENTRIES) done()
    },
    { concurrency: 100 },
  )
  const cpu = process.cpuUsage()
  const bytes = await allocatedBy(async () => {
    for (let sent = 0; sent < ENTRIES; sent += WAVE) {
      await Promise.all(Array.from({ length: WAVE }, (_, i) => topic.publish({ n: sent + i })))
    }
    await all
  })
  const cpuUs = process.cpuUsage(cpu)
  await bus.close()
  return { cpuUs: cpuUs.user + cpuUs.system, bytes }
}

const results: Record<'none' | 'tracing', { cpuUs: number; bytes: number }[]> = { none: [], tracing: [] }
await round(false) // warm-up: JIT, the broker's first topic
for (let i = 0; i < ROUNDS; i++) {
  for (const traced of i % 2 === 0 ? [false, true] : [true, false]) {
    results[traced ? 'tracing' : 'none'].push(await round(traced))
  }
}
console.log(`${ENTRIES} entries published and consumed per round, ${ROUNDS} rounds a mode, medians:`)
for (const [mode, list] of Object.entries(results)) {
  const cpu = median(list.map((r) => r.cpuUs / ENTRIES))
  const bytes = median(list.map((r) => r.bytes / ENTRIES))
  console.log(
    `  ${mode.padEnd(8)} ${cpu.toFixed(2)} µs CPU/entry, ${Math.round(bytes)} bytes/entry; rounds: ` +
      list.map((r) => `${(r.cpuUs / ENTRIES).toFixed(1)} µs ${Math.round(r.bytes / ENTRIES)} B`).join(', '),
  )
}
