import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { RedisServer } from './redis-server.js'

const run = promisify(execFile)

/**
 * A disposable Redis Cluster for tests: 3 primaries and 3 replicas (or as many as asked), each a
 * RedisServer on a free port with `--cluster-enabled yes`, joined by `redis-cli --cluster create`.
 * A short node timeout makes a killed primary's replica take over in about 2 s, so that failover
 * tests stay within CI time.
 */
export class RedisCluster {
  readonly nodes: RedisServer[]
  readonly #nodeTimeoutMs: number

  private constructor(nodes: RedisServer[], nodeTimeoutMs: number) {
    this.nodes = nodes
    this.#nodeTimeoutMs = nodeTimeoutMs
  }

  /** Starts `primaries` primaries with `replicas` replicas each, and waits for cluster_state:ok everywhere. */
  static async start(primaries = 3, replicas = 1, nodeTimeoutMs = 1000): Promise<RedisCluster> {
    const nodes = await Promise.all(
      Array.from({ length: primaries * (1 + replicas) }, () => RedisServer.start(clusterArgs(nodeTimeoutMs))),
    )
    const cluster = new RedisCluster(nodes, nodeTimeoutMs)
    try {
      await run('redis-cli', [
        '--cluster',
        'create',
        ...nodes.map((node) => `127.0.0.1:${node.port}`),
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ])
      await cluster.waitUntilOk()
    } catch (error) {
      await cluster.stop()
      throw error
    }
    return cluster
  }

  /** `redis+cluster://` naming every node as a seed. */
  get url(): string {
    return `redis+cluster://${this.nodes.map((node) => `127.0.0.1:${node.port}`).join(',')}`
  }

  /** The nodes that are up. */
  get running(): RedisServer[] {
    return this.nodes.filter((node) => node.pid !== undefined)
  }

  /** Waits until every running node says cluster_state:ok and agrees on who serves every slot. */
  async waitUntilOk(timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs
    for (;;) {
      if (await this.#allOk()) return
      if (Date.now() > until) throw new Error(`the cluster did not reach cluster_state:ok in ${timeoutMs} ms`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  async #allOk(): Promise<boolean> {
    try {
      const answers = await Promise.all(
        this.running.map(async (node) => {
          const info = await this.cli(node, 'CLUSTER', 'INFO')
          const slots = await this.cli(node, 'CLUSTER', 'SLOTS')
          return { ok: info.includes('cluster_state:ok'), slots }
        }),
      )
      return answers.every((each) => each.ok) && new Set(answers.map((each) => each.slots)).size === 1
    } catch {
      return false
    }
  }

  /** The primary that serves `slot`, asked of a running node. */
  async primaryOf(slot: number): Promise<RedisServer> {
    const node = this.running[0] as RedisServer
    const ports = (await this.cli(node, 'CLUSTER', 'SLOTS')).split('\n')
    // redis-cli prints CLUSTER SLOTS flat: start, end, primary host, port, id, replicas...
    for (let i = 0; i + 3 < ports.length; i++) {
      const start = Number(ports[i])
      const end = Number(ports[i + 1])
      if (ports[i + 2] === '127.0.0.1' && slot >= start && slot <= end) {
        const port = Number(ports[i + 3])
        const found = this.nodes.find((each) => each.port === port)
        if (found) return found
      }
    }
    throw new Error(`no primary serves slot ${slot}`)
  }

  /** The primaries, as the running nodes see them now. */
  async primaries(): Promise<RedisServer[]> {
    const roles = await Promise.all(
      this.running.map(async (node) => [node, await this.cli(node, 'ROLE')] as const),
    )
    return roles.filter(([, role]) => role.startsWith('master')).map(([node]) => node)
  }

  /** The replicas of `primary`, as they say (ROLE). */
  async replicasOf(primary: RedisServer): Promise<RedisServer[]> {
    const roles = await Promise.all(
      this.running.map(async (node) => [node, await this.cli(node, 'ROLE')] as const),
    )
    return roles
      .filter(([, role]) => role.startsWith('slave') && role.split('\n')[2] === String(primary.port))
      .map(([node]) => node)
  }

  /** Starts a node and joins it to the cluster as a primary serving no slot (--cluster add-node). */
  async addNode(): Promise<RedisServer> {
    const node = await RedisServer.start(clusterArgs(this.#nodeTimeoutMs))
    this.nodes.push(node)
    const seed = this.running[0] as RedisServer
    await run('redis-cli', ['--cluster', 'add-node', `127.0.0.1:${node.port}`, `127.0.0.1:${seed.port}`])
    await this.waitUntilOk()
    return node
  }

  /** Takes a node that serves no slot out of the cluster (--cluster del-node) and stops it. */
  async removeNode(node: RedisServer): Promise<void> {
    const seed = this.running.find((each) => each !== node) as RedisServer
    await run('redis-cli', ['--cluster', 'del-node', `127.0.0.1:${seed.port}`, await this.nodeId(node)])
    await node.stop()
    this.nodes.splice(this.nodes.indexOf(node), 1)
    await this.waitUntilOk()
  }

  /**
   * Spreads the slots evenly over the primaries, the empty ones included (`--cluster rebalance
   * --cluster-use-empty-masters`): a node just added gets its share, moved slot by slot in place.
   */
  async rebalance(): Promise<void> {
    await this.#redisCli('rebalance', '--cluster-use-empty-masters')
  }

  /**
   * Moves every slot of `node` to the other primaries (`--cluster rebalance` with its weight at
   * 0). Emptied, it turns into a replica of the node that took its last slot.
   */
  async empty(node: RedisServer): Promise<void> {
    await this.#redisCli('rebalance', '--cluster-weight', `${await this.nodeId(node)}=0`)
  }

  async #redisCli(command: string, ...args: string[]): Promise<void> {
    const seed = this.running[0] as RedisServer
    await run('redis-cli', ['--cluster', command, `127.0.0.1:${seed.port}`, ...args], { timeout: 120_000 })
    await this.waitUntilOk()
  }

  /** Moves one slot, with no keys in it, from its primary to `to`, in place (CLUSTER SETSLOT). */
  async moveSlot(slot: number, to: RedisServer): Promise<void> {
    const from = await this.primaryOf(slot)
    const [fromId, toId] = await Promise.all([this.nodeId(from), this.nodeId(to)])
    await this.cli(to, 'CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', fromId)
    await this.cli(from, 'CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', toId)
    for (const node of [to, from, ...(await this.primaries())]) {
      await this.cli(node, 'CLUSTER', 'SETSLOT', String(slot), 'NODE', toId)
    }
  }

  /** The node id of `node` (CLUSTER MYID). */
  nodeId(node: RedisServer): Promise<string> {
    return this.cli(node, 'CLUSTER', 'MYID')
  }

  async cli(node: RedisServer, ...args: string[]): Promise<string> {
    const { stdout } = await run('redis-cli', [...node.cliArgs(), ...args])
    return stdout.trim()
  }

  /** Kills every node by pid and removes their directories. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()))
  }
}

function clusterArgs(nodeTimeoutMs: number): string[] {
  return [
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    'nodes.conf',
    '--cluster-node-timeout',
    String(nodeTimeoutMs),
    // A replica takes over however long it was cut off: tests kill primaries on purpose.
    '--cluster-replica-validity-factor',
    '0',
  ]
}
