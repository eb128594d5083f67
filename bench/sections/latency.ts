import type { Percentiles } from '../lib/histogram.js'
import { RoleProcess } from '../lib/role-process.js'
import { median, micros, ratio } from '../lib/stats.js'
import type { LatencySubResult } from '../roles/latency.js'
import { append, bestPerRun, medianRatio, type SectionDef } from './section.js'

const IMPLS = ['switchboard', 'node-redis', 'ioredis'] as const
const RAW = ['node-redis', 'ioredis']
const RATES = [10_000, 50_000] as const

async function latencyRun(
  url: string,
  impl: string,
  rate: number,
  warmSeconds: number,
  seconds: number,
  channel: string,
) {
  const count = Math.round(rate * (warmSeconds + seconds))
  const warmup = Math.round(rate * warmSeconds)
  const sub = new RoleProcess<LatencySubResult>('latency-sub', {
    url,
    impl,
    channel,
    expected: count,
    warmup,
    idleMs: 2000,
  })
  try {
    await sub.ready
    const pub = new RoleProcess<{ achievedRate: number }>('latency-pub', { url, impl, channel, rate, count })
    const [published, received] = await Promise.all([pub.result, sub.result])
    return { ...received, achievedRate: published.achievedRate }
  } finally {
    sub.kill()
  }
}

type Run = LatencySubResult & { achievedRate: number }
const KEYS = ['p50', 'p90', 'p99', 'p999'] as const satisfies readonly (keyof Percentiles)[]

export const latencySection: SectionDef = {
  name: 'latency',
  steps: (o) => o.runs * IMPLS.length * RATES.length,
  async run(ctx) {
    // Start-up (JIT, connection set-up) leaves a backlog that takes about a second to drain at
    // 50k msgs/s: those first messages are sent but not recorded.
    const warmSeconds = ctx.options.quick ? 1 : 1.5
    const seconds = ctx.options.quick ? 1 : 2
    const runs: Record<string, Run[]> = {}
    for (let run = 0; run < ctx.options.runs; run++) {
      for (const r of RATES) {
        for (const impl of IMPLS) {
          ctx.progress.step(`latency ${impl} at ${r / 1000}k/s (run ${run + 1})`)
          const result = await latencyRun(
            ctx.redis.url,
            impl,
            r,
            warmSeconds,
            seconds,
            `bench:latency:${run}`,
          )
          append(runs, `${r}:${impl}`, result)
        }
      }
    }
    const rows = RATES.flatMap((r) => {
      const p99s = (impl: string): number[] => (runs[`${r}:${impl}`] ?? []).map((x) => x.p99)
      const best = bestPerRun(RAW.map(p99s), 'min')
      return IMPLS.map((impl) => {
        const list = runs[`${r}:${impl}`] ?? []
        const medians = Object.fromEntries(KEYS.map((k) => [k, median(list.map((x) => x[k]))]))
        return {
          rate: r,
          impl,
          ...medians,
          p99Ratio: medianRatio(p99s(impl), best),
          lost: Math.max(0, ...list.map((x) => Math.round(r * (warmSeconds + seconds)) - x.received)),
          runs: list,
        } as { rate: number; impl: string; p99Ratio: number; lost: number; runs: Run[] } & Record<
          (typeof KEYS)[number],
          number
        >
      })
    })
    return {
      title: 'Paced latency, publish call to handler, in µs',
      table: [
        ['rate', 'client', 'p50', 'p90', 'p99', 'p99.9', 'p99 × best raw', 'lost'],
        ...rows.map((x) => [
          `${x.rate / 1000}k/s`,
          x.impl,
          micros(x.p50),
          micros(x.p90),
          micros(x.p99),
          micros(x.p999),
          ratio(x.p99Ratio),
          String(x.lost),
        ]),
      ],
      notes: [
        `Each run paces ${warmSeconds + seconds} s of messages from one process to a subscriber in another; the first ${warmSeconds} s`,
        'is not recorded. Percentiles are medians over runs. p99 × best raw below 1 is better than raw.',
      ],
      data: { warmSeconds, seconds, rows },
    }
  },
}
