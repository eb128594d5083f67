import { connect } from '../../src/index.js'
import { type Order, order } from '../lib/payload.js'
import { signalReady, sleep } from '../lib/role-io.js'
import { publisher } from './publish.js'

/** global.gc exists when node runs with --expose-gc (these roles are started so). */
function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  gc?.()
  return process.memoryUsage().heapUsed
}

export interface SubscribeScaleParams {
  url: string
  kind: 'channels' | 'patterns'
  count: number
}

export interface SubscribeScaleResult {
  count: number
  ms: number
  heapBytes: number
  /** Whether a message published after subscribing reached the last subscription. */
  delivered: boolean
}

/**
 * Makes `count` separate subscriptions on one bus (issued together, as an application starting up
 * would) and reports the time until all are confirmed and the heap they hold.
 */
export async function subscribeScaleRole(p: SubscribeScaleParams): Promise<SubscribeScaleResult> {
  const bus = await connect({ url: p.url })
  await bus.numsub('warm-up')
  const names = Array.from({ length: p.count }, (_, i) =>
    p.kind === 'channels' ? `scale:chan:${i}` : `scale:pat:${i}:*`,
  )
  let got!: () => void
  const arrived = new Promise<void>((resolve) => {
    got = resolve
  })
  const last = names.length - 1
  const before = heapAfterGc()
  const start = performance.now()
  const subs = await Promise.all(
    names.map((name, i) => bus.subscribe(name, i === last ? got : () => undefined)),
  )
  const ms = performance.now() - start
  const heapBytes = heapAfterGc() - before
  const target = p.kind === 'channels' ? `scale:chan:${last}` : `scale:pat:${last}:x`
  await bus.publish(target, order())
  const delivered = await Promise.race([arrived.then(() => true), sleep(5000).then(() => false)])
  if (subs.length !== p.count) throw new Error('subscribe returned fewer subscriptions')
  await bus.close()
  return { count: p.count, ms, heapBytes, delivered }
}

export interface PublishCostParams {
  url: string
  counts: number[]
  warmupMs: number
  durationMs: number
  wave: number
}

/**
 * Publish rate with 0, 1k, 10k… local subscriptions on the publishing bus (to other channels):
 * publishing must not look at them.
 */
export async function publishCostRole(
  p: PublishCostParams,
): Promise<{ points: { subscriptions: number; msgsPerSec: number }[] }> {
  const bus = await connect<{ [channel: string]: Order }>({ url: p.url })
  const data = order()
  const wave = async (): Promise<void> => {
    const sent: Promise<number>[] = new Array(p.wave)
    for (let i = 0; i < p.wave; i++) sent[i] = bus.publish('scale:nobody', data)
    await Promise.all(sent)
  }
  const points: { subscriptions: number; msgsPerSec: number }[] = []
  // A longer warm-up first, so that the first point is not the one that pays for JIT compilation.
  const warmEnd = performance.now() + 3 * p.warmupMs
  while (performance.now() < warmEnd) await wave()
  let have = 0
  for (const count of p.counts) {
    const adding = Array.from({ length: count - have }, (_, i) =>
      bus.subscribe(`scale:local:${have + i}`, () => undefined),
    )
    await Promise.all(adding)
    have = count
    const warmEnd = performance.now() + p.warmupMs
    while (performance.now() < warmEnd) await wave()
    let messages = 0
    const start = performance.now()
    while (performance.now() - start < p.durationMs) {
      await wave()
      messages += p.wave
    }
    points.push({ subscriptions: count, msgsPerSec: (messages / (performance.now() - start)) * 1000 })
  }
  await bus.close()
  return { points }
}

export interface SlowConsumerParams {
  url: string
  channel: string
  expected: number
  bufferSize: number
  /** The consumer sleeps 1 ms after every this many messages. */
  batch: number
  idleMs: number
}

export interface SlowConsumerResult {
  received: number
  consumed: number
  dropped: number
  bufferSize: number
  maxPending: number
  heapBaseBytes: number
  heapPeakBytes: number
  withinBound: boolean
}

/**
 * An async-iterator consumer much slower than the stream it faces: its buffer must never hold
 * more than bufferSize messages, and what does not fit is dropped (oldest first) and counted.
 */
export async function slowConsumerRole(p: SlowConsumerParams): Promise<SlowConsumerResult> {
  const bus = await connect<{ [channel: string]: Order }>({ url: p.url, bufferSize: p.bufferSize })
  const sub = await bus.subscribe(p.channel)
  const heapBaseBytes = heapAfterGc()
  let heapPeakBytes = heapBaseBytes
  let maxPending = 0
  let lastReceived = 0
  let lastChange = performance.now()
  const watch = setInterval(() => {
    heapPeakBytes = Math.max(heapPeakBytes, process.memoryUsage().heapUsed)
    maxPending = Math.max(maxPending, sub.pending)
    const received = sub.stats.received
    if (received !== lastReceived) {
      lastReceived = received
      lastChange = performance.now()
    } else if (received > 0 && performance.now() - lastChange > p.idleMs) void sub.unsubscribe()
    if (received >= p.expected) void sub.unsubscribe()
  }, 20)
  signalReady()
  let consumed = 0
  for await (const _msg of sub) {
    consumed += 1
    maxPending = Math.max(maxPending, sub.pending)
    if (consumed % p.batch === 0) await sleep(1)
  }
  clearInterval(watch)
  const { received, dropped } = sub.stats
  await bus.close()
  return {
    received,
    consumed,
    dropped,
    bufferSize: p.bufferSize,
    maxPending,
    heapBaseBytes,
    heapPeakBytes,
    withinBound: maxPending <= p.bufferSize && received === consumed + dropped + sub.pending,
  }
}

/** Blasts `count` copies of one pre-encoded message with raw node-redis (for the slow consumer). */
export async function blastRole(p: {
  url: string
  channel: string
  count: number
  wave: number
}): Promise<object> {
  const pub = await publisher('node-redis-send', p.url, p.channel)
  for (let sent = 0; sent < p.count; sent += p.wave) await pub.wave(Math.min(p.wave, p.count - sent))
  await pub.close()
  return {}
}
