import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, redisServerBinary } from '../helpers/redis-server.js'
import { until } from '../helpers/wait.js'

/** A disposable Redis Sentinel on a free port, monitoring one master as `masterName`. */
export class SentinelProcess {
  readonly port: number
  #process: ChildProcess
  #dir: string

  private constructor(port: number, child: ChildProcess, dir: string) {
    this.port = port
    this.#process = child
    this.#dir = dir
  }

  static async start(masterName: string, masterPort: number): Promise<SentinelProcess> {
    if (!redisServerBinary) throw new Error('redis-server is not installed')
    const port = await freePort()
    // Sentinel rewrites its config file, so it gets one of its own in a temporary directory.
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-sentinel-'))
    const config = join(dir, 'sentinel.conf')
    writeFileSync(
      config,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} 1`,
        `sentinel down-after-milliseconds ${masterName} 1000`,
        `sentinel failover-timeout ${masterName} 10000`,
        '',
      ].join('\n'),
    )
    const child = spawn(redisServerBinary, [config, '--sentinel'], { stdio: 'ignore' })
    const sentinel = new SentinelProcess(port, child, dir)
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
    return execFileSync('redis-cli', ['-p', String(this.port), ...args], {
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
