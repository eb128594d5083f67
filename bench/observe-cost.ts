/**
 * What metrics and tracing (no SDK registered) cost per operation, in one process on the
 * embedded broker (memory://), so that no Redis round trip or scheduling of other processes
 * hides it: publish with no subscriber, an RPC echo (caller and service on one bus), a durable
 * publish, and a durable publish consumed with acknowledgement. One bus per mode, taking turns
 * in slices of a round; per operation it prints the median over rounds of each mode's CPU time,
 * and the median over rounds of its ratio to none in the same round.
 *
 *   npx tsx bench/observe-cost.ts [--ops 20000] [--rounds 5] [--only publish,rpc,produce,consume]
 *     [--modes none,metrics,tracing]   (one mode alone, under node --cpu-prof, to profile it)
 *
 * Run it on two trees (with and without a change) to see what the change saves. Prints only.
 */
import { type Bus, connect, openTelemetryTracing, prometheusMetrics } from '../src/index.js'
import { median } from './lib/stats.js'

const args = process.argv.slice(2)
const option = (name: string, fallback: string): string => {
  const at = args.indexOf(`--${name}`)
  return at >= 0 ? (args[at + 1] ?? fallback) : fallback
}
const OPS = Number(option('ops', '20000'))
const ROUNDS = Number(option('rounds', '5'))
const WAVE = 500
const payload = { id: 1, customer: 'c-42', items: ['a', 'b', 'c'], total: 99.5, currency: 'EUR' }

const ALL_MODES = ['none', 'metrics', 'tracing'] as const
type Mode = (typeof ALL_MODES)[number]
const MODES = option('modes', ALL_MODES.join(',')).split(',') as Mode[]
for (const mode of MODES)
  if (!ALL_MODES.includes(mode)) throw new Error(`unknown mode ${mode}: ${ALL_MODES.join(', ')}`)

function instrumentation(mode: Mode) {
  if (mode === 'metrics') return { instrumentation: prometheusMetrics() }
  if (mode === 'tracing') return { instrumentation: openTelemetryTracing() }
  return {}
}

/** Runs `ops` operations in waves of WAVE in flight. */
async function waves(ops: number, one: () => Promise<unknown>): Promise<void> {
  for (let done = 0; done < ops; done += WAVE) {
    await Promise.all(Array.from({ length: Math.min(WAVE, ops - done) }, one))
  }
}

/**
 * Sets a case up on a bus for one round (durable cases take a fresh topic, so that no stream
 * grows from round to round); the function it returns does `n` operations and resolves when
 * they are done.
 */
type Case = (bus: Bus, round: number) => Promise<Runner>

/** Does `n` operations, resolving when they are done; stop() ends what the round set up. */
type Runner = ((n: number) => Promise<void>) & { stop?: () => Promise<void> }

const CASES: Record<string, Case> = {
  publish: async (bus) => (n) => waves(n, () => bus.publish('orders.eu', payload)),
  rpc: async (bus, round) => {
    const service = bus.service(`echo${round}`, { concurrency: 1024 })
    service.action('echo', (data: unknown) => data)
    await service.start()
    const caller = bus.caller(`echo${round}`)
    const run: Runner = (n) => waves(n, () => caller.request('echo', payload))
    run.stop = () => service.stop()
    return run
  },
  produce: async (bus, round) => {
    const topic = bus.topic<typeof payload>(`orders${round}`)
    return (n) => waves(n, () => topic.publish(payload))
  },
  consume: async (bus, round) => {
    const topic = bus.topic<typeof payload>(`orders${round}`)
    let handled = 0
    let wanted = 0
    let done: () => void = () => undefined
    const consumer = await topic.consume(
      'billing',
      () => {
        handled += 1
        if (handled === wanted) done()
      },
      { concurrency: 100 },
    )
    const run: Runner = async (n) => {
      wanted = handled + n
      const all = new Promise<void>((resolve) => {
        done = resolve
      })
      await waves(n, () => topic.publish(payload))
      await all
    }
    run.stop = () => consumer.stop()
    return run
  },
}

/**
 * One bus per mode, all open at once, taking turns slice by slice (one wave each, their order
 * turned every time): a change in the machine's load hits every mode alike. Returns each
 * round's CPU µs per operation, by mode.
 */
async function measure(name: string): Promise<Record<Mode, number[]>> {
  // Slices of one wave: a millisecond or so, so that a busy moment of the machine (another
  // process on this core's sibling) falls on every mode alike.
  const slice = WAVE
  const slices = Math.ceil(OPS / slice)
  const runs = Object.fromEntries(MODES.map((mode) => [mode, [] as number[]])) as Record<Mode, number[]>
  const buses: Bus[] = []
  try {
    const bus: Partial<Record<Mode, Bus>> = {}
    for (const mode of MODES) {
      bus[mode] = await connect({ url: `memory://observe-cost-${mode}-${name}`, ...instrumentation(mode) })
      buses.push(bus[mode] as Bus)
    }
    // Round 0 is a warm-up (JIT, the first entries of a topic): not counted.
    for (let round = 0; round <= ROUNDS; round++) {
      const run: Partial<Record<Mode, Runner>> = {}
      for (const mode of MODES) run[mode] = await (CASES[name] as Case)(bus[mode] as Bus, round)
      const cpu = Object.fromEntries(MODES.map((mode) => [mode, 0])) as Record<Mode, number>
      for (let i = 0; i < slices; i++) {
        for (let m = 0; m < MODES.length; m++) {
          const mode = MODES[(m + i + round) % MODES.length] as Mode
          const before = process.cpuUsage()
          await (run[mode] as Runner)(slice)
          const used = process.cpuUsage(before)
          cpu[mode] += used.user + used.system
        }
      }
      if (round > 0) for (const mode of MODES) runs[mode].push(cpu[mode] / (slice * slices))
      for (const mode of MODES) await run[mode]?.stop?.()
    }
  } finally {
    await Promise.all(buses.map((bus) => bus.close()))
  }
  return runs
}

const only = option('only', Object.keys(CASES).join(',')).split(',')
console.log(`${OPS} operations a round, ${ROUNDS} rounds a mode, CPU µs per operation (medians):`)
for (const name of only) {
  if (!(name in CASES)) throw new Error(`unknown case ${name}: ${Object.keys(CASES).join(', ')}`)
  const runs = await measure(name)
  const none = runs.none
  const cells = MODES.map((mode) => {
    const value = median(runs[mode])
    // The ratio is taken per round (the modes of one round ran side by side), then the median.
    const ratio =
      mode === 'none' || none === undefined || none.length === 0
        ? ''
        : ` (${median(runs[mode].map((v, i) => v / (none[i] as number))).toFixed(3)}×)`
    return `${mode} ${value.toFixed(2)}${ratio}`
  })
  console.log(
    `  ${name.padEnd(8)} ${cells.join(', ')}; rounds: ${MODES.map((m) => runs[m].map((v) => v.toFixed(2)).join(' ')).join(' / ')}`,
  )
}
