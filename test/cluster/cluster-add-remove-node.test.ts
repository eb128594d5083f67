import { afterAll, beforeAll, expect, it } from 'vitest'
import { connect } from '../../src/client/connect.js'
import { ConnectionError, NoResponderError, TimeoutError } from '../../src/errors.js'
import { ClusterTransport } from '../../src/transport/cluster/cluster-transport.js'
import { keySlot } from '../../src/transport/cluster/key-slot.js'
import { RedisCluster } from '../helpers/redis-cluster.js'
import { describeRedis } from '../helpers/redis-server.js'
import { uniq, until } from '../helpers/wait.js'

/** Where `redis-cli --cluster create` starts each of 3 primaries' slot ranges. */
const RANGE_STARTS = [10923, 5461, 0]
/** A slot's distance from the start of its range: rebalance moves a range's lowest slots first. */
const offsetInRange = (slot: number): number => slot - (RANGE_STARTS.find((start) => slot >= start) as number)

/** `count` names whose slots lie `low` (offset under 800: they move to a node added) or high (they stay). */
function names(prefix: string, count: number, low: boolean): string[] {
  const found: string[] = []
  for (let i = 0; found.length < count; i++) {
    const name = `${prefix}-${i}`
    const offset = offsetInRange(keySlot(name))
    if (low ? offset < 800 : offset > 4000) found.push(name)
  }
  return found
}

/** A message every 5 ms on each channel: what each publish's receivers were, and what arrived when. */
class SteadyStream {
  readonly sent = new Map<string, Array<Promise<number>>>()
  readonly arrived = new Map<string, Array<{ n: number; at: number }>>()
  #running = true
  readonly #done: Promise<void>

  constructor(pub: ClusterTransport, sub: ClusterTransport, channels: readonly string[]) {
    for (const channel of channels) {
      this.sent.set(channel, [])
      this.arrived.set(channel, [])
    }
    sub.onMessage((channel, payload) =>
      this.arrived.get(channel)?.push({ n: Number(Buffer.from(payload).toString()), at: Date.now() }),
    )
    this.#done = (async () => {
      while (this.#running) {
        for (const channel of channels) {
          const sent = this.sent.get(channel) as Array<Promise<number>>
          // A publish that fails (a shard changing hands) counts as reaching nobody.
          sent.push(pub.publish(channel, String(sent.length)).catch(() => 0))
        }
        await new Promise((r) => setTimeout(r, 5))
      }
    })()
  }

  get arrivals(): number {
    return [...this.arrived.values()].reduce((sum, list) => sum + list.length, 0)
  }

  async stop(): Promise<void> {
    this.#running = false
    await this.#done
  }

  /** Per channel: the messages a server counted a receiver for, and those that arrived, in order. */
  async deliveries(): Promise<Array<{ channel: string; counted: number[]; arrived: number[] }>> {
    return Promise.all(
      [...this.sent].map(async ([channel, sent]) => {
        const receivers = await Promise.all(sent)
        return {
          channel,
          counted: receivers.flatMap((r, n) => (r > 0 ? [n] : [])),
          arrived: (this.arrived.get(channel) ?? []).map((a) => a.n),
        }
      }),
    )
  }

  /** The longest time between two arrivals on `channels` from `since` on, in ms. */
  longestGap(channels: readonly string[], since: number): number {
    let gap = 0
    for (const channel of channels) {
      const list = this.arrived.get(channel) ?? []
      for (let i = 1; i < list.length; i++) {
        const { at } = list[i] as { at: number }
        if (at >= since) gap = Math.max(gap, at - (list[i - 1] as { at: number }).at)
      }
    }
    return gap
  }
}

