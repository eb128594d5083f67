import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { uniq } from './wait.js'

/**
 * Each process costs about half a second of CPU to start (node, then loading node-redis), and
 * much more on a busy machine: tests that spawn several should allow for it in their timeout.
 *
 * Runs TypeScript programs (the CLI, example scripts, test fixtures) as real processes: each is
 * bundled once with esbuild into node_modules/.cache (so its imports of packages resolve), then
 * run with node. Bundling takes tens of milliseconds; no build of the package is needed.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const CACHE = join(ROOT, 'node_modules', '.cache', 'switchboard-tests')

export interface Bundle {
  /** The .mjs file to run with node. */
  file: string
  remove(): void
}

/** Bundles `entry` (relative to the repository root) into one .mjs named like it. */
export async function bundleTs(entry: string): Promise<Bundle> {
  const dir = join(CACHE, uniq('bundle'))
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `${basename(entry).replace(/\.ts$/, '')}.mjs`)
  await build({
    entryPoints: [resolve(ROOT, entry)],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  })
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

export interface RunOptions {
  /** Added to a clean environment (no SWITCHBOARD_URL, NO_COLOR or FORCE_COLOR from the test's own). */
  env?: Record<string, string>
  /** Written to the child's stdin, which is then closed. */
  stdin?: string
  cwd?: string
  /** Kill the process after this long. @defaultValue 60000 */
  timeoutMs?: number
}

export interface Finished {
  code: number | null
  stdout: string
  stderr: string
}

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const key of [
    'SWITCHBOARD_URL',
    'NO_COLOR',
    'FORCE_COLOR',
    'SWITCHBOARD_LOG_LEVEL',
    'SWITCHBOARD_BENCH_PROGRESS',
  ])
    delete env[key]
  return { ...env, ...extra }
}

/** A running process, whose output is collected as it comes. */
export class Proc {
  readonly child: ChildProcess
  stdout = ''
  stderr = ''
  readonly exited: Promise<Finished>
  readonly #timer: NodeJS.Timeout

  constructor(file: string, args: readonly string[], options: RunOptions = {}) {
    this.child = spawn(process.execPath, [file, ...args], {
      cwd: options.cwd ?? ROOT,
      env: cleanEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    this.child.stdout?.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString()
    })
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString()
    })
    if (options.stdin !== undefined) this.child.stdin?.end(options.stdin)
    this.#timer = setTimeout(() => this.child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
    this.exited = new Promise((resolvePromise) => {
      this.child.once('close', (code) => {
        clearTimeout(this.#timer)
        resolvePromise({ code, stdout: this.stdout, stderr: this.stderr })
      })
    })
  }

  /** Resolves once `pattern` shows up on the stream; rejects if the process exits or `ms` pass first. */
  waitFor(pattern: string | RegExp, stream: 'stdout' | 'stderr' = 'stderr', ms = 30_000): Promise<void> {
    const found = () =>
      typeof pattern === 'string' ? this[stream].includes(pattern) : pattern.test(this[stream])
    return new Promise((resolvePromise, reject) => {
      const check = () => {
        if (!found()) return
        cleanup()
        resolvePromise()
      }
      const onExit = () => {
        cleanup()
        if (found()) resolvePromise()
        else
          reject(
            new Error(
              `process exited before ${stream} showed ${pattern}:\nstdout: ${this.stdout}\nstderr: ${this.stderr}`,
            ),
          )
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(
          new Error(
            `timed out after ${ms} ms waiting for ${pattern} on ${stream}:\nstdout: ${this.stdout}\nstderr: ${this.stderr}`,
          ),
        )
      }, ms)
      const source = stream === 'stdout' ? this.child.stdout : this.child.stderr
      const cleanup = () => {
        clearTimeout(timer)
        source?.off('data', check)
        this.child.off('close', onExit)
      }
      source?.on('data', check)
      this.child.once('close', onExit)
      check()
    })
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal)
  }
}

/** Starts a bundled program. */
export function start(bundle: Bundle, args: readonly string[], options?: RunOptions): Proc {
  return new Proc(bundle.file, args, options)
}

/** Runs a bundled program to the end. */
export function run(bundle: Bundle, args: readonly string[], options?: RunOptions): Promise<Finished> {
  return new Proc(bundle.file, args, options).exited
}
