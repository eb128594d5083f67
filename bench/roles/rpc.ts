import { connect } from '../../src/index.js'
import { connectNodeRedis } from '../lib/clients.js'
import { CpuMeter, type CpuSample, CpuSampler, epochMs } from '../lib/cpu.js'
import { microsHistogram, percentiles, record } from '../lib/histogram.js'
import { observeOptions } from '../lib/observe.js'
import { type Order, order } from '../lib/payload.js'
import { signalReady, stdinClosed } from '../lib/role-io.js'

/**
 * RPC: an echo of the 10-field object, by switchboard's services, by a hand-written RPC on raw
 * node-redis (JSON `{id, payload, reply_to}`, replies matched by id), and by Moleculer 0.14 over
 * its Redis transporter (ioredis), with default settings and with ioredis auto-pipelining.
 */
export const RPC_IMPLS = ['switchboard', 'node-redis', 'moleculer', 'moleculer-autopipelining'] as const
export const RAW_RPC_IMPL = 'node-redis'

type Call = (payload: Order) => Promise<unknown>

interface Endpoint {
  call: Call
  close(): Promise<void>
}

const SERVICE = 'bench_echo'
const RAW_CHANNEL = 'bench_raw_echo'

interface RawRequest {
  id: number
  payload: Order
  reply_to: string
}

async function rawService(url: string, onRequest: () => void): Promise<() => Promise<void>> {
  const pub = await connectNodeRedis(url)
  const sub = pub.duplicate()
  await sub.connect()
  await sub.subscribe(RAW_CHANNEL, (message: string) => {
    const request = JSON.parse(message) as RawRequest
    onRequest()
    void pub.sendCommand([
      'PUBLISH',
      request.reply_to,
      JSON.stringify({ id: request.id, payload: request.payload }),
    ])
  })
  return async () => {
    await sub.close()
    await pub.close()
  }
}

async function rawCaller(url: string): Promise<Endpoint> {
  const pub = await connectNodeRedis(url)
  const sub = pub.duplicate()
  await sub.connect()
  const replyTo = `bench_raw_reply:${process.pid}`
  const pending = new Map<number, (payload: unknown) => void>()
  let nextId = 0
  await sub.subscribe(replyTo, (message: string) => {
    const reply = JSON.parse(message) as { id: number; payload: unknown }
    const resolve = pending.get(reply.id)
    if (!resolve) return
    pending.delete(reply.id)
    resolve(reply.payload)
  })
  return {
    call: (payload) =>
      new Promise((resolve) => {
        const id = nextId++
        pending.set(id, resolve)
        void pub.sendCommand(['PUBLISH', RAW_CHANNEL, JSON.stringify({ id, payload, reply_to: replyTo })])
      }),
    close: async () => {
      await sub.close()
      await pub.close()
    },
  }
}

async function moleculerBroker(url: string, nodeID: string, autoPipelining: boolean) {
  const { ServiceBroker } = await import('moleculer')
  const { hostname, port } = new URL(url)
  const broker = new ServiceBroker({
    nodeID,
    namespace: 'bench',
    logger: false,
    transporter: {
      type: 'Redis',
      options: { host: hostname, port: Number(port || 6379), enableAutoPipelining: autoPipelining },
    },
  })
  return broker
}

export interface RpcServiceParams {
  url: string
  impl: string
}

export interface RpcServiceResult {
  requests: number
  /** This process's CPU per request served, in µs (start-up excluded). */
  cpu: number
  /** CPU and requests served every 50 ms: the caller's windows (RpcLevelResult) cut them per level. */
  samples: CpuSample[]
}

