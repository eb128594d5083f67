import { RoleProcess, runRole } from '../lib/role-process.js'
import { median, mib, ms, rate, ratio } from '../lib/stats.js'
import type { PublishCostParams, SlowConsumerResult, SubscribeScaleResult } from '../roles/scale.js'
import type { SectionDef } from './section.js'

const GC = { nodeFlags: ['--expose-gc'] }

async function slowConsumer(url: string, count: number): Promise<SlowConsumerResult> {
  const channel = 'bench:slow'
  const consumer = new RoleProcess<SlowConsumerResult>(
    'slow-consumer',
    { url, channel, expected: count, bufferSize: 10_000, batch: 10, idleMs: 2000 },
    GC,
  )
  try {
    await consumer.ready
    await runRole('blast', { url, channel, count, wave: 1000 })
    return await consumer.result
  } finally {
    consumer.kill()
  }
}

export const scaleSection: SectionDef = {
  name: 'scale',
  steps: (o) => o.runs * 3 + 1,
  async run(ctx) {
    const url = ctx.redis.url
    const subscribe: Record<string, SubscribeScaleResult[]> = { channels: [], patterns: [] }
    const cost: { subscriptions: number; msgsPerSec: number }[][] = []
    const counts = [0, 1000, 10_000]
    for (let run = 0; run < ctx.options.runs; run++) {
      for (const [kind, count] of [
        ['channels', 10_000],
        ['patterns', 1000],
      ] as const) {
        ctx.progress.step(`scale: ${count} ${kind} (run ${run + 1})`)
        subscribe[kind]?.push(
          await runRole<SubscribeScaleResult>('scale-subscribe', { url, kind, count }, GC),
        )
      }
      ctx.progress.step(`scale: publish cost (run ${run + 1})`)
      const params: PublishCostParams = {
        url,
        counts,
        warmupMs: Math.round(300 * ctx.size),
        durationMs: Math.round(1000 * ctx.size),
        wave: 1000,
      }
      cost.push(
        (
          await runRole<{ points: { subscriptions: number; msgsPerSec: number }[] }>(
            'scale-publish-cost',
            params,
          )
        ).points,
      )
    }
    const slowCount = Math.round(1_000_000 * ctx.size)
    ctx.progress.step(`scale: slow consumer facing ${slowCount} messages`)
    const slow = await slowConsumer(url, slowCount)

    const subRows = (['channels', 'patterns'] as const).map((kind) => {
      const list = subscribe[kind] ?? []
      const heap = median(list.map((r) => r.heapBytes))
      const count = list[0]?.count ?? 0
      return {
        kind,
        count,
        ms: median(list.map((r) => r.ms)),
        heapBytes: heap,
        bytesPerSubscription: heap / count,
        delivered: list.every((r) => r.delivered),
      }
    })
    const base = cost.map((points) => points[0]?.msgsPerSec ?? Number.NaN)
    const costRows = counts.map((subscriptions, i) => {
      const values = cost.map((points) => points[i]?.msgsPerSec ?? Number.NaN)
      return {
        subscriptions,
        msgsPerSec: median(values),
        ratio: median(values.map((v, run) => v / (base[run] ?? Number.NaN))),
      }
    })
    return {
      title: 'Scale: one bus',
      table: [
        ['measure', 'value', 'detail'],
        ...subRows.map((r) => [
          `subscribe ${r.count.toLocaleString('en')} ${r.kind} (separate subscriptions)`,
          ms(r.ms),
          `heap ${mib(r.heapBytes)} (${Math.round(r.bytesPerSubscription)} B each), delivery ${r.delivered ? 'ok' : 'FAILED'}`,
        ]),
        ...costRows.map((r) => [
          `publish with ${r.subscriptions.toLocaleString('en')} local subscriptions`,
          `${rate(r.msgsPerSec)} msgs/s`,
          `${ratio(r.ratio)} of 0 subscriptions`,
        ]),
        [
          `slow iterator facing ${slow.received.toLocaleString('en')} messages`,
          `max ${slow.maxPending.toLocaleString('en')} buffered`,
          `bound ${slow.bufferSize.toLocaleString('en')}: ${slow.withinBound ? 'held' : 'BROKEN'}; consumed ${slow.consumed.toLocaleString('en')}, dropped ${slow.dropped.toLocaleString('en')}; heap ${mib(slow.heapBaseBytes)} → peak ${mib(slow.heapPeakBytes)}`,
        ],
      ],
      notes: [
        'Subscribe time: all subscribe() calls issued at once, until every one resolved; heap after a full GC.',
        'The slow consumer sleeps 1 ms every 10 messages, with bufferSize 10,000 and drop-oldest.',
      ],
      data: {
        subscribe: subRows,
        subscribeRuns: subscribe,
        publishCost: costRows,
        publishCostRuns: cost,
        slowConsumer: slow,
      },
    }
  },
}
