import type { Section } from './options.js'
import { micros, rate, ratio } from './stats.js'

/** The targets of issues 4, 11 and 12, judged from this run's medians. Printed only: nothing fails on them. */

interface SectionData {
  data: unknown
}

interface Row {
  impl: string
  [key: string]: unknown
}

function rowsOf(section: SectionData | undefined): Row[] {
  return ((section?.data as { rows?: Row[] } | undefined)?.rows ?? []) as Row[]
}

export interface TargetLine {
  target: string
  measured: string
  met: boolean | undefined
}

export function judgeTargets(sections: Partial<Record<Section, SectionData>>): TargetLine[] {
  const lines: TargetLine[] = []
  const publish = rowsOf(sections.publish)
  const sb = publish.find((r) => r.impl === 'switchboard')
  if (sb) {
    const vsBest = sb.ratio as number
    lines.push({
      target: 'publish ≥ 1.0× raw node-redis pipelined, pre-encoded',
      measured: `${rate(sb.median as number)} msgs/s, ${ratio(vsBest)} best raw`,
      met: vsBest >= 1,
    })
  }
  const e2e = rowsOf(sections.e2e)
  const sbE2E = e2e.find((r) => r.impl === 'switchboard')
  const rawE2E = e2e.find((r) => r.impl === 'node-redis')
  if (sbE2E && rawE2E) {
    const versusNodeRedis = (sbE2E.median as number) / (rawE2E.median as number)
    lines.push({
      target: 'end to end ≥ 250k msgs/s or ≥ 1.7× raw node-redis, 0 lost',
      measured: `${rate(sbE2E.median as number)} msgs/s, ${ratio(versusNodeRedis)} node-redis, lost ${sbE2E.lost}`,
      met: ((sbE2E.median as number) >= 250_000 || versusNodeRedis >= 1.7) && sbE2E.lost === 0,
    })
  }
  const latency = rowsOf(sections.latency).find((r) => r.impl === 'switchboard' && r.rate === 10_000)
  if (latency) {
    lines.push({
      target: 'p99 at 10k msgs/s ≤ 800 µs',
      measured: `p99 ${micros(latency.p99 as number)} µs`,
      met: (latency.p99 as number) <= 800,
    })
  }
  const rpc = rowsOf(sections.rpc)
  const at = (impl: string, level: number): Row | undefined =>
    rpc.find((r) => r.impl === impl && r.inFlight === level)
  const sb128 = at('switchboard', 128)
  const mol128 = at('moleculer', 128)
  const molAp128 = at('moleculer-autopipelining', 128)
  if (sb128 && mol128) {
    const vsMol = (sb128.reqPerSec as number) / (mol128.reqPerSec as number)
    const vsAp = molAp128 ? (sb128.reqPerSec as number) / (molAp128.reqPerSec as number) : Number.NaN
    lines.push({
      target: 'RPC at 128 in flight ≥ 1.0× raw and ≥ 5× Moleculer',
      measured: `${rate(sb128.reqPerSec as number)} req/s, ${ratio(sb128.ratioRaw as number)} raw, ${ratio(vsMol)} Moleculer (${ratio(vsAp)} with auto-pipelining)`,
      met: (sb128.ratioRaw as number) >= 1 && vsMol >= 5,
    })
  }
  const sb1 = at('switchboard', 1)
  const raw1 = at('node-redis', 1)
  if (sb1 && raw1) {
    const r = (sb1.p50 as number) / (raw1.p50 as number)
    lines.push({
      target: 'RPC p50 at 1 in flight ≤ 1.1× raw',
      measured: `p50 ${micros(sb1.p50 as number)} µs vs raw ${micros(raw1.p50 as number)} µs: ${ratio(r)}`,
      met: r <= 1.1,
    })
  }
  lines.push(...durableTargets(rowsOf(sections.durable)))
  lines.push(...clusterTargets(sections.cluster?.data as ClusterData | undefined))
  return lines
}

interface ClusterData {
  publishRatio: number
  e2eRatio: number
  rows: Array<{ name: string; deviation: number; lost: number }>
}

/** Issue 12: a 3-primary cluster against one node on this machine, and how the load spreads. */
function clusterTargets(data: ClusterData | undefined): TargetLine[] {
  const sharded = data?.rows.find((r) => r.name === 'cluster')
  if (!data || !sharded) return []
  return [
    {
      target: 'cluster (3 primaries) ≥ 1.0× one node, publish and end to end, 0 lost',
      measured: `publish ${ratio(data.publishRatio)}, end to end ${ratio(data.e2eRatio)}, lost ${sharded.lost}`,
      met: data.publishRatio >= 1 && data.e2eRatio >= 1 && sharded.lost === 0,
    },
    {
      target: 'messages per primary within ±20% of the mean (1,000 channels)',
      measured: `largest deviation ${(sharded.deviation * 100).toFixed(1)}%`,
      met: sharded.deviation <= 0.2,
    },
  ]
}

/** Issue 11: durable topics against the hand-written Streams loops and BullMQ, once switchboard has rows. */
function durableTargets(rows: Row[]): TargetLine[] {
  const goals = [
    { kind: 'publish', bullmq: 3, against: 'XADD pipelined, ≥ 3× BullMQ addBulk' },
    { kind: 'consume', bullmq: 5, against: 'XREADGROUP + XACK loop, ≥ 5× BullMQ Worker' },
  ]
  return goals.flatMap(({ kind, bullmq, against }) => {
    const sb = rows.find((r) => r.kind === kind && r.impl === 'switchboard')
    if (!sb) return []
    const vsRaw = sb.ratioRaw as number
    const vsBullmq = sb.ratioBullmq as number
    const clean = kind === 'publish' || (sb.unacked === 0 && sb.handledTwice === 0)
    return [
      {
        target: `durable ${kind} ≥ 1.0× raw ${against}`,
        measured: `${rate(sb.median as number)} msgs/s, ${ratio(vsRaw)} raw, ${ratio(vsBullmq)} BullMQ`,
        met: vsRaw >= 1 && vsBullmq >= bullmq && clean,
      },
    ]
  })
}
