/**
 * What process reports (`connect({ report: true })`, read by `switchboard dashboard`) cost:
 *
 * - idle: the CPU a process with one service spends in `seconds` with reporting at the default
 *   interval, against the same process without (each in its own child, side by side, on a Redis
 *   at --url);
 * - per request: the CPU of sequential requests on the embedded broker, reporting on against
 *   off, in alternating rounds (the collector sits on the path of every request and message).
 *
 *   npx tsx bench/report-cost.ts --url redis://127.0.0.1:6380 [--seconds 60] [--requests 20000]
 *
 * Prints only; asserts nothing.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { connect } from '../src/index.js'

const args = process.argv.slice(2)
const option = (name: string, fallback: string): string => {
  const at = args.indexOf(`--${name}`)
  return at >= 0 ? (args[at + 1] ?? fallback) : fallback
}

async function idleChild(url: string, report: boolean, seconds: number): Promise<void> {
  const bus = await connect({ url, report, name: `report-cost-${report ? 'on' : 'off'}` })
  const app = bus.service(`report_cost_${report ? 'on' : 'off'}_${process.pid}`)
  app.action('noop', async () => null)
  await app.start()
  const before = process.cpuUsage()
  await new Promise((r) => setTimeout(r, seconds * 1000))
  const used = process.cpuUsage(before)
  await bus.close()
  process.stdout.write(`${JSON.stringify({ report, cpuMs: (used.user + used.system) / 1000 })}\n`)
}

function runChild(
  url: string,
  report: boolean,
  seconds: number,
): Promise<{ report: boolean; cpuMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), 'child', url, String(report), String(seconds)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
    })
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited ${code}`)),
    )
  })
}

async function perRequest(report: boolean, requests: number): Promise<number> {
  const bus = await connect({ url: `memory://report-cost-${report}-${Math.random()}`, report })
  const app = bus.service('echo')
  app.action('echo', async (payload: number) => payload)
  await app.start()
  const caller = bus.caller('echo', { timeoutMs: 5000 })
  for (let i = 0; i < 500; i++) await caller.request('echo', i)
  const before = process.cpuUsage()
  for (let i = 0; i < requests; i++) await caller.request('echo', i)
  const used = process.cpuUsage(before)
  await bus.close()
  return (used.user + used.system) / requests
}

const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN

if (args[0] === 'child') {
  await idleChild(args[1] ?? '', args[2] === 'true', Number(args[3]))
} else {
  const url = option('url', 'redis://127.0.0.1:6379')
  const seconds = Number(option('seconds', '60'))
  const requests = Number(option('requests', '20000'))
  const [on, off] = await Promise.all([runChild(url, true, seconds), runChild(url, false, seconds)])
  console.log(
    `idle, ${seconds} s, one service: reporting every 5 s ${on.cpuMs.toFixed(1)} ms CPU, not reporting ${off.cpuMs.toFixed(1)} ms CPU`,
  )
  const rounds: Record<'on' | 'off', number[]> = { on: [], off: [] }
  for (let round = 0; round < 3; round++) {
    rounds.off.push(await perRequest(false, requests))
    rounds.on.push(await perRequest(true, requests))
  }
  const a = median(rounds.on)
  const b = median(rounds.off)
  console.log(
    `per request (memory broker, caller and service in one process, median of 3 × ${requests}): reporting ${a.toFixed(1)} µs CPU, not reporting ${b.toFixed(1)} µs CPU (${(a / b).toFixed(3)}×)`,
  )
}