/** Serves echo until stdin closes. */
export async function rpcServiceRole(p: RpcServiceParams): Promise<RpcServiceResult> {
  let close: () => Promise<void>
  let requests = 0
  const echo = <T>(payload: T): T => {
    requests += 1
    return payload
  }
  switch (p.impl) {
    case 'switchboard': {
      const bus = await connect({ url: p.url, ...observeOptions() })
      const service = bus.service(SERVICE, { concurrency: 1024 })
      service.action('echo', echo)
      await service.start()
      close = () => bus.close()
      break
    }
    case 'node-redis':
      close = await rawService(p.url, () => {
        requests += 1
      })
      break
    case 'moleculer':
    case 'moleculer-autopipelining': {
      const broker = await moleculerBroker(p.url, `service-${process.pid}`, p.impl !== 'moleculer')
      broker.createService({
        name: 'echo',
        actions: { echo: (ctx: { params: unknown }) => echo(ctx.params) },
      })
      await broker.start()
      close = () => broker.stop()
      break
    }
    default:
      throw new Error(`unknown RPC implementation ${p.impl}`)
  }
  const cpu = new CpuMeter()
  const sampler = new CpuSampler(() => requests)
  signalReady()
  await stdinClosed()
  const cpuPerRequest = cpu.perMessage(requests)
  const samples = sampler.stop()
  await close()
  return { requests, cpu: cpuPerRequest, samples }
}

async function callerEndpoint(p: RpcServiceParams): Promise<Endpoint> {
  switch (p.impl) {
    case 'switchboard': {
      const bus = await connect({ url: p.url, ...observeOptions() })
      const caller = bus.caller(SERVICE, { timeoutMs: 30_000 })
      return { call: (payload) => caller.request('echo', payload), close: () => bus.close() }
    }
    case 'node-redis':
      return rawCaller(p.url)
    case 'moleculer':
    case 'moleculer-autopipelining': {
      const broker = await moleculerBroker(p.url, `caller-${process.pid}`, p.impl !== 'moleculer')
      await broker.start()
      await broker.waitForServices('echo', 10_000)
      return { call: (payload) => broker.call('echo.echo', payload), close: () => broker.stop() }
    }
    default:
      throw new Error(`unknown RPC implementation ${p.impl}`)
  }
}

export interface RpcCallerParams extends RpcServiceParams {
  levels: number[]
  warmupMs: number
  durationMs: number
}

export interface RpcLevelResult {
  inFlight: number
  reqPerSec: number
  p50: number
  p99: number
  requests: number
  /** The caller process's CPU per request while measuring, in µs. */
  cpu: number
  /** When the measured window began and ended (epoch ms), to cut the service's CPU samples. */
  fromMs: number
  toMs: number
}

/**
 * For each level of concurrency, that many loops each await one request after another: first
 * for warmupMs, then, recording every latency, for durationMs. Before the first level, the
 * highest level runs for warmupMs: at 1 in flight a warm-up of that length is only a few
 * thousand requests, and the lowest level, measured first, would time the JIT (and, in the
 * observe section, the compiling of metrics code) rather than the steady state.
 */
export async function rpcCallerRole(p: RpcCallerParams): Promise<{ levels: RpcLevelResult[] }> {
  const endpoint = await callerEndpoint(p)
  const payload = order()
  const levels: RpcLevelResult[] = []
  const primeEnd = performance.now() + p.warmupMs
  await Promise.all(
    Array.from({ length: Math.max(...p.levels) }, async () => {
      while (performance.now() < primeEnd) await endpoint.call(payload)
    }),
  )
  for (const inFlight of p.levels) {
    let phaseEnd = performance.now() + p.warmupMs
    let recording = false
    const histogram = microsHistogram()
    let requests = 0
    const loop = async (): Promise<void> => {
      for (;;) {
        const started = performance.now()
        if (started >= phaseEnd) return
        await endpoint.call(payload)
        if (recording) {
          record(histogram, (performance.now() - started) * 1000)
          requests += 1
        }
      }
    }
    await Promise.all(Array.from({ length: inFlight }, loop))
    recording = true
    const cpu = new CpuMeter()
    const fromMs = epochMs()
    const start = performance.now()
    phaseEnd = start + p.durationMs
    await Promise.all(Array.from({ length: inFlight }, loop))
    const elapsed = performance.now() - start
    const toMs = epochMs()
    const { p50, p99 } = percentiles(histogram)
    levels.push({
      inFlight,
      reqPerSec: (requests / elapsed) * 1000,
      p50,
      p99,
      requests,
      cpu: cpu.perMessage(requests),
      fromMs,
      toMs,
    })
  }
  await endpoint.close()
  return { levels }
}
