import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe } from 'vitest'
import { findBinary, freePort, pingRedis } from '../../scripts/redis-process.js'

/**
 * Disposable redis-server processes for tests: each on a free port, never the shared one on 6379.
 * Tests may kill, pause (SIGSTOP) and restart them.
 */

/**
 * What the suite does about Redis: run the Redis suites, skip them (loudly) where redis-server is
 * missing, or fail where it is missing but required (CI=true or SWITCHBOARD_REQUIRE_REDIS=1).
 */
export function redisRequirement(found: boolean, env: NodeJS.ProcessEnv): 'run' | 'skip' | 'fail' {
  if (found) return 'run'
  return env.CI === 'true' || env.SWITCHBOARD_REQUIRE_REDIS === '1' ? 'fail' : 'skip'
}

export const redisServerBinary = findBinary('redis-server')

switch (redisRequirement(redisServerBinary !== undefined, process.env)) {
  case 'fail':
    throw new Error(
      'redis-server not found (apt-get install redis-server), and CI=true or SWITCHBOARD_REQUIRE_REDIS=1 makes that a failure',
    )
  case 'skip':
    console.warn(
      '!!! redis-server not found: the Redis test suites are SKIPPED (apt-get install redis-server) !!!',
    )
}

/** `describe` that runs only where redis-server exists (and fails loudly in CI where it does not). */
export { freePort }

export const describeRedis = redisServerBinary ? describe : describe.skip

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}

export class RedisServer {
  readonly port: number
  readonly extraArgs: string[]
  #process: ChildProcess | undefined
  #dir: string

  private constructor(port: number, extraArgs: string[]) {
    this.port = port
    this.extraArgs = extraArgs
    this.#dir = mkdtempSync(join(tmpdir(), 'switchboard-redis-'))
  }

  static async start(extraArgs: string[] = []): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), extraArgs)
    await server.#spawn()
    return server
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  get pid(): number | undefined {
    return this.#process?.pid
  }

  async #spawn(): Promise<void> {
    if (!redisServerBinary) throw new Error('redis-server is not installed')
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']
    args.push('--dir', this.#dir, ...this.extraArgs)
    const child = spawn(redisServerBinary, args, { stdio: 'ignore' })
    this.#process = child
    await waitFor(() => pingRedis(this.port), `redis-server on port ${this.port}`)
  }

  /** Runs a redis-cli command against this server and returns its output. */
  cli(...args: string[]): string {
    return execFileSync('redis-cli', ['-p', String(this.port), ...args], { encoding: 'utf8' }).trim()
  }

  /** Kills the process (SIGKILL) and waits until the port no longer answers. */
  async kill(): Promise<void> {
    const child = this.#process
    if (!child || child.exitCode !== null) return
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGKILL')
    await exited
    this.#process = undefined
  }

  /** Starts the server again on the same port. */
  async restart(): Promise<void> {
    await this.kill()
    await this.#spawn()
  }

  pause(): void {
    this.#process?.kill('SIGSTOP')
  }

  resume(): void {
    this.#process?.kill('SIGCONT')
  }

  async stop(): Promise<void> {
    this.resume()
    await this.kill()
    rmSync(this.#dir, { recursive: true, force: true })
  }
}
