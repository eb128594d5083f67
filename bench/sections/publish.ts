import { runRole } from '../lib/role-process.js'
import { median, rate, ratio } from '../lib/stats.js'
import { PUBLISH_IMPLS, type PublishResult, RAW_PUBLISH_IMPLS } from '../roles/publish.js'
import { append, bestPerRun, medianRatio, type SectionDef } from './section.js'

const LABELS: Record<string, string> = {
  switchboard: 'switchboard bus.publish (waves of 1000, un-awaited)',
  'switchboard-batch': 'switchboard batch() of 1000',
  'node-redis': 'node-redis publish() ×1000 same tick, pre-encoded',
  'node-redis-send': "node-redis sendCommand(['PUBLISH',…]) ×1000, pre-encoded",
  'node-redis-multi': 'node-redis multi().execAsPipeline() of 1000, pre-encoded',
  ioredis: 'ioredis pipeline() of 1000, pre-encoded',
  'bare-resp': 'reference: bare socket, RESP by hand, encodes each, 1 write a wave',
}

export const publishSection: SectionDef = {
  name: 'publish',
  steps: (o) => o.runs * PUBLISH_IMPLS.length,
  async run(ctx) {
    const runs: Record<string, number[]> = {}
    const clientCpu: Record<string, number[]> = {}
    const redisCpu: Record<string, number[]> = {}
    for (let run = 0; run < ctx.options.runs; run++) {
      for (const impl of PUBLISH_IMPLS) {
        ctx.progress.step(`publish ${impl} (run ${run + 1})`)
        const result = await runRole<PublishResult>('publish', {
          url: ctx.redis.url,
          impl,
          channel: 'bench:publish',
          warmupMs: Math.round(500 * ctx.size),
          durationMs: Math.round(1500 * ctx.size),
          wave: 1000,
        })
        append(runs, impl, result.msgsPerSec)
        append(clientCpu, impl, result.clientCpu)
        append(redisCpu, impl, result.redisCpu)
      }
    }
    const best = bestPerRun(
      RAW_PUBLISH_IMPLS.map((impl) => runs[impl] ?? []),
      'max',
    )
    const rows = PUBLISH_IMPLS.map((impl) => {
      const values = runs[impl] ?? []
      return {
        impl,
        label: LABELS[impl] ?? impl,
        runs: values,
        median: median(values),
        ratio: medianRatio(values, best),
        clientCpu: median(clientCpu[impl] ?? []),
        redisCpu: median(redisCpu[impl] ?? []),
      }
    })
    return {
      title: 'Publish, 0 subscribers, 10-field object (msgpack)',
      table: [
        ['client', 'msgs/s', '× best raw', 'client µs/msg', 'redis µs/msg', 'runs'],
        ...rows.map((r) => [
          r.label,
          rate(r.median),
          ratio(r.ratio),
          r.clientCpu.toFixed(2),
          r.redisCpu.toFixed(2),
          r.runs.map(rate).join(' '),
        ]),
      ],
      notes: [
        '× best raw: per run, this row over the fastest raw client of that run; median over runs.',
        'µs/msg: CPU time of the publishing process and of redis-server per message (medians), which load disturbs less.',
      ],
      data: { rows, bestRaw: best },
    }
  },
}