describeRedis('Redis Cluster: a node added (--cluster add-node, rebalance), then removed (del-node)', () => {
  let cluster: RedisCluster
  const closing: Array<{ close(): Promise<void> }> = []
  beforeAll(async () => {
    cluster = await RedisCluster.start()
  }, 60_000)
  afterAll(async () => {
    await Promise.allSettled(closing.map((each) => each.close()))
    await cluster?.stop()
  })

  it('subscriptions follow their slots both ways during a steady stream; messages after each move arrive; RPC works', async () => {
    // A short topology check: an emptied primary turns into a replica, which answers SPUBLISH
    // without MOVED; the check is how a publisher learns it.
    const options = { topologyCheckMs: 1_000 }
    const sub = new ClusterTransport(cluster.url, options)
    const pub = new ClusterTransport(cluster.url, options)
    const [serving, calling] = await Promise.all([
      connect({ url: cluster.url }),
      connect({ url: cluster.url }),
    ])
    closing.push(sub, pub, serving, calling)
    await Promise.all([sub.connect(), pub.connect()])
    const prefix = uniq('resharded')
    const moving = names(prefix, 6, true)
    const staying = names(`${prefix}-stay`, 3, false)
    const channels = [...moving, ...staying]
    await sub.subscribe('channel', channels)
    const service = (names(uniq('rs-svc'), 1, true)[0] as string).replaceAll('-', '_')
    await serving
      .service(service)
      .action('echo', (payload: { n: number }) => payload)
      .start()
    const caller = calling.caller(service, { timeoutMs: 5_000 })
    expect(await caller.request('echo', { n: 0 })).toEqual({ n: 0 })
    const stream = new SteadyStream(pub, sub, channels)
    await until(() => stream.arrivals >= channels.length * 20, 'the stream to flow', 10_000)

    /** Messages published after a move reach every channel, whichever node serves it now. */
    const afterMove = async (what: string): Promise<void> => {
      const before = new Map(channels.map((ch) => [ch, stream.arrived.get(ch)?.length ?? 0]))
      await until(
        () => channels.every((ch) => (stream.arrived.get(ch)?.length ?? 0) >= (before.get(ch) ?? 0) + 20),
        `messages on every channel after ${what}`,
        20_000,
      )
      // A request during the change may fail as on one node; now it is answered.
      await until(
        async () =>
          (await caller.request('echo', { n: 1 }, { timeoutMs: 2_000 }).then(
            (reply) => (reply as { n: number }).n === 1,
            (error: unknown) => {
              const typed = [ConnectionError, TimeoutError, NoResponderError].some((t) => error instanceof t)
              if (!typed) throw error
              return false
            },
          )) === true,
        `an RPC answer after ${what}`,
        20_000,
      )
    }

    const addedAt = Date.now()
    const added = await cluster.addNode()
    await cluster.rebalance()
    const rebalancedIn = Date.now() - addedAt
    const movedHere = []
    for (const channel of channels)
      if ((await cluster.primaryOf(keySlot(channel))) === added) movedHere.push(channel)
    expect(movedHere.length).toBeGreaterThan(0)
    await afterMove('the rebalance')
    for (const channel of movedHere) {
      expect(sub.ownerOf(channel)?.port).toBe(added.port)
      expect(await cluster.cli(added, 'PUBSUB', 'SHARDNUMSUB', channel)).toBe(`${channel}\n1`)
    }
    // rebalance picks the slots it moves: when the service's is not among them, it moves too, so
    // that RPC is checked across a move of its slot.
    if ((await cluster.primaryOf(keySlot(service))) !== added) {
      await cluster.moveSlot(keySlot(service), added)
      await afterMove("the service's slot moved")
    }
    expect(await cluster.primaryOf(keySlot(service))).toBe(added)
    const addGap = stream.longestGap(movedHere, addedAt)

    const emptiedAt = Date.now()
    await cluster.empty(added)
    await cluster.removeNode(added)
    const removedIn = Date.now() - emptiedAt
    await afterMove('the removal')
    for (const channel of channels) expect(sub.ownerOf(channel)?.port).not.toBe(added.port)
    const removeGap = stream.longestGap(movedHere, emptiedAt)

    await stream.stop()
    await until(
      async () => (await stream.deliveries()).every((d) => d.arrived.length >= d.counted.length),
      'every counted message',
      10_000,
    )
    for (const { counted, arrived } of await stream.deliveries()) {
      // Every message a server counted a receiver for arrived, in order, once.
      expect(arrived).toEqual(counted)
    }
    const receivers = (await Promise.all([...stream.sent.values()].map((sent) => Promise.all(sent)))).flat()
    console.info(
      `add-node + rebalance (${movedHere.length} of ${channels.length} channels and the service moved, ${rebalancedIn} ms): longest gap on a moved channel ${addGap} ms; ` +
        `rebalance to weight 0 + del-node (${removedIn} ms): ${removeGap} ms; ${receivers.filter((r) => r === 0).length} of ${receivers.length} messages found no receiver`,
    )
  }, 180_000)
})
