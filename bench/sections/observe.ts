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

/** Entries the durable consume row takes per run (times ctx.size). */
const CONSUME_COUNT = 20_000

/** One row's figure (msgs/s or req/s) per run, by mode. */
type Figures = Record<string, number[]>

/** Each measurement of one run in one mode: switchboard's publish, RPC, durable publish and consume rows. */
async function measure(ctx: SectionContext, mode: Mode, run: number, into: Record<string, Figures>) {
  const env = { BENCH_OBSERVE: MODES[mode] }
  const url = ctx.redis.url
  const add = (row: string, value: number) => {
    into[row] ??= {}
    append(into[row] as Figures, mode, value)
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
  add('publish msgs/s', published.msgsPerSec)
  ctx.progress.step(`observe ${mode}: rpc (run ${run + 1})`)
  const rpc = await rpcRun(url, 'switchboard', Math.round(400 * ctx.size), Math.round(1500 * ctx.size), {
    env,
  })
  for (const level of rpc.levels) add(`rpc req/s, ${level.inFlight} in flight`, level.reqPerSec)
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
  add('durable publish msgs/s', durable.msgsPerSec)
  const consumed = await consumeRun(
    url,
    'switchboard',
    `${name}-consume`,
    Math.round(CONSUME_COUNT * ctx.size),
    { env },
  )
  add('durable consume msgs/s', consumed.msgsPerSec)
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
    const rows: Record<string, Figures> = {}
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
    const data = order.map((row) => {
      const figures = rows[row] ?? {}
      const off = figures.off ?? []
      return {
        row,
        runs: figures,
        off: median(off),
        metrics: median(figures.metrics ?? []),
        metricsRatio: medianRatio(figures.metrics ?? [], off),
        tracing: median(figures.tracing ?? []),
        tracingRatio: medianRatio(figures.tracing ?? [], off),
      }
    })
    return {
      title: 'The cost of observing: switchboard rows with metrics, and with tracing (no SDK), over none',
      table: [
        ['row', 'none', 'metrics', '× none', 'tracing, no SDK', '× none', 'runs (none / metrics / tracing)'],
        ...data.map((r) => [
          r.row,
          rate(r.off),
          rate(r.metrics),
          ratio(r.metricsRatio),
          rate(r.tracing),
          ratio(r.tracingRatio),
          MODE_NAMES.map((mode) => (r.runs[mode] ?? []).map(rate).join(' ')).join(' / '),
        ]),
      ],
      notes: [
        'metrics: prometheusMetrics() on the global registry (never scraped); tracing: openTelemetryTracing() with no SDK registered.',
        '× none: per run, the row with it over the same row without (modes interleaved, their order turned each run); median over runs.',
        'Goal (issue 14): metrics ≥ 0.95× on publish and RPC. Single runs swing by more than 5 % here: use --runs 5 on a quiet machine.',
      ],
      data,
    }
  },
}
