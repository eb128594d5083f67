import { runRole } from '../lib/role-process.js'
import { median, rate, ratio } from '../lib/stats.js'
import type { RateResult } from '../lib/timed-waves.js'
import { consumeRun, PUBLISH_MAX_LEN, WAVE } from './durable.js'
import { LEVELS, rpcRun } from './rpc.js'
import { append, medianRatio, type SectionContext, type SectionDef } from './section.js'

/** What BENCH_OBSERVE each mode gives the roles: nothing, metrics, tracing with no SDK registered. */
const MODES = { off: '', metrics: 'metrics', tracing: 'tracing' } as const
type Mode = keyof typeof MODES
const MODE_NAMES = Object.keys(MODES) as Mode[]

/**
 * Entries the durable consume row times per run (times ctx.size), after a warm-up of its own:
 * without one, a third of a second of consuming is mostly JIT, and the code that metrics or
 * tracing add to compile shows as a cost per message it does not have.
 */
const CONSUME_COUNT = 30_000
const CONSUME_WARMUP = 10_000

/** One row's figure per run, by mode. */
type Figures = Record<string, number[]>

/**
 * One row's rates (msgs/s or req/s) and the CPU per message or request of the processes that
 * carry the instrumentation, in µs: the publisher, the producer or the consumer; for RPC the
 * caller plus the service (also kept apart, as caller and service).
 */
interface Row {
  rate: Figures
  cpu: Figures
  caller?: Figures
  service?: Figures
}

/** Each measurement of one run in one mode: switchboard's publish, RPC, durable publish and consume rows. */
async function measure(ctx: SectionContext, mode: Mode, run: number, into: Record<string, Row>) {
  const env = { BENCH_OBSERVE: MODES[mode] }
  const url = ctx.redis.url
  const add = (row: string, value: number, cpu: number, parts?: { caller: number; service: number }) => {
    into[row] ??= { rate: {}, cpu: {}, ...(parts ? { caller: {}, service: {} } : {}) }
    const figures = into[row] as Row
    append(figures.rate, mode, value)
    append(figures.cpu, mode, cpu)
    if (parts && figures.caller && figures.service) {
      append(figures.caller, mode, parts.caller)
      append(figures.service, mode, parts.service)
    }
  }
  ctx.progress.step(`observe ${mode}: publish (run ${run + 1})`)
  const published = await runRole<RateResult>(
    'publish',
    {
      url,
      impl: 'switchboard',
      channel: 'bench:observe',
      warmupMs: Math.round(500 * ctx.size),
      durationMs: Math.round(1500 * ctx.size),
      wave: 1000,
    },
    { env },
  )
  add('publish msgs/s', published.msgsPerSec, published.clientCpu)
  ctx.progress.step(`observe ${mode}: rpc (run ${run + 1})`)
  const rpc = await rpcRun(url, 'switchboard', Math.round(400 * ctx.size), Math.round(1500 * ctx.size), {
    env,
  })
  rpc.levels.forEach((level, i) => {
    const service = rpc.serviceCpuByLevel[i] ?? Number.NaN
    add(`rpc req/s, ${level.inFlight} in flight`, level.reqPerSec, level.cpu + service, {
      caller: level.cpu,
      service,
    })
  })
  ctx.progress.step(`observe ${mode}: durable (run ${run + 1})`)
  const name = `bench-observe-${mode}-${process.pid}-${run}`
  const durable = await runRole<RateResult>(
    'durable-publish',
    {
      url,
      impl: 'switchboard',
      name: `${name}-publish`,
      maxLen: PUBLISH_MAX_LEN,
      wave: WAVE,
      warmupMs: Math.round(300 * ctx.size),
      durationMs: Math.round(1000 * ctx.size),
    },
    { env },
  )
  add('durable publish msgs/s', durable.msgsPerSec, durable.clientCpu)
  const consumed = await consumeRun(
    url,
    'switchboard',
    `${name}-consume`,
    Math.round(CONSUME_COUNT * ctx.size),
    { env },
    Math.round(CONSUME_WARMUP * ctx.size),
  )
  add('durable consume msgs/s', consumed.msgsPerSec, consumed.clientCpu)
}

