import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect as tlsConnect } from 'node:tls'
import { describe } from 'vitest'
import { findBinary, freePort, pingRedis } from '../../scripts/redis-process.js'
import type { TestCertificates } from './tls-certs.js'

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

/** How a server is reached, beyond its port. */
export interface RedisServerOptions {
  /**
   * Serve TLS only, with these certificates: `--tls-port` on the port, `--port 0`, clients not
   * asked for a certificate. Replicas and Sentinels of such a server need `--tls-replication yes`.
   */
  tls?: TestCertificates
  /** An ACL user with every right, and the default user turned off: every client must AUTH. */
  user?: { name: string; password: string }
}

export class RedisServer {
  readonly port: number
  readonly extraArgs: string[]
  readonly options: RedisServerOptions
  #process: ChildProcess | undefined
  #dir: string

  private constructor(port: number, extraArgs: string[], options: RedisServerOptions) {
    this.port = port
    this.extraArgs = extraArgs
    this.options = options
    this.#dir = mkdtempSync(join(tmpdir(), 'switchboard-redis-'))
  }

  static async start(extraArgs: string[] = [], options: RedisServerOptions = {}): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), extraArgs, options)
    await server.#spawn()
    return server
  }

  /** `redis://` or, with TLS, `rediss://`, with the user's credentials when it has one. */
  get url(): string {
    const { tls, user } = this.options
    const auth = user ? `${encodeURIComponent(user.name)}:${encodeURIComponent(user.password)}@` : ''
    return `${tls ? 'rediss' : 'redis'}://${auth}127.0.0.1:${this.port}`
  }

  get pid(): number | undefined {
    return this.#process?.pid
  }

  async #spawn(): Promise<void> {
    if (!redisServerBinary) throw new Error('redis-server is not installed')
    const { tls, user } = this.options
    const args = tls
      ? ['--port', '0', '--tls-port', String(this.port), ...tlsServerArgs(tls)]
      : ['--port', String(this.port)]
    args.push('--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.#dir)
    if (user)
      args.push(
        '--user',
        'default',
        'off',
        '--user',
        user.name,
        'on',
        `>${user.password}`,
        '~*',
        '&*',
        '+@all',
      )
    args.push(...this.extraArgs)
    const child = spawn(redisServerBinary, args, { stdio: 'ignore' })
    this.#process = child
    await waitFor(
      () => (tls ? answersOverTls(this.port, tls) : pingRedis(this.port)),
      `redis-server on port ${this.port}`,
    )
  }

  /** Runs a redis-cli command against this server (over TLS, as the user, when so started). */
  cli(...args: string[]): string {
    return execFileSync('redis-cli', [...this.cliArgs(), ...args], { encoding: 'utf8' }).trim()
  }

  /** The redis-cli arguments that reach this server. */
  cliArgs(): string[] {
    const { tls, user } = this.options
    const args = ['-p', String(this.port)]
    if (tls) args.push('--tls', '--cacert', tls.caFile)
    if (user) args.push('--user', user.name, '--pass', user.password, '--no-auth-warning')
    return args
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

/** The arguments that make redis-server or redis-sentinel serve TLS with `certs`. */
export function tlsServerArgs(certs: TestCertificates): string[] {
  return [
    '--tls-cert-file',
    certs.certFile,
    '--tls-key-file',
    certs.keyFile,
    '--tls-ca-cert-file',
    certs.caFile,
    '--tls-auth-clients',
    'no',
  ]
}

/** True when a TLS server on 127.0.0.1:port, trusted through `certs`, answers a PING at all. */
function answersOverTls(port: number, certs: TestCertificates): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca: certs.ca })
    const done = (ok: boolean): void => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once('error', () => done(false))
    socket.once('secureConnect', () => socket.write('PING\r\n'))
    // -NOAUTH is an answer too: the server is up, and wants a password.
    socket.once('data', (d) => done(/^(\+PONG|-NOAUTH)/.test(d.toString())))
  })
}
