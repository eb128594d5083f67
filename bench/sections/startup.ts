import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { findBinary } from '../../scripts/redis-process.js'
import { ensureBuilt } from '../lib/built-package.js'
import { median, ms, ratio } from '../lib/stats.js'
import { medianRatio, type SectionDef } from './section.js'

/**
 * Start-up, as a user meets it (issue 15 point 5): whole processes, each spawned, timed from
 * spawn to exit, and checked to have exited 0. A library row is `node file.mjs` that imports
 * the package, connects with a redis:// URL, publishes once and closes; switchboard's imports
 * the built package (dist/, by its name, as a user would), the raw clients theirs. The CLI rows
 * are `switchboard pub` (the built bin) and `redis-cli publish`.
 */

const CHANNEL = 'bench:startup'
const DATA = '{"n":1}'

interface Contender {
  name: string
  /** The row whose process this one is compared with, per run. */
  versus?: string
  command(url: string, host: string, port: number): [string, string[]] | undefined
}

/** The scripts a library row runs: what a user's smallest program would be. */
const SCRIPTS: Record<string, string> = {
  'node (empty script)': '',
  switchboard: `import { connect } from 'switchboard'
const bus = await connect(process.argv[2])
await bus.publish('${CHANNEL}', ${DATA})
await bus.close()
`,
  'node-redis': `import { createClient } from 'redis'
const client = createClient({ url: process.argv[2] })
await client.connect()
await client.publish('${CHANNEL}', '${DATA}')
await client.close()
`,
  ioredis: `import { Redis } from 'ioredis'
const client = new Redis(process.argv[2])
await client.publish('${CHANNEL}', '${DATA}')
await client.quit()
`,
}

function contenders(root: string, scriptDir: string): Contender[] {
  const library = (name: string): Contender => ({
    name,
    // The empty script is the floor (node itself), not a contender.
    ...(name === 'node-redis' || name === 'node (empty script)' ? {} : { versus: 'node-redis' }),
    command: (url) => [process.execPath, [join(scriptDir, `${name.replace(/\W+/g, '-')}.mjs`), url]],
  })
  const redisCli = findBinary('redis-cli')
  return [
    ...Object.keys(SCRIPTS).map(library),
    {
      name: 'switchboard pub',
      versus: 'redis-cli publish',
      command: (url) => [
        process.execPath,
        [join(root, 'dist', 'cli.js'), 'pub', '--url', url, CHANNEL, DATA],
      ],
    },
    {
      name: 'redis-cli publish',
      command: (_url, host, port) =>
        redisCli ? [redisCli, ['-h', host, '-p', String(port), 'publish', CHANNEL, DATA]] : undefined,
    },
  ]
}

/** Wall milliseconds from spawn to exit; rejects unless it exits 0. */
function timeProcess(file: string, args: readonly string[], cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(file, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.on('error', reject)
    child.on('exit', (code) => {
      const wall = performance.now() - started
      if (code === 0) resolve(wall)
      else reject(new Error(`${file} ${args.join(' ')} exited ${code}: ${stderr.trim()}`))
    })
  })
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
}

interface Row {
  impl: string
  /** Per run: the median and the p90 wall ms of its processes. */
  medians: number[]
  p90s: number[]
  median: number
  p90: number
  versus: string | undefined
  ratio: number
}

/** Issue 15 point 5: switchboard's process ≤ 1.1× node-redis's, and `switchboard pub` ≤ 300 ms. */
function targetNotes(rows: readonly Row[]): string[] {
  const sb = rows.find((r) => r.impl === 'switchboard')
  const pub = rows.find((r) => r.impl === 'switchboard pub')
  const verdict = (met: boolean) => (met ? 'met' : 'not met')
  return [
    ...(sb
      ? [`Target: switchboard ≤ 1.10× node-redis: ${ratio(sb.ratio)}, ${verdict(sb.ratio <= 1.1)}.`]
      : []),
    ...(pub ? [`Target: switchboard pub ≤ 300 ms: ${ms(pub.median)}, ${verdict(pub.median <= 300)}.`] : []),
  ]
}

export const startupSection: SectionDef = {
  name: 'startup',
  steps: (o) => o.runs,
  async run(ctx) {
    const root = process.cwd()
    const built = ensureBuilt(root)
    // Under the repository, outside node_modules: 'switchboard' resolves to this checkout's dist/.
    const scriptDir = join(root, 'bench', 'results', 'startup')
    mkdirSync(scriptDir, { recursive: true })
    for (const [name, body] of Object.entries(SCRIPTS))
      writeFileSync(join(scriptDir, `${name.replace(/\W+/g, '-')}.mjs`), body)
    const { url, host, port } = ctx.redis
    const all = contenders(root, scriptDir)
      .map((c) => ({ c, command: c.command(url, host, port) }))
      .filter((each): each is { c: Contender; command: [string, string[]] } => each.command !== undefined)
    const processes = Math.max(5, Math.round(15 * ctx.size))
    // Once each, untimed: the first start reads files the others find in the page cache.
    for (const { command } of all) await timeProcess(command[0], command[1], root)
    const walls: Record<string, number[][]> = Object.fromEntries(all.map(({ c }) => [c.name, []]))
    for (let run = 0; run < ctx.options.runs; run++) {
      ctx.progress.step(`startup (run ${run + 1})`)
      const thisRun: Record<string, number[]> = Object.fromEntries(all.map(({ c }) => [c.name, []]))
      // Interleaved, one process of each in turn: a busy moment slows them all alike.
      for (let i = 0; i < processes; i++) {
        for (const { c, command } of all)
          thisRun[c.name]?.push(await timeProcess(command[0], command[1], root))
      }
      for (const { c } of all) walls[c.name]?.push(thisRun[c.name] ?? [])
    }
    const rows: Row[] = all.map(({ c }) => {
      const runs = walls[c.name] ?? []
      const medians = runs.map((r) => median(r))
      const p90s = runs.map((r) => percentile(r, 90))
      const reference = c.versus ? (walls[c.versus] ?? []).map((r) => median(r)) : []
      return {
        impl: c.name,
        medians,
        p90s,
        median: median(medians),
        p90: median(p90s),
        versus: c.versus,
        ratio: c.versus && reference.length > 0 ? medianRatio(medians, reference) : Number.NaN,
      }
    })
    return {
      title: `Start-up: whole processes (import, connect, one publish, close), ${processes} of each per run, wall time`,
      table: [
        ['process', 'median', 'p90', 'ratio', 'runs (medians)'],
        ...rows.map((r) => [
          r.impl,
          ms(r.median),
          ms(r.p90),
          r.versus ? `${ratio(r.ratio)} ${r.versus}` : '',
          r.medians.map((m) => m.toFixed(0)).join(' '),
        ]),
      ],
      notes: [
        ...targetNotes(rows),
        `Each process is timed from spawn to exit by the parent. switchboard imports dist/ (${built}).`,
        'The library rows publish a 7-byte JSON text (switchboard its object, msgpack-encoded).',
      ],
      data: { processes, rows },
    }
  },
}
