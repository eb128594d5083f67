#!/usr/bin/env node
// Runs a benchmark entry written in TypeScript: bundles bench/<entry>.ts (and the child roles it
// spawns) with esbuild into node_modules/.cache/switchboard-bench-<tree>, then runs it with node.
// The tree's hash keeps git worktrees that share one node_modules (a symlink) from overwriting
// each other's bundles mid-run.
//   node bench/run.mjs main [--quick ...]    (npm run bench)
//   node bench/run.mjs smoke                 (npm run bench:smoke)
//   node bench/run.mjs heal                  (recovery after a fault heals: a few minutes)
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('..', import.meta.url))
// BENCH_OUT moves the bundle (a directory under the repository, for node_modules to resolve).
const tree = createHash('sha1').update(root).digest('hex').slice(0, 8)
const outdir = process.env.BENCH_OUT
  ? join(root, process.env.BENCH_OUT)
  : join(root, 'node_modules', '.cache', `switchboard-bench-${tree}`)
const [entry = 'main', ...args] = process.argv.slice(2)
if (!['main', 'smoke', 'child', 'decode-cost', 'heal'].includes(entry)) {
  console.error(`usage: node bench/run.mjs main|smoke|decode-cost|heal [args...]`)
  process.exit(2)
}
await build({
  entryPoints: ['main', 'smoke', 'child', 'decode-cost', 'heal'].map((name) => ({
    in: join(root, 'bench', `${name}.ts`),
    out: name,
  })),
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'error',
})
const child = spawn(process.execPath, ['--enable-source-maps', join(outdir, `${entry}.mjs`), ...args], {
  cwd: root,
  stdio: 'inherit',
})
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
