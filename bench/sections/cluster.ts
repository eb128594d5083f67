import { startCluster } from '../lib/cluster-launcher.js'
import { median, rate, ratio } from '../lib/stats.js'
import {
  type E2ERun,
  e2eRun,
  maxDeviation,
  type PublishRun,
  publishRun,
  type Target,
} from './cluster-runs.js'
import { append, medianRatio, type SectionDef } from './section.js'

/** Channels every run spreads its messages over. */
export const CLUSTER_CHANNELS = 1000

const us = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : '—')
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0)
const pct = (value: number): string => `${(value * 100).toFixed(1)}%`

/** Per server, the median over runs of `pick(run)[server]`. */
function perServer<R>(runs: readonly R[], pick: (run: R) => readonly number[]): number[] {
  const servers = Math.max(0, ...runs.map((r) => pick(r).length))
  return Array.from({ length: servers }, (_, i) => median(runs.map((r) => pick(r)[i] ?? Number.NaN)))
}

/**
 * Issue 12 point 7: switchboard on one redis-server and on a 3-primary Redis Cluster (no
 * replicas), in one run: publish and end-to-end rates over 1,000 channels, each server's CPU
 * per message, and how evenly the channels' messages spread over the primaries.
 */
export const clusterSection: SectionDef = {
  name: 'cluster',
  steps: (o) => 1 + o.runs * 4,
  async run(ctx) {
    ctx.progress.step('cluster: starting 3 primaries')
    const cluster = await startCluster(3)
    const targets: Record<'single' | 'cluster', Target> = {
      single: { url: ctx.redis.url, servers: [ctx.redis.url] },
      cluster: { url: cluster.url, servers: cluster.nodes.map((node) => node.url) },
    }
    const count = Math.round(200_000 * ctx.size)
    const publishes: Record<string, PublishRun[]> = {}
    const e2es: Record<string, E2ERun[]> = {}
    try {
      for (let run = 0; run < ctx.options.runs; run++) {
        for (const [name, target] of Object.entries(targets)) {
          ctx.progress.step(`cluster: publish on ${name} (run ${run + 1})`)
          const warmupMs = Math.round(500 * ctx.size)
          append(
            publishes,
            name,
            await publishRun(target, CLUSTER_CHANNELS, warmupMs, Math.round(1500 * ctx.size)),
          )
        }
        for (const [name, target] of Object.entries(targets)) {
          ctx.progress.step(`cluster: end to end on ${name} (run ${run + 1})`)
          append(e2es, name, await e2eRun(target, CLUSTER_CHANNELS, count))
        }
      }
    } finally {
      await cluster.stop()
    }
    const rows = (['single', 'cluster'] as const).map((name) => {
      const pub = publishes[name] ?? []
      const e2e = e2es[name] ?? []
      const served = perServer(e2e, (r) => r.served)
      const e2eServerCpu = perServer(e2e, (r) => r.serverCpu)
      return {
        name,
        publishRuns: pub.map((r) => r.msgsPerSec),
        e2eRuns: e2e.map((r) => r.msgsPerSec),
        publish: median(pub.map((r) => r.msgsPerSec)),
        e2e: median(e2e.map((r) => r.msgsPerSec)),
        lost: Math.max(...e2e.map((r) => r.lost)),
        outOfOrder: Math.max(...e2e.map((r) => r.outOfOrder)),
        publishClientCpu: median(pub.map((r) => r.clientCpu)),
        publishServerCpu: median(pub.map((r) => sum(r.serverCpu))),
        /** The rate at which the busiest server would use a core of its own, publishing. */
        publishCeiling: 1e6 / Math.max(...perServer(pub, (r) => r.serverCpu)),
        e2eCeiling: 1e6 / Math.max(...e2eServerCpu),
        /** Each server's CPU per message it served while publishing (no subscriber). */
        publishServerOwnCpu: perServer(pub, (r) => r.serverCpu.map((c, i) => c / (r.shares[i] ?? 1))),
        e2ePublisherCpu: median(e2e.map((r) => r.publisherCpu)),
        e2eSubscriberCpu: median(e2e.map((r) => r.cpu)),
        e2eServerCpu: sum(e2eServerCpu),
        /** Each server's CPU per message it served end to end (to one subscriber). */
        e2eServerOwnCpu: e2eServerCpu.map((c, i) => (c * count) / (served[i] ?? Number.NaN)),
        served,
        deviation: maxDeviation(served),
      }
    })
    const [single, sharded] = rows as [(typeof rows)[0], (typeof rows)[0]]
    const publishRatio = medianRatio(sharded.publishRuns, single.publishRuns)
    const e2eRatio = medianRatio(sharded.e2eRuns, single.e2eRuns)
    const both = (f: (r: typeof single) => string, r?: string): string[] => [f(single), f(sharded), r ?? '']
    return {
      title: `Redis Cluster: 1 node and 3 primaries (no replicas), ${CLUSTER_CHANNELS.toLocaleString('en')} channels, switchboard`,
      table: [
        ['measure', '1 node', '3 primaries', 'cluster / 1 node'],
        ['publish msgs/s, 0 subscribers', ...both((r) => rate(r.publish), ratio(publishRatio))],
        [
          `end to end msgs/s, ${count.toLocaleString('en')} a run`,
          ...both((r) => rate(r.e2e), ratio(e2eRatio)),
        ],
        ['lost / out of order (per channel)', ...both((r) => `${r.lost} / ${r.outOfOrder}`)],
        ['server µs/msg, publish: all servers', ...both((r) => us(r.publishServerCpu))],
        ['  each server, per message it served', ...both((r) => r.publishServerOwnCpu.map(us).join(' / '))],
        ['server µs/msg, end to end: all servers', ...both((r) => us(r.e2eServerCpu))],
        ['  each server, per message it served', ...both((r) => r.e2eServerOwnCpu.map(us).join(' / '))],
        [
          'ceiling, a core per server: publish msgs/s',
          ...both((r) => rate(r.publishCeiling), ratio(sharded.publishCeiling / single.publishCeiling)),
        ],
        [
          '  end to end msgs/s',
          ...both((r) => rate(r.e2eCeiling), ratio(sharded.e2eCeiling / single.e2eCeiling)),
        ],
        ['messages per server (end to end)', ...both((r) => r.served.map(String).join(' / '))],
        ['  largest deviation from the mean', '', pct(sharded.deviation), ''],
        [
          'client µs/msg: publisher (publish) / e2e pub / e2e sub',
          ...both((r) => [r.publishClientCpu, r.e2ePublisherCpu, r.e2eSubscriberCpu].map(us).join(' / ')),
        ],
        ['runs: publish', ...both((r) => r.publishRuns.map(rate).join(' '))],
        ['runs: end to end', ...both((r) => r.e2eRuns.map(rate).join(' '))],
      ],
      notes: [
        'One publisher process (and one subscriber process end to end) on both; message i goes to channel i mod 1000.',
        'cluster / 1 node: per run, then the median. Server µs/msg from INFO cpu (user + sys) before and after;',
        'messages per server from INFO commandstats (PUBLISH + SPUBLISH calls). The 3 primaries share the cores',
        'with the client processes, so the rates here do not show what more cores would give: the µs/msg do.',
        "ceiling: 1e6 / the busiest server's µs per message of the run, the rate at which it would fill a core of",
        'its own; it leaves out the clients, which need processes (and cores) of their own to reach it.',
      ],
      data: { channels: CLUSTER_CHANNELS, count, rows, publishRatio, e2eRatio },
    }
  },
}