/**
 * The cost of observing, for issue 14: switchboard's publish, RPC and durable rows run with no
 * instrumentation, with prometheusMetrics() and with openTelemetryTracing() (no SDK registered),
 * interleaved run by run, and each shown as a ratio to the same row with nothing.
 */
export const observeSection: SectionDef = {
  name: 'observe',
  steps: (o) => o.runs * MODE_NAMES.length * 3,
  async run(ctx) {
    const rows: Record<string, Row> = {}
    for (let run = 0; run < ctx.options.runs; run++) {
      // The order turns each run, so that no mode always goes first (a cold Redis, say).
      const turned = MODE_NAMES.map((_, i) => MODE_NAMES[(i + run) % MODE_NAMES.length] as Mode)
      for (const mode of turned) await measure(ctx, mode, run, rows)
    }
    const order = [
      'publish msgs/s',
      ...LEVELS.map((level) => `rpc req/s, ${level} in flight`),
      'durable publish msgs/s',
      'durable consume msgs/s',
    ]
    const summary = (figures: Figures | undefined) => {
      const off = figures?.off ?? []
      const of = (mode: Mode) => figures?.[mode] ?? []
      return {
        off: median(off),
        metrics: median(of('metrics')),
        metricsRatio: medianRatio(of('metrics'), off),
        tracing: median(of('tracing')),
        tracingRatio: medianRatio(of('tracing'), off),
        // The least disturbed run of each mode: load on a shared machine only ever adds CPU.
        metricsBest: Math.min(...of('metrics')) / Math.min(...off),
        tracingBest: Math.min(...of('tracing')) / Math.min(...off),
      }
    }
    const data = order.map((row) => {
      const figures = rows[row]
      return {
        row,
        runs: figures?.rate ?? {},
        cpuRuns: figures?.cpu ?? {},
        ...summary(figures?.rate),
        cpu: summary(figures?.cpu),
        ...(figures?.caller
          ? { callerCpu: summary(figures.caller), serviceCpu: summary(figures.service) }
          : {}),
      }
    })
    const micros = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : '—')
    const spread = (figures: Figures, show: (value: number) => string) =>
      MODE_NAMES.map((mode) => (figures[mode] ?? []).map(show).join(' ')).join(' / ')
    return {
      title: 'The cost of observing: switchboard rows with metrics, and with tracing (no SDK), over none',
      table: [
        [
          'row',
          'none',
          'metrics',
          '× none',
          'tracing',
          '× none',
          'µs/msg none',
          'metrics',
          '× none',
          'tracing',
          '× none',
          'least µs/msg: metrics, tracing × none',
          'rates (none / metrics / tracing)',
          'µs/msg (none / metrics / tracing)',
        ],
        ...data.map((r) => [
          r.row,
          rate(r.off),
          rate(r.metrics),
          ratio(r.metricsRatio),
          rate(r.tracing),
          ratio(r.tracingRatio),
          micros(r.cpu.off),
          micros(r.cpu.metrics),
          ratio(r.cpu.metricsRatio),
          micros(r.cpu.tracing),
          ratio(r.cpu.tracingRatio),
          `${ratio(r.cpu.metricsBest)} ${ratio(r.cpu.tracingBest)}`,
          spread(r.runs, rate),
          spread(r.cpuRuns, (v) => v.toFixed(v < 10 ? 2 : 1)),
        ]),
      ],
      notes: [
        'metrics: prometheusMetrics() on the global registry (never scraped); tracing: openTelemetryTracing() with no SDK registered.',
        '× none: per run, the row with it over the same row without (modes interleaved, their order turned each run); median over runs.',
        'µs/msg: CPU time per message or request of the instrumented processes: the publisher, the producer, the consumer;',
        "for RPC the caller plus the service, each over the level's measured window. Its × none above 1.00× is the cost (1.05× = 5 % more CPU).",
        'least µs/msg: the lowest µs/msg of any run with it over the lowest without (load on a shared machine only adds CPU).',
        'Rates swing with the load of a shared machine; CPU per message less: read the cost from µs/msg × none, and the least.',
        'Goal (issue 14): metrics ≥ 0.95× on publish and RPC (rates), i.e. ≤ 1.05× µs/msg.',
      ],
      data,
    }
  },
}
