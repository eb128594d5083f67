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
  /** Entries waiting, published by durable-fill. */
  count: number
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
  let handled = 0
  let end = 0
  let finish!: () => void
  const done = new Promise<void>((resolve) => {
    finish = resolve
  })
  const timer = setTimeout(finish, p.timeoutMs)
  const cpu = await cpuMeters(p.url)
  const start = performance.now()
  consumer.start(() => {
    handled += 1
    if (handled === p.count) {
      end = performance.now()
      finish()
    }
  })
  await done
  clearTimeout(timer)
  const elapsedMs = (end || performance.now()) - start
  const [clientCpu, redisCpu] = await cpu(handled)
  const unacked = await consumer.stop()
  await consumer.drop()
  await consumer.close()
  return {
    msgsPerSec: (Math.min(handled, p.count) / elapsedMs) * 1000,
    messages: p.count,
    elapsedMs,
    clientCpu,
    redisCpu,
    handled,
    unacked,
  }
}
