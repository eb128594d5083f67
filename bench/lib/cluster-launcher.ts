import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { type SpawnedRedis, spawnRedisServer } from './redis-launcher.js'

const run = promisify(execFile)

/**
 * The cluster section's own Redis Cluster: `primaries` redis-servers set up as the suite's single
 * server (no persistence, unlimited pub/sub buffers) plus `--cluster-enabled yes`, joined by
 * `redis-cli --cluster create` with no replicas (a replica would add the replication of every
 * SPUBLISH to what is measured), and killed by pid.
 */
export interface BenchCluster {
  /** `redis+cluster://` naming every node as a seed. */
  url: string
  /** The primaries, each as a `redis://` server of its own. */
  nodes: SpawnedRedis[]
  stop(): Promise<void>
}

export async function startCluster(primaries = 3): Promise<BenchCluster> {
  const nodes = await Promise.all(
    Array.from({ length: primaries }, () =>
      spawnRedisServer(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf']),
    ),
  )
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.stop()))
  }
  try {
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`)
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'])
    await waitUntilOk(nodes)
  } catch (error) {
    await stop()
    throw error
  }
  return { url: `redis+cluster://${nodes.map((node) => `127.0.0.1:${node.port}`).join(',')}`, nodes, stop }
}

/** One redis-cli command on the server at `url` (`redis://`); its output, trimmed. */
export async function cli(url: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-u', url, '--no-auth-warning', ...args])
  return stdout.trim()
}

async function waitUntilOk(nodes: readonly SpawnedRedis[], timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const states = await Promise.all(nodes.map((node) => cli(node.url, 'CLUSTER', 'INFO')))
    if (states.every((info) => info.includes('cluster_state:ok'))) return
    if (Date.now() > until)
      throw new Error(`the bench cluster did not reach cluster_state:ok in ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** The calls of `command` this server counted since its last CONFIG RESETSTAT (INFO commandstats). */
export async function commandCalls(url: string, command: string): Promise<number> {
  const stats = await cli(url, 'INFO', 'commandstats')
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0)
}
