import { type RoleOptions, runRole } from '../lib/role-process.js'
import { median, rate, ratio } from '../lib/stats.js'
import type { RateResult } from '../lib/timed-waves.js'
import type { DurableConsumeResult } from '../roles/durable.js'
import { DURABLE_IMPLS } from '../roles/durable-clients.js'
import { append, medianRatio, type SectionDef } from './section.js'

/** Publishing trims the stream as it goes (approximate MAXLEN), as a topic with maxLen does. */
export const PUBLISH_MAX_LEN = 100_000
/** Large enough that nothing waiting for the consumer is trimmed. */
const CONSUME_MAX_LEN = 1_000_000
const GROUP = 'bench'
const CONCURRENCY = 100
export const WAVE = 1000
/**
 * Entries per consume run. BullMQ takes a fifth as many: it is over ten times slower, and the
 * section must stay near a minute; its cost per job does not shrink with more jobs.
 */
const CONSUME_COUNT: Record<string, number> = { switchboard: 30_000, 'node-redis': 30_000, bullmq: 6000 }

type Kind = 'publish' | 'consume'

const LABELS: Record<Kind, Record<string, string>> = {
  publish: {
    switchboard: `switchboard topic.publish() ×${WAVE} in flight`,
    'node-redis': `node-redis XADD ×${WAVE} pipelined, pre-encoded`,
    bullmq: `BullMQ Queue.addBulk() of ${WAVE}`,
  },
  consume: {
    switchboard: `switchboard topic.consume(), concurrency ${CONCURRENCY}`,
    'node-redis': `node-redis XREADGROUP COUNT ${CONCURRENCY} + XACK loop`,
    bullmq: `BullMQ Worker, concurrency ${CONCURRENCY}`,
  },
}

/** A fresh stream or queue per run; BullMQ refuses ':' in queue names. */
function nameOf(kind: Kind, impl: string, run: number): string {
  return `bench-durable-${kind}-${impl}-${process.pid}-${run}`
}

/**
 * Fills a stream with `warmup` + `count` entries, then times one consumer process taking the
 * last `count` of them (all, with no warm-up).
 */
export async function consumeRun(
  url: string,
  impl: string,
  name: string,
  count: number,
  options?: RoleOptions,
  warmup = 0,
): Promise<DurableConsumeResult> {
  const common = { url, impl, name, group: GROUP, maxLen: CONSUME_MAX_LEN }
  // The fill is outside the measured window: it runs unobserved whatever the mode.
  await runRole('durable-fill', { ...common, wave: WAVE, count: warmup + count })
  return runRole<DurableConsumeResult>(
    'durable-consume',
    { ...common, concurrency: CONCURRENCY, count, warmup, timeoutMs: 60_000 },
    options,
  )
}

function rowsOf(kind: Kind, impls: readonly string[], results: Record<string, RateResult[]>) {
  const rateOf = (impl: string): number[] => (results[impl] ?? []).map((r) => r.msgsPerSec)
  return impls.map((impl) => {
    const list = results[impl] ?? []
    const consumed = list as Partial<DurableConsumeResult>[]
    return {
      kind,
      impl,
      label: LABELS[kind][impl] ?? impl,
      runs: rateOf(impl),
      median: median(rateOf(impl)),
      ratioRaw: medianRatio(rateOf(impl), rateOf('node-redis')),
      ratioBullmq: medianRatio(rateOf(impl), rateOf('bullmq')),
      clientCpu: median(list.map((r) => r.clientCpu)),
      redisCpu: median(list.map((r) => r.redisCpu)),
      unacked: kind === 'consume' ? Math.max(...consumed.map((r) => r.unacked ?? Number.NaN)) : undefined,
      handledTwice:
        kind === 'consume'
          ? Math.max(...consumed.map((r) => (r.handled ?? 0) - (r.messages ?? 0)))
          : undefined,
    }
  })
}

export const durableSection: SectionDef = {
  name: 'durable',
  steps: (o) => o.runs * DURABLE_IMPLS.length * 2,
  async run(ctx) {
    const impls = DURABLE_IMPLS
    const countOf = (impl: string): number => Math.round((CONSUME_COUNT[impl] ?? 0) * ctx.size)
    const warmupMs = Math.round(300 * ctx.size)
    const durationMs = Math.round(1000 * ctx.size)
    const url = ctx.redis.url
    const published: Record<string, RateResult[]> = {}
    const consumed: Record<string, DurableConsumeResult[]> = {}
    for (let run = 0; run < ctx.options.runs; run++) {
      for (const impl of impls) {
        ctx.progress.step(`durable publish ${impl} (run ${run + 1})`)
        const result = await runRole<RateResult>('durable-publish', {
          url,
          impl,
          name: nameOf('publish', impl, run),
          maxLen: PUBLISH_MAX_LEN,
          wave: WAVE,
          warmupMs,
          durationMs,
        })
        append(published, impl, result)
      }
    }
    for (let run = 0; run < ctx.options.runs; run++) {
      for (const impl of impls) {
        ctx.progress.step(`durable consume ${impl} (run ${run + 1})`)
        append(consumed, impl, await consumeRun(url, impl, nameOf('consume', impl, run), countOf(impl)))
      }
    }
    const rows = [...rowsOf('publish', impls, published), ...rowsOf('consume', impls, consumed)]
    const check = (value: number | undefined): string => (value === undefined ? '—' : String(value))
    return {
      title: `Durable topics: publish and consume with acknowledgement, 10-field object (msgpack; BullMQ JSON)`,
      table: [
        [
          '',
          'client',
          'msgs/s',
          '× raw',
          '× BullMQ',
          'client µs/msg',
          'redis µs/msg',
          'unacked',
          'twice',
          'runs',
        ],
        ...rows.map((r) => [
          r.kind,
          r.label,
          rate(r.median),
          ratio(r.ratioRaw),
          ratio(r.ratioBullmq),
          r.clientCpu.toFixed(2),
          r.redisCpu.toFixed(2),
          check(r.unacked),
          check(r.handledTwice),
          r.runs.map(rate).join(' '),
        ]),
      ],
      notes: [
        `publish: waves of ${WAVE} awaited together for ${durationMs} ms after a ${warmupMs} ms warm-up; streams trimmed to ~${PUBLISH_MAX_LEN.toLocaleString('en')} entries.`,
        `consume: ${impls.map((impl) => `${countOf(impl).toLocaleString('en')} (${impl})`).join(', ')} entries published beforehand, then 1 consumer process`,
        'is timed from its start to its last handler (BullMQ: jobs added with removeOnComplete, so the ack deletes the job).',
        'unacked (entries left pending once it stopped) and twice (handler calls beyond one per entry) must be 0.',
        '× raw and × BullMQ: per run, this row over the hand-written node-redis row or the BullMQ row; median over runs.',
        'µs/msg: CPU time per message of the measuring process and of redis-server (medians).',
      ],
      data: {
        counts: Object.fromEntries(impls.map((impl) => [impl, countOf(impl)])),
        warmupMs,
        durationMs,
        publishMaxLen: PUBLISH_MAX_LEN,
        consumeMaxLen: CONSUME_MAX_LEN,
        rows,
        published,
        consumed,
      },
    }
  },
}
