import { ConnectionError } from '../../errors.js'
import { explain } from '../redis/connection-error.js'
import { createNodeRedisClient, destroyQuietly } from '../redis/node-redis-client.js'
import type { ResolvedRedisTransportOptions } from '../redis/redis-transport-options.js'
import type { ClusterUrl, HostPort, RedisUrl } from '../url.js'
import { SlotMap } from './slot-map.js'

/** What one node said when asked for the topology. */
type Answer =
  | { kind: 'map'; map: SlotMap }
  | { kind: 'not-cluster'; node: string }
  | { kind: 'not-ok'; node: string; state: string }
  | { kind: 'unreachable'; node: string; reason: string }

/** The address of a node, with the URL's credentials. */
export function nodeTarget(cluster: ClusterUrl, node: HostPort): RedisUrl {
  return {
    scheme: 'redis',
    tls: false,
    host: node.host,
    port: node.port,
    db: 0,
    username: cluster.username,
    password: cluster.password,
  }
}

/**
 * Asks nodes, one after the other, which primary serves each slot: the first node that is in
 * cluster mode and says cluster_state:ok gives the map. When none does, the ConnectionError says
 * why for each (unreachable, not in cluster mode, state not ok) and what to do; it names the
 * masked URL, never a password.
 */
export async function discoverSlots(
  cluster: ClusterUrl,
  nodes: readonly HostPort[],
  options: ResolvedRedisTransportOptions,
  url: string,
): Promise<SlotMap> {
  const answers: Answer[] = []
  for (const node of nodes) {
    const answer = await ask(nodeTarget(cluster, node), options)
    if (answer.kind === 'map') return answer.map
    answers.push(answer)
  }
  throw new ConnectionError(`${url}: ${describeFailures(answers)}`, { url })
}

async function ask(target: RedisUrl, options: ResolvedRedisTransportOptions): Promise<Answer> {
  const node = `${target.host}:${target.port}`
  const client = createNodeRedisClient(target, options, 'topo')
  client.on('error', () => undefined)
  const deadline = setTimeout(() => destroyQuietly(client), options.connectTimeoutMs)
  try {
    await client.connect()
    let info: string
    try {
      info = String(await client.sendCommand(['CLUSTER', 'INFO']))
    } catch (error) {
      if (/cluster support disabled/i.test(explain(error))) return { kind: 'not-cluster', node }
      throw error
    }
    const state = /cluster_state:(\w+)/.exec(info)?.[1] ?? 'unknown'
    if (state !== 'ok') return { kind: 'not-ok', node, state }
    const map = SlotMap.fromClusterSlots(await client.sendCommand(['CLUSTER', 'SLOTS']), target.host)
    return { kind: 'map', map }
  } catch (error) {
    return { kind: 'unreachable', node, reason: explain(error) }
  } finally {
    clearTimeout(deadline)
    destroyQuietly(client)
  }
}

function describeFailures(answers: readonly Answer[]): string {
  const notCluster = answers.filter((a) => a.kind === 'not-cluster').map((a) => ('node' in a ? a.node : ''))
  if (notCluster.length > 0) {
    return `${notCluster.join(', ')} ${notCluster.length === 1 ? 'is' : 'are'} not in cluster mode (cluster-enabled no): use redis:// for a single server, or start the nodes with --cluster-enabled yes`
  }
  const notOk = answers.flatMap((a) =>
    a.kind === 'not-ok' ? [`${a.node} says cluster_state:${a.state}`] : [],
  )
  if (notOk.length > 0) {
    return `the cluster is not serving every slot (${notOk.join('; ')}): wait for it to heal, or check it with redis-cli --cluster check and repair it with redis-cli --cluster fix`
  }
  const unreachable = answers.flatMap((a) => (a.kind === 'unreachable' ? [`${a.node}: ${a.reason}`] : []))
  return `no cluster node answered (${unreachable.join('; ')}): check the host list of the URL and that the nodes are running`
}
