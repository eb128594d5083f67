import { ArrivalMeter, type ArrivalResult } from '../lib/arrival-meter.js'
import { CpuMeter } from '../lib/cpu.js'
import { order } from '../lib/payload.js'
import { fastest, publisher } from './publish.js'
import { subscriber } from './subscriber.js'

export const E2E_IMPLS = ['switchboard', 'node-redis', 'ioredis', 'bare-resp'] as const
export const RAW_E2E_IMPLS: readonly string[] = ['node-redis', 'ioredis']

export interface E2ESubParams {
  url: string
  impl: string
  channel: string
  expected: number
  /** Finish when nothing arrived for this long after the first message. */
  idleMs: number
  /** The first this many of `expected` are counted but not timed (see ArrivalMeter). */
  warmup: number
}

export type E2ESubResult = ArrivalResult

/** Counts what arrives, checking that ids come in order, and measures the delivery rate. */
export async function e2eSubscriberRole(p: E2ESubParams): Promise<E2ESubResult> {
  const meter = new ArrivalMeter(p.expected, p.idleMs, p.warmup)
  let next = 0
  const close = await subscriber(p.impl, p.url, p.channel, (data) => {
    meter.arrived(data.id === next)
    next = data.id + 1
  })
  return meter.measure(close)
}

export interface E2EPubParams {
  url: string
  impl: string
  channel: string
  count: number
  /** The first this many of `count` are sent before the clock and the CPU meter start. */
  warmup: number
  wave: number
  /** Give each message its own id (raw clients pre-encode them all first); else one payload. */
  distinct: boolean
}

/**
 * Publishes `count` messages in awaited waves, timing those after the first `warmup`. With
 * `distinct`, message i has id i; raw clients pre-encode them all before starting, switchboard
 * encodes them as it publishes.
 */
export async function e2ePublisherRole(p: E2EPubParams): Promise<{ msgsPerSec: number; cpu: number }> {
  const pub = await publisher(fastest(p.impl), p.url, p.channel)
  if (p.distinct) pub.prepare(p.count, (i) => order(i))
  const send = async (from: number, to: number): Promise<void> => {
    for (let sent = from; sent < to; sent += p.wave) {
      const n = Math.min(p.wave, to - sent)
      await (p.distinct ? pub.waveOf(sent, n) : pub.wave(n))
    }
  }
  await send(0, p.warmup)
  const cpu = new CpuMeter()
  const start = performance.now()
  await send(p.warmup, p.count)
  const elapsedMs = performance.now() - start
  const timed = p.count - p.warmup
  const cpuPerMessage = cpu.perMessage(timed)
  await pub.close()
  return { msgsPerSec: (timed / elapsedMs) * 1000, cpu: cpuPerMessage }
}
