import { cpuPerMessageIn } from '../lib/cpu.js'
import { type RoleOptions, RoleProcess, runRole } from '../lib/role-process.js'
import { median, micros, rate, ratio } from '../lib/stats.js'
import { RAW_RPC_IMPL, RPC_IMPLS, type RpcLevelResult, type RpcServiceResult } from '../roles/rpc.js'
import { append, bestPerRun, medianRatio, type SectionDef } from './section.js'

export const LEVELS = [1, 16, 128]

export interface RpcRun {
  levels: RpcLevelResult[]
  /** The service's CPU per request over all levels, in µs. */
  serviceCpu: number
  /** The service's CPU per request within each level's measured window (as levels), in µs. */
  serviceCpuByLevel: number[]
}

/** One caller process against one service process, at each level of LEVELS. */
export async function rpcRun(
  url: string,
  impl: string,
  warmupMs: number,
  durationMs: number,
  options?: RoleOptions,
): Promise<RpcRun> {
  const service = new RoleProcess<RpcServiceResult>('rpc-service', { url, impl }, options)
  try {
    await service.ready
    const { levels } = await runRole<{ levels: RpcLevelResult[] }>(
      'rpc-caller',
      { url, impl, levels: LEVELS, warmupMs, durationMs },
      options,
    )
    service.stop()
    const served = await service.result
    return {
      levels,
      serviceCpu: served.cpu,
      serviceCpuByLevel: levels.map((l) => cpuPerMessageIn(served.samples, l.fromMs, l.toMs)),
    }
  } finally {
    service.kill()
  }
}

export const rpcSection: SectionDef = {
  name: 'rpc',
  steps: (o) => o.runs * RPC_IMPLS.length,
  async run(ctx) {
    const warmupMs = Math.round(400 * ctx.size)
    const durationMs = Math.round(1500 * ctx.size)
    const runs: Record<string, RpcLevelResult[][]> = {}
    const serviceCpu: Record<string, number[]> = {}
    for (let run = 0; run < ctx.options.runs; run++) {
      for (const impl of RPC_IMPLS) {
        ctx.progress.step(`rpc ${impl} (run ${run + 1})`)
        const result = await rpcRun(ctx.redis.url, impl, warmupMs, durationMs)
        append(runs, impl, result.levels)
        append(serviceCpu, impl, result.serviceCpu)
      }
    }
    const series = (impl: string, level: number, key: 'reqPerSec' | 'p50' | 'p99' | 'cpu'): number[] =>
      (runs[impl] ?? []).map((levels) => levels.find((l) => l.inFlight === level)?.[key] ?? Number.NaN)
    const rows = LEVELS.flatMap((level) => {
      const raw = series(RAW_RPC_IMPL, level, 'reqPerSec')
      const molecular = bestPerRun(
        RPC_IMPLS.filter((i) => i.startsWith('moleculer')).map((i) => series(i, level, 'reqPerSec')),
        'max',
      )
      return RPC_IMPLS.map((impl) => {
        const reqs = series(impl, level, 'reqPerSec')
        return {
          impl,
          inFlight: level,
          reqPerSec: median(reqs),
          ratioRaw: medianRatio(reqs, raw),
          ratioMoleculer: medianRatio(reqs, molecular),
          p50: median(series(impl, level, 'p50')),
          p99: median(series(impl, level, 'p99')),
          callerCpu: median(series(impl, level, 'cpu')),
          runs: reqs,
        }
      })
    })
    return {
      title: 'RPC: echo of the 10-field object, 1 caller process, 1 service process',
      table: [
        [
          'in flight',
          'implementation',
          'req/s',
          '× raw',
          '× best Moleculer',
          'p50 µs',
          'p99 µs',
          'caller µs/req',
          'runs',
        ],
        ...rows.map((r) => [
          String(r.inFlight),
          r.impl,
          rate(r.reqPerSec),
          ratio(r.ratioRaw),
          ratio(r.ratioMoleculer),
          micros(r.p50),
          micros(r.p99),
          r.callerCpu.toFixed(1),
          r.runs.map(rate).join(' '),
        ]),
      ],
      notes: [
        'raw = a hand-written RPC on node-redis (timeout 0, JSON {id, payload, reply_to}, replies matched by id).',
        'Moleculer 0.14 uses its Redis transporter (ioredis); autopipelining passes enableAutoPipelining to ioredis.',
        'caller µs/req: CPU of the caller process per request (median). Service CPU per request over all levels: ' +
          RPC_IMPLS.map((impl) => `${impl} ${median(serviceCpu[impl] ?? []).toFixed(1)} µs`).join(', ') +
          '.',
      ],
      data: { warmupMs, durationMs, rows, serviceCpu },
    }
  },
}
