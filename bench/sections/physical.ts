import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { findBinary } from '../../scripts/redis-process.js'
import { order, rawPackr } from '../lib/payload.js'
import { RoleProcess } from '../lib/role-process.js'
import { median, rate, ratio } from '../lib/stats.js'
import { medianRatio, type SectionDef } from './section.js'

const run = promisify(execFile)

/** redis-benchmark's rate for `publish ch <payload>`, from its --csv output. */
async function redisBenchmark(binary: string, host: string, port: number, requests: number, payload: string) {
  const args = ['-h', host, '-p', String(port), '-c', '1', '-P', '100', '-n', String(requests), '--csv']
  const { stdout } = await run(binary, [...args, 'publish', 'bench:physical', payload])
  const line = stdout.trim().split('\n').pop() ?? ''
  const rps = Number(line.split(',')[1]?.replaceAll('"', ''))
  if (!Number.isFinite(rps)) throw new Error(`cannot read redis-benchmark output: ${stdout}`)
  return rps
}

export const physicalSection: SectionDef = {
  name: 'physical',
  steps: (o) => o.runs,
  async run(ctx) {
    const binary = findBinary('redis-benchmark')
    const requests = Math.round(1_000_000 * ctx.size)
    // The payload as an argument: a string as long as the msgpack bytes (which hold NULs).
    const payload = 'x'.repeat(rawPackr.pack(order()).length)
    if (!binary) {
      for (let i = 0; i < ctx.options.runs; i++) ctx.progress.step('physical limit (skipped)')
      return {
        title: 'Physical limit',
        table: [],
        notes: ['redis-benchmark not found: skipped.'],
        data: null,
      }
    }
    const runs: number[] = []
    for (let i = 0; i < ctx.options.runs; i++) {
      ctx.progress.step(`physical limit (run ${i + 1})`)
      const sink = new RoleProcess('sink', {
        host: ctx.redis.host,
        port: ctx.redis.port,
        channel: 'bench:physical',
      })
      try {
        await sink.ready
        runs.push(await redisBenchmark(binary, ctx.redis.host, ctx.redis.port, requests, payload))
      } finally {
        sink.stop()
        await sink.result.catch(() => undefined)
        sink.kill()
      }
    }
    const e2e = ctx.earlier.e2e?.data as { bestRaw: number[] } | undefined
    const versusRaw = e2e ? medianRatio(runs, e2e.bestRaw) : Number.NaN
    return {
      title: `Physical limit: redis-benchmark -c 1 -P 100 -n ${requests} publish, 1 subscriber attached`,
      table: [
        ['measure', 'msgs/s', '× best raw e2e', 'runs'],
        ['redis-benchmark publish', rate(median(runs)), ratio(versusRaw), runs.map(rate).join(' ')],
      ],
      notes: [`Payload: ${payload.length} bytes, the size of the encoded 10-field object.`],
      data: { requests, runs, median: median(runs), versusRawE2E: versusRaw },
    }
  },
}
