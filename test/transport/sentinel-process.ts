import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, redisServerBinary, tlsServerArgs } from '../helpers/redis-server.js'
import type { TestCertificates } from '../helpers/tls-certs.js'
import { until } from '../helpers/wait.js'

export interface SentinelOptions {
  /** Sentinels that must agree the master is down before a failover. @defaultValue 1 */
  quorum?: number
  /** Silence after which a Sentinel holds the master down. @defaultValue 1000 */
  downAfterMs?: number
  /** @defaultValue 10000 */
  failoverTimeoutMs?: number
  /** Reach the master and replicas over TLS (tls-replication), and serve TLS only... */
  tls?: TestCertificates
  /** ...unless this is true: then clients still reach the Sentinel on a plain port. */
  plainPort?: boolean
}

/** A disposable Redis Sentinel on a free port, monitoring one master as `masterName`. */
export class SentinelProcess {
  readonly port: number
  readonly #tls: TestCertificates | undefined
  #process: ChildProcess
  #dir: string

  private constructor(port: number, child: ChildProcess, dir: string, tls: TestCertificates | undefined) {
    this.port = port
    this.#process = child
    this.#dir = dir
    this.#tls = tls
  }

  static async start(
    masterName: string,
    masterPort: number,
    options: SentinelOptions = {},
  ): Promise<SentinelProcess> {
    if (!redisServerBinary) throw new Error('redis-server is not installed')
    const { quorum = 1, downAfterMs = 1_000, failoverTimeoutMs = 10_000, tls, plainPort = false } = options
    const port = await freePort()
    // Sentinel rewrites its config file, so it gets one of its own in a temporary directory.
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-sentinel-'))
    const config = join(dir, 'sentinel.conf')
    const ports = tls && !plainPort ? ['port 0', `tls-port ${port}`] : [`port ${port}`]
    // The same `--name value` arguments redis-server takes, as config lines.
    const tlsLines = tls ? ['tls-replication yes', ...pairs(tlsServerArgs(tls))] : []
    writeFileSync(
      config,
      [
        ...ports,
        ...tlsLines,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} ${quorum}`,
        `sentinel down-after-milliseconds ${masterName} ${downAfterMs}`,
        `sentinel failover-timeout ${masterName} ${failoverTimeoutMs}`,
        '',
      ].join('\n'),
    )
    const child = spawn(redisServerBinary, [config, '--sentinel'], { stdio: 'ignore' })
    const sentinel = new SentinelProcess(port, child, dir, plainPort ? undefined : tls)
    await until(() => sentinel.#answers(), `sentinel on port ${port}`, 10_000)
    return sentinel
  }

  #answers(): boolean {
    try {
      return this.cli('ping') === 'PONG'
    } catch {
      return false
    }
  }

  cli(...args: string[]): string {
    const tls = this.#tls ? ['--tls', '--cacert', this.#tls.caFile] : []
    return execFileSync('redis-cli', ['-p', String(this.port), ...tls, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
  }

  async stop(): Promise<void> {
    if (this.#process.exitCode === null) {
      const exited = new Promise((r) => this.#process.once('exit', r))
      this.#process.kill('SIGKILL')
      await exited
    }
    rmSync(this.#dir, { recursive: true, force: true })
  }
}

/** ['--a', 'x', '--b', 'y'] as config lines: ['a x', 'b y']. */
function pairs(args: string[]): string[] {
  const lines: string[] = []
  for (let i = 0; i + 1 < args.length; i += 2) lines.push(`${String(args[i]).slice(2)} ${args[i + 1]}`)
  return lines
}
