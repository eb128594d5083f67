import { microsHistogram, type Percentiles, percentiles, record } from '../lib/histogram.js'
import { nowMicros, order } from '../lib/payload.js'
import { signalReady } from '../lib/role-io.js'
import { fastest, publisher } from './publish.js'
import { subscriber } from './subscriber.js'

export interface LatencySubParams {
  url: string
  impl: string
  channel: string
  /** Messages the publisher sends in all, and how many of the first ones are not recorded. */
  expected: number
  warmup: number
  idleMs: number
}

export interface LatencySubResult extends Percentiles {
  received: number
}

/** Records, per message, the time from the publish call (stamped in the message) to its arrival. */
export async function latencySubscriberRole(p: LatencySubParams): Promise<LatencySubResult> {
  const histogram = microsHistogram()
  let received = 0
  let lastAt = 0
  let finish!: () => void
  const done = new Promise<void>((resolve) => {
    finish = resolve
  })
  const close = await subscriber(p.impl, p.url, p.channel, (data) => {
    const now = nowMicros()
    received += 1
    lastAt = performance.now()
    if (received > p.warmup) record(histogram, now - data.sentAt)
    if (received === p.expected) finish()
  })
  const idle = setInterval(() => {
    if (received > 0 && performance.now() - lastAt > p.idleMs) finish()
  }, 50)
  signalReady()
  await done
  clearInterval(idle)
  await close()
  return { ...percentiles(histogram), received }
}

export interface LatencyPubParams {
  url: string
  impl: string
  channel: string
  /** Messages per second. */
  rate: number
  count: number
}

/**
 * Publishes at a steady rate: every timer tick (about 1 ms) it sends the messages due by then,
 * each stamped with the time of its own publish call.
 */
export async function latencyPublisherRole(p: LatencyPubParams): Promise<{ achievedRate: number }> {
  const pub = await publisher(fastest(p.impl), p.url, p.channel)
  const data = order(0)
  let sent = 0
  const start = performance.now()
  await new Promise<void>((resolve, reject) => {
    const tick = (): void => {
      const due = Math.min(p.count, Math.floor(((performance.now() - start) * p.rate) / 1000))
      while (sent < due) {
        data.id = sent
        data.sentAt = nowMicros()
        pub.one(data).catch(reject)
        sent += 1
      }
      if (sent < p.count) setTimeout(tick, 0)
      else resolve()
    }
    tick()
  })
  const achievedRate = (p.count / (performance.now() - start)) * 1000
  await pub.close()
  return { achievedRate }
}
