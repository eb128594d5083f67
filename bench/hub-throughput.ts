/**
 * Events per second through the hub (issue 13), end to end: the app publishes N events (awaiting
 * each publish), the hub routes each to one step, and the clock stops when the last step's effect
 * arrives (a message on the `publish` step's channel, or the `call` step's action running). One
 * hub, then two hubs sharing the file; on the embedded broker and on a redis-server of its own.
 * Medians of 3; asserts nothing.
 *
 *   npx esbuild bench/hub-throughput.ts --bundle --platform=node --format=esm --packages=external \
 *     --outfile=bench/results/hub-throughput.mjs && node bench/results/hub-throughput.mjs
 *
 * (bench/results/ is ignored by git, and resolves the project's node_modules.)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect } from '../src/client/connect.js'
import { startRedis } from './lib/redis-launcher.js'

const EVENTS = 2000

async function once(url: string, hubs: number, step: 'publish' | 'call'): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'hub-bench-'))
  const name = `bench${Math.random().toString(36).slice(2, 8)}`
  const file = join(dir, 'routes.yaml')
  const target = step === 'publish' ? `publish: ${name}.out` : `call: ${name}-svc.go`
  await writeFile(file, `name: ${name}\nroutes:\n  ${name}.in:\n    - ${target}\n`)
  const services = await connect(url)
  let arrived = 0
  let allArrived = () => {}
  const all = new Promise<void>((resolve) => {
    allArrived = resolve
  })
  const hit = () => {
    arrived += 1
    if (arrived === EVENTS) allArrived()
  }
  if (step === 'publish') await services.subscribe(`${name}.out`, hit)
  else {
    const svc = services.service(`${name}-svc`, { concurrency: 100 })
    svc.action('go', () => hit())
    await svc.start()
  }
  const hubBuses = await Promise.all(Array.from({ length: hubs }, () => connect(url)))
  await Promise.all(hubBuses.map((bus) => bus.hub(file, { watch: false, concurrency: 50 })))
  const app = await connect(url)
  const started = performance.now()
  for (let i = 0; i < EVENTS; i++) await app.publish(`${name}.in`, { i })
  await all
  const rate = Math.round((EVENTS / (performance.now() - started)) * 1000)
  await Promise.all([services, app, ...hubBuses].map((bus) => bus.close()))
  await rm(dir, { recursive: true, force: true })
  return rate
}

const redis = await startRedis()
try {
  for (const [broker, url] of [
    ['embedded', 'memory://hub-bench'],
    ['redis', redis.url],
  ] as const) {
    for (const hubs of [1, 2]) {
      for (const step of ['publish', 'call'] as const) {
        const rates = [await once(url, hubs, step), await once(url, hubs, step), await once(url, hubs, step)]
        rates.sort((a, b) => a - b)
        console.log(
          `${broker}, ${hubs} hub${hubs > 1 ? 's' : ''}, ${step} step: ${rates[1]} events/s (${rates.join(', ')})`,
        )
      }
    }
  }
} finally {
  await redis.stop()
}
