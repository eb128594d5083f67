import { connect } from '../../src/index.js'
import { ArrivalMeter, type ArrivalResult } from '../lib/arrival-meter.js'
import { CpuMeter, redisCpuSeconds } from '../lib/cpu.js'
import { type Order, order } from '../lib/payload.js'

/**
 * The cluster section's roles: switchboard publishing to and receiving from many channels, on
 * one node (`redis://`) or a cluster (`redis+cluster://`), the same code on both. Message i goes
 * to channel i mod `channels`, so every channel carries the same share.
 */

/** `count` channel names; no braces, so each name's own CRC16 picks its slot. */
export function channelNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `bench:cluster:${i}`)
}

/** Every server's CPU seconds so far (INFO cpu), in the order of `servers`. */
export function serverCpuSeconds(servers: readonly string[]): Promise<number[]> {
  return Promise.all(servers.map((url) => redisCpuSeconds(url)))
}

export interface ClusterPublishParams {
  url: string
  /** `redis://` of every server behind `url`, whose CPU is measured. */
  servers: string[]
  channels: number
  warmupMs: number
  durationMs: number
  wave: number
}

export interface ClusterPublishResult {
  msgsPerSec: number
  messages: number
  /** This process's CPU per message, in µs. */
  clientCpu: number
  /** Each server's CPU per message published (all of them, not its share), in µs. */
  serverCpu: number[]
}

/** Waves of `wave` publishes (un-awaited, then awaited together) over the channels, timed after a warm-up. */
export async function clusterPublishRole(p: ClusterPublishParams): Promise<ClusterPublishResult> {
  const bus = await connect<{ [channel: string]: Order }>({ url: p.url })
  const names = channelNames(p.channels)
  const data = order()
  let next = 0
  const wave = (): Promise<number[]> => {
    const sent: Promise<number>[] = new Array(p.wave)
    for (let i = 0; i < p.wave; i++) sent[i] = bus.publish(names[next++ % names.length] as string, data)
    return Promise.all(sent)
  }
  const warmEnd = performance.now() + p.warmupMs
  while (performance.now() < warmEnd) await wave()
  const serversBefore = await serverCpuSeconds(p.servers)
  const cpu = new CpuMeter()
  const start = performance.now()
  let messages = 0
  let now = start
  while (now < start + p.durationMs) {
    await wave()
    messages += p.wave
    now = performance.now()
  }
  const clientCpu = cpu.perMessage(messages)
  const serversAfter = await serverCpuSeconds(p.servers)
  await bus.close()
  return {
    msgsPerSec: (messages / (now - start)) * 1000,
    messages,
    clientCpu,
    serverCpu: serversAfter.map((after, i) => ((after - (serversBefore[i] ?? 0)) * 1e6) / messages),
  }
}

export interface ClusterSubParams {
  url: string
  channels: number
  expected: number
  /** Finish when nothing arrived for this long after the first message. */
  idleMs: number
}

/**
 * Subscribes every channel and counts what arrives: order is checked per channel, since two
 * channels on two shards arrive over two connections.
 */
export async function clusterSubscriberRole(p: ClusterSubParams): Promise<ArrivalResult> {
  const bus = await connect<{ [channel: string]: Order }>({ url: p.url })
  const meter = new ArrivalMeter(p.expected, p.idleMs)
  const lastId = new Map<string, number>()
  await bus.subscribe(channelNames(p.channels), (data, msg) => {
    meter.arrived(data.id > (lastId.get(msg.channel) ?? -1))
    lastId.set(msg.channel, data.id)
  })
  return meter.measure(() => bus.close())
}

export interface ClusterPubParams {
  url: string
  channels: number
  count: number
  wave: number
}

/** Publishes messages 0 to count - 1 (message i carries id i) in awaited waves. */
export async function clusterPublisherRole(
  p: ClusterPubParams,
): Promise<{ msgsPerSec: number; cpu: number }> {
  const bus = await connect<{ [channel: string]: Order }>({ url: p.url })
  const names = channelNames(p.channels)
  const messages = Array.from({ length: p.count }, (_, i) => order(i))
  const cpu = new CpuMeter()
  const start = performance.now()
  for (let sent = 0; sent < p.count; sent += p.wave) {
    const n = Math.min(p.wave, p.count - sent)
    const wave: Promise<number>[] = new Array(n)
    for (let i = 0; i < n; i++) {
      const id = sent + i
      wave[i] = bus.publish(names[id % names.length] as string, messages[id] as Order)
    }
    await Promise.all(wave)
  }
  const elapsedMs = performance.now() - start
  const cpuPerMessage = cpu.perMessage(p.count)
  await bus.close()
  return { msgsPerSec: (p.count / elapsedMs) * 1000, cpu: cpuPerMessage }
}
