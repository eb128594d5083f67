import type { ArrivalResult } from '../lib/arrival-meter.js'
import { cli, commandCalls } from '../lib/cluster-launcher.js'
import { RoleProcess, runRole } from '../lib/role-process.js'
import { type ClusterPublishResult, serverCpuSeconds } from '../roles/cluster.js'

/**
 * One measurement of the cluster section on one target (the single server or the cluster): the
 * roles in their processes, each server's CPU (INFO cpu) and, on a cluster, each primary's
 * SPUBLISH count (INFO commandstats, after CONFIG RESETSTAT).
 */

export interface Target {
  /** What the buses connect to: `redis://` or `redis+cluster://`. */
  url: string
  /** `redis://` of every server behind it. */
  servers: string[]
}

export interface PublishRun extends ClusterPublishResult {
  /** Each server's share of the SPUBLISH (or PUBLISH) calls, warm-up included. */
  shares: number[]
}

export interface E2ERun extends ArrivalResult {
  publishRate: number
  publisherCpu: number
  /** Each server's CPU per message of the run (all of them), in µs. */
  serverCpu: number[]
  /** Each server's PUBLISH + SPUBLISH calls during the run: the messages it served. */
  served: number[]
}

async function resetStats(target: Target): Promise<void> {
  await Promise.all(target.servers.map((url) => cli(url, 'CONFIG', 'RESETSTAT')))
}

async function publishesServed(target: Target): Promise<number[]> {
  return Promise.all(
    target.servers.map(
      async (url) => (await commandCalls(url, 'spublish')) + (await commandCalls(url, 'publish')),
    ),
  )
}

export async function publishRun(
  target: Target,
  channels: number,
  warmupMs: number,
  durationMs: number,
): Promise<PublishRun> {
  await resetStats(target)
  const result = await runRole<ClusterPublishResult>('cluster-publish', {
    url: target.url,
    servers: target.servers,
    channels,
    warmupMs,
    durationMs,
    wave: 1000,
  })
  const served = await publishesServed(target)
  const total = served.reduce((a, b) => a + b, 0)
  return { ...result, shares: served.map((n) => n / total) }
}

export async function e2eRun(target: Target, channels: number, count: number): Promise<E2ERun> {
  const sub = new RoleProcess<ArrivalResult>('cluster-sub', {
    url: target.url,
    channels,
    expected: count,
    idleMs: 2000,
  })
  try {
    await sub.ready
    await resetStats(target)
    const before = await serverCpuSeconds(target.servers)
    const pub = new RoleProcess<{ msgsPerSec: number; cpu: number }>('cluster-pub', {
      url: target.url,
      channels,
      count,
      wave: 1000,
    })
    const [published, received] = await Promise.all([pub.result, sub.result])
    const after = await serverCpuSeconds(target.servers)
    return {
      ...received,
      publishRate: published.msgsPerSec,
      publisherCpu: published.cpu,
      serverCpu: after.map((seconds, i) => ((seconds - (before[i] ?? 0)) * 1e6) / count),
      served: await publishesServed(target),
    }
  } finally {
    sub.kill()
  }
}

/** The largest distance of a count from the mean of all, as a fraction of the mean. */
export function maxDeviation(counts: readonly number[]): number {
  const mean = counts.reduce((a, b) => a + b, 0) / counts.length
  return Math.max(...counts.map((n) => Math.abs(n - mean) / mean))
}
