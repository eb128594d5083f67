import { CpuMeter } from '../lib/cpu.js'
import { cpuMeters, type RateResult, timeWaves } from '../lib/timed-waves.js'
import { durableConsumer, durablePublisher } from './durable-clients.js'

export interface DurablePublishParams {
  url: string
  impl: string
  /** Stream key, queue name or topic name: a fresh one per run. */
  name: string
  maxLen: number
  wave: number
  warmupMs: number
  durationMs: number
}

/** Publishes waves of `wave` messages, each wave awaited, for durationMs after a warm-up. */
export async function durablePublishRole(p: DurablePublishParams): Promise<RateResult> {
  const pub = await durablePublisher(p.impl, p.url, p.name, p.maxLen)
  const result = await timeWaves(p.url, pub.wave, p.wave, p.warmupMs, p.durationMs)
  await pub.drop()
  await pub.close()
  return result
}

export interface DurableFillParams extends Omit<DurablePublishParams, 'warmupMs' | 'durationMs'> {
  group: string
  count: number
}

/** Makes the consumer group, then publishes `count` messages for durable-consume to take. */
export async function durableFillRole(p: DurableFillParams): Promise<{ count: number }> {
  const pub = await durablePublisher(p.impl, p.url, p.name, p.maxLen)
  await pub.prepareGroup(p.group)
  for (let sent = 0; sent < p.count; sent += p.wave) await pub.wave(Math.min(p.wave, p.count - sent))
  await pub.close()
  return { count: p.count }
}

export interface DurableConsumeParams {
  url: string
  impl: string
  name: string
  group: string
  maxLen: number
  concurrency: number
  /** Entries timed, published by durable-fill after the warm-up's. */
  count: number
  /**
   * Entries handled first, outside the window (JIT, the first reads): the fill publishes
   * warmup + count. With a warm-up, redis µs/msg covers the whole run. @defaultValue 0
   */
  warmup?: number
  /** Give up waiting for the last entries after this long. */
  timeoutMs: number
}

export interface DurableConsumeResult extends RateResult {
  /** Handler calls, after the consumer stopped: more than `count` means an entry ran twice. */
  handled: number
  /** Entries still unacknowledged once the consumer stopped; must be 0. */
  unacked: number
}

/**
 * Times one consumer from its start until the handler has returned for `count` entries; setting
 * up before and stopping after are outside the window.
 */
export async function durableConsumeRole(p: DurableConsumeParams): Promise<DurableConsumeResult> {
  const consumer = await durableConsumer(p.impl, p.url, p.name, p.group, p.concurrency, p.maxLen)
  const warmup = p.warmup ?? 0
  const total = warmup + p.count
  let handled = 0
  let end = 0
  let finish!: () => void
  const done = new Promise<void>((resolve) => {
    finish = resolve
  })
  const timer = setTimeout(finish, p.timeoutMs)
  const cpu = await cpuMeters(p.url)
  // The window opens now, or once the warm-up's entries are handled.
  let start = performance.now()
  let clientMeter = new CpuMeter()
  let clientCpu = Number.NaN
  consumer.start(() => {
    handled += 1
    if (handled === warmup) {
      start = performance.now()
      clientMeter = new CpuMeter()
    }
    if (handled === total) {
      end = performance.now()
      clientCpu = clientMeter.perMessage(p.count)
      finish()
    }
  })
  await done
  clearTimeout(timer)
  const elapsedMs = (end || performance.now()) - start
  const [wholeClientCpu, redisCpu] = await cpu(handled)
  const unacked = await consumer.stop()
  await consumer.drop()
  await consumer.close()
  return {
    msgsPerSec: (Math.max(0, Math.min(handled, total) - warmup) / elapsedMs) * 1000,
    messages: p.count,
    elapsedMs,
    clientCpu: warmup === 0 || Number.isNaN(clientCpu) ? wholeClientCpu : clientCpu,
    redisCpu,
    handled: handled - warmup,
    unacked,
  }
}
