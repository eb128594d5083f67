/**
 * The benchmark suite: `npm run bench` (see bench/README.md). It starts its own redis-server
 * (or uses SWITCHBOARD_URL), measures switchboard side by side with raw node-redis, ioredis,
 * Moleculer, BullMQ and redis-benchmark, prints a table per section and writes bench/results/latest.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { dirname } from 'node:path'
import { type BenchOptions, parseOptions, type Section, USAGE } from './lib/options.js'
import { Progress } from './lib/progress.js'
import { startRedis } from './lib/redis-launcher.js'
import { table } from './lib/stats.js'
import { judgeTargets } from './lib/targets.js'
import { clusterSection } from './sections/cluster.js'
import { durableSection } from './sections/durable.js'
import { e2eSection } from './sections/end-to-end.js'
import { latencySection } from './sections/latency.js'
import { observeSection } from './sections/observe.js'
import { physicalSection } from './sections/physical.js'
import { publishSection } from './sections/publish.js'
import { rpcSection } from './sections/rpc.js'
import { scaleSection } from './sections/scale.js'
import type { SectionDef, SectionResult } from './sections/section.js'
import { startupSection } from './sections/startup.js'

const ALL: SectionDef[] = [
  publishSection,
  e2eSection,
  latencySection,
  rpcSection,
  physicalSection,
  scaleSection,
  durableSection,
  startupSection,
  clusterSection,
  observeSection,
]

function machine() {
  const list = cpus()
  return {
    cpus: list.length,
    cpuModel: list[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  }
}

function print(result: SectionResult): void {
  console.log(`\n## ${result.title}\n`)
  if (result.table.length > 0) console.log(table(result.table))
  for (const note of result.notes) console.log(`  ${note}`)
}

async function main(options: BenchOptions): Promise<void> {
  const started = new Date()
  const redis = await startRedis()
  const progress = new Progress()
  const sections = ALL.filter((s) => options.sections.includes(s.name))
  for (const s of sections) progress.plan(s.steps(options))
  const info = {
    ...machine(),
    redis: redis.version,
    redisOwned: redis.owned,
    loadAtStart: loadavg(),
    loadAtEnd: [0],
  }
  console.log(
    `switchboard benchmark — ${info.cpus} × ${info.cpuModel}, ${info.memoryGiB} GiB, node ${info.node}, redis ${info.redis}` +
      `${options.quick ? ', --quick' : ''}; ${options.runs} runs a row, medians`,
  )
  const earlier: Partial<Record<Section, SectionResult>> = {}
  try {
    for (const section of sections) {
      const result = await section.run({ redis, options, progress, size: options.quick ? 1 / 3 : 1, earlier })
      earlier[section.name] = result
      progress.clear()
      print(result)
    }
  } finally {
    await redis.stop()
  }
  info.loadAtEnd = loadavg()
  console.log(
    `\nLoad average (1, 5, 15 min): ${info.loadAtStart.map((l) => l.toFixed(1)).join(' ')} at the start, ${info.loadAtEnd.map((l) => l.toFixed(1)).join(' ')} at the end.`,
  )
  const targets = judgeTargets(earlier)
  if (targets.length > 0) {
    console.log('\n## Targets (issues 4, 11 and 12)\n')
    console.log(
      table([
        ['target', 'measured', 'met'],
        ...targets.map((t) => [t.target, t.measured, t.met === undefined ? '—' : t.met ? 'yes' : 'no']),
      ]),
    )
  }
  const seconds = (Date.now() - started.getTime()) / 1000
  const results = {
    startedAt: started.toISOString(),
    seconds,
    machine: info,
    options,
    sections: Object.fromEntries(
      Object.entries(earlier).map(([k, v]) => [k, { title: v.title, table: v.table, data: v.data }]),
    ),
    targets,
  }
  mkdirSync(dirname(options.json), { recursive: true })
  writeFileSync(options.json, `${JSON.stringify(results, null, 2)}\n`)
  console.log(`\n${Math.round(seconds)} s; results in ${options.json}`)
}

let options: BenchOptions | 'help'
try {
  options = parseOptions(process.argv.slice(2))
} catch (error) {
  console.error((error as Error).message)
  process.exit(2)
}
if (options === 'help') {
  console.log(USAGE)
} else {
  await main(options).catch((error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error))
    process.exit(1)
  })
}
