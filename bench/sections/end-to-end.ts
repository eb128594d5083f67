import { redisCpuSeconds } from '../lib/cpu.js'
import { RoleProcess } from '../lib/role-process.js'
import { median, rate, ratio } from '../lib/stats.js'
import { E2E_IMPLS, type E2ESubResult, RAW_E2E_IMPLS } from '../roles/end-to-end.js'
import { append, bestPerRun, medianRatio, type SectionDef } from './section.js'

export interface E2ERun extends E2ESubResult {
  publishRate: number
  /** CPU per message, in µs: the publisher's and redis-server's (the subscriber's is `cpu`). */
  publisherCpu: number
  redisCpu: number
}

/**
 * One publisher process and one subscriber process of the same client: `warmup` messages, then
 * `count` timed ones. Without a warm-up, the timed second would be partly the JIT compiling each
 * client's path (both processes start cold), which is not what a running service pays.
 */
export async function e2eRun(
  url: string,
  impl: string,
  channel: string,
  count: number,
  warmup: number,
): Promise<E2ERun> {
  const total = warmup + count
  const sub = new RoleProcess<E2ESubResult>('e2e-sub', {
    url,
    impl,
    channel,
    expected: total,
    idleMs: 2000,
    warmup,
  })
  try {
    await sub.ready
    const redisBefore = await redisCpuSeconds(url)
    const pub = new RoleProcess<{ msgsPerSec: number; cpu: number }>('e2e-pub', {
      url,
      impl,
      channel,
      count: total,
      warmup,
      wave: 1000,
      distinct: true,
    })
    const [published, received] = await Promise.all([pub.result, sub.result])
    // Over the warm-up too: Redis's CPU cannot be cut at the moment the clients start timing.
    const redisCpu = (((await redisCpuSeconds(url)) - redisBefore) * 1e6) / total
    return { ...received, publishRate: published.msgsPerSec, publisherCpu: published.cpu, redisCpu }
  } finally {
    sub.kill()
  }
}

export const e2eSection: SectionDef = {
  name: 'e2e',
  steps: (o) => o.runs * E2E_IMPLS.length,
  async run(ctx) {
    const count = Math.round(300_000 * ctx.size)
    const warmup = Math.round(150_000 * ctx.size)
    const runs: Record<string, E2ERun[]> = {}
    for (let run = 0; run < ctx.options.runs; run++) {
      for (const impl of E2E_IMPLS) {
        ctx.progress.step(`end-to-end ${impl} (run ${run + 1})`)
        append(runs, impl, await e2eRun(ctx.redis.url, impl, `bench:e2e:${run}`, count, warmup))
      }
    }
    const rateOf = (impl: string): number[] => (runs[impl] ?? []).map((r) => r.msgsPerSec)
    const best = bestPerRun(RAW_E2E_IMPLS.map(rateOf), 'max')
    const rows = E2E_IMPLS.map((impl) => {
      const list = runs[impl] ?? []
      return {
        impl,
        runs: list,
        median: median(rateOf(impl)),
        ratio: medianRatio(rateOf(impl), best),
        lost: Math.max(...list.map((r) => r.lost)),
        outOfOrder: Math.max(...list.map((r) => r.outOfOrder)),
        publishRate: median(list.map((r) => r.publishRate)),
        publisherCpu: median(list.map((r) => r.publisherCpu)),
        redisCpu: median(list.map((r) => r.redisCpu)),
        subscriberCpu: median(list.map((r) => r.cpu)),
      }
    })
    return {
      title: `End to end: publisher and subscriber processes, ${count.toLocaleString('en')} messages a run after ${warmup.toLocaleString('en')} to warm up`,
      table: [
        [
          'client (pub → sub)',
          'delivered msgs/s',
          '× best raw',
          'lost',
          'out of order',
          'µs/msg pub / redis / sub',
          'runs',
        ],
        ...rows.map((r) => [
          r.impl === 'bare-resp' ? 'reference: bare RESP sockets' : r.impl,
          rate(r.median),
          ratio(r.ratio),
          String(r.lost),
          String(r.outOfOrder),
          `${r.publisherCpu.toFixed(2)} / ${r.redisCpu.toFixed(2)} / ${r.subscriberCpu.toFixed(2)}`,
          r.runs.map((x) => rate(x.msgsPerSec)).join(' '),
        ]),
      ],
      notes: [
        'Delivered msgs/s is measured at the subscriber, first to last timed message (the warm-up ones are counted, not timed). Raw publishers send pre-encoded',
        'payloads; every subscriber decodes each message. lost and out of order are the worst over runs.',
        'The reference row is not a client: RESP written and parsed by hand on bare sockets, encoding each message.',
        'µs/msg: CPU time per message of the publisher process, redis-server and the subscriber process (medians).',
      ],
      data: { count, warmup, rows, bestRaw: best },
    }
  },
}
