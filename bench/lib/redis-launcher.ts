import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findBinary, freePort, pingRedis } from '../../scripts/redis-process.js'

/**
 * The benchmark's own redis-server: a free port, no persistence, never the shared one on 6379.
 * Pub/sub output buffers are unlimited, so that a subscriber that reads slower than the
 * publisher writes is measured, not disconnected.
 */

export interface BenchRedis {
  url: string
  host: string
  port: number
  /** True when this process started the server (else SWITCHBOARD_URL named it). */
  owned: boolean
  version: string
  stop(): Promise<void>
}

/** SWITCHBOARD_URL when it names a redis:// server, else a fresh redis-server. */
export async function startRedis(): Promise<BenchRedis> {
  const given = process.env.SWITCHBOARD_URL
  if (given) {
    const url = new URL(given)
    if (url.protocol !== 'redis:')
      throw new Error(`the benchmark needs a redis:// URL, got SWITCHBOARD_URL=${given}`)
    const host = url.hostname || '127.0.0.1'
    const port = Number(url.port || 6379)
    return { url: given, host, port, owned: false, version: 'external', stop: async () => undefined }
  }
  const server = await spawnRedisServer()
  const version =
    execFileSync(server.binary, ['--version'], { encoding: 'utf8' }).match(/v=(\S+)/)?.[1] ?? 'unknown'
  return { url: server.url, host: '127.0.0.1', port: server.port, owned: true, version, stop: server.stop }
}

/** A redis-server this process started: a free port, a directory of its own, killed by pid. */
export interface SpawnedRedis {
  binary: string
  url: string
  port: number
  pid: number
  stop(): Promise<void>
}

/** Starts a redis-server set up as startRedis's, plus `extraArgs`, and waits until it answers PING. */
export async function spawnRedisServer(extraArgs: readonly string[] = []): Promise<SpawnedRedis> {
  const binary = findBinary('redis-server')
  if (!binary)
    throw new Error(
      'redis-server not found: install it (apt-get install redis-server) or set SWITCHBOARD_URL',
    )
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-'))
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']
  args.push('--dir', dir, '--client-output-buffer-limit', 'pubsub 0 0 0', '--loglevel', 'warning')
  const child: ChildProcess = spawn(binary, [...args, ...extraArgs], { stdio: 'ignore' })
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGKILL')
      await exited
    }
    rmSync(dir, { recursive: true, force: true })
  }
  const until = Date.now() + 10_000
  while (!(await pingRedis(port))) {
    if (Date.now() > until || child.exitCode !== null) {
      await stop()
      throw new Error(`redis-server did not start on port ${port}`)
    }
    await new Promise((r) => setTimeout(r, 20))
  }
  return { binary, url: `redis://127.0.0.1:${port}`, port, pid: child.pid as number, stop }
}
