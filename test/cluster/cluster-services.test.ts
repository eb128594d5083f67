import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { InvalidArgumentError } from '../../src/errors.js'
import type { Service } from '../../src/service/service.js'
import { ClusterTransport } from '../../src/transport/cluster/cluster-transport.js'
import { keySlot } from '../../src/transport/cluster/key-slot.js'
import { RawRedis } from '../helpers/raw-redis.js'
import { RedisCluster } from '../helpers/redis-cluster.js'
import { describeRedis, type RedisServer } from '../helpers/redis-server.js'
import { uniq, until } from '../helpers/wait.js'

describeRedis('Redis Cluster: buses, services and slot migration', () => {
  let cluster: RedisCluster
  const buses: Bus[] = []
  const transports: ClusterTransport[] = []
  const open = async (): Promise<Bus> => {
    const bus = await connect({ url: cluster.url })
    buses.push(bus)
    return bus
  }
  beforeAll(async () => {
    cluster = await RedisCluster.start()
  }, 60_000)
  afterEach(async () => {
    await Promise.allSettled([...buses.splice(0), ...transports.splice(0)].map((each) => each.close()))
  })
  afterAll(async () => {
    await cluster?.stop()
  })

  it('spreads channels over the shards, delivers on each, and refuses patterns naming the alternative', async () => {
    const [sub, pub] = await Promise.all([open(), open()])
    const channels = Array.from({ length: 60 }, (_, i) => `${uniq('spread')}-${i}`)
    const owners = new Set(
      await Promise.all(channels.map(async (ch) => (await cluster.primaryOf(keySlot(ch))).port)),
    )
    expect(owners.size).toBe(3)
    const got = new Set<string>()
    await sub.subscribe(channels, (_data, msg) => got.add(msg.channel))
    expect(await pub.numsub(channels[0] as string)).toBe(1)
    const receivers = await Promise.all(channels.map((ch) => pub.publish(ch, { ch })))
    expect(receivers).toEqual(channels.map(() => 1))
    await until(() => got.size === channels.length, 'a message on every channel')
    const refusal = await sub.subscribe('news:*', () => undefined).catch((e: unknown) => e)
    expect(refusal).toBeInstanceOf(InvalidArgumentError)
    expect(String(refusal)).toMatch(/Redis Cluster has no sharded patterns/)
  })

  it('RPC: 3 instances, 600 requests from 2 callers, each handled exactly once, all instances found', async () => {
    const service = uniq('cl-svc')
    const handled: string[][] = []
    const apps: Service[] = []
    for (let i = 0; i < 3; i++) {
      const bus = await open()
      const mine: string[] = []
      handled.push(mine)
      const app: Service = bus.service(service).action('work', (p: { i: number }, ctx) => {
        mine.push(ctx.requestId)
        return { i: p.i }
      })
      await app.start()
      apps.push(app)
    }
    const callers = await Promise.all([open(), open()])
    const results = await Promise.all(
      Array.from({ length: 600 }, (_, i) =>
        (callers[i % 2] as Bus).caller(service, { timeoutMs: 15_000 }).request('work', { i }),
      ),
    )
    expect(results).toEqual(Array.from({ length: 600 }, (_, i) => ({ i })))
    const all = handled.flat()
    expect(all).toHaveLength(600)
    expect(new Set(all).size).toBe(600)
    // Instance discovery (PUBSUB SHARDCHANNELS on every primary) found every instance.
    for (const mine of handled) expect(mine.length).toBeGreaterThan(0)
  })

  it('a Daebus-style caller (plain PUBLISH to the service channel) reaches no service: it needs a bridge', async () => {
    const service = uniq('cl-daebus')
    const bus = await open()
    await bus
      .service(service)
      .action('ping', () => 'pong')
      .start()
    const node = cluster.nodes[0] as RedisServer
    const envelope = JSON.stringify({ action: 'ping', payload: {}, reply_to: 'r', request_id: '1', service })
    // PUBLISH goes to SUBSCRIBE clients only; the service listens with SSUBSCRIBE.
    expect(await cluster.cli(node, '-c', 'PUBLISH', service, envelope)).toBe('0')
  })

  it('a shard channel its server ends in the same read that confirms its SSUBSCRIBE is subscribed again', async () => {
    const sub = new ClusterTransport(cluster.url)
    const pub = new ClusterTransport(cluster.url)
    transports.push(sub, pub)
    const got: string[] = []
    sub.onMessage((_channel, payload) => got.push(Buffer.from(payload).toString()))
    await Promise.all([sub.connect(), pub.connect()])
    const tag = uniq('reassigned')
    const [opener, channel] = [`{${tag}}opener`, `{${tag}}channel`]
    const slot = keySlot(channel)
    const owner = await cluster.primaryOf(slot)
    const ownerId = await cluster.nodeId(owner)
    await sub.subscribe('channel', [opener]) // the shard's subscriber link is open
    const admin = await RawRedis.open(owner.port)
    // Paused, the owner reads the SSUBSCRIBE and then the SETSLOT (which ends the slot's channels)
    // in one turn once resumed, and writes the confirmation and its SUNSUBSCRIBE together.
    owner.pause()
    let subscribed: Promise<void>
    let reassigned: Promise<unknown>
    try {
      subscribed = sub.subscribe('channel', [channel])
      for (let turn = 0; turn < 3; turn++) await new Promise((r) => setImmediate(r)) // SSUBSCRIBE written
      reassigned = admin.command('CLUSTER', 'SETSLOT', String(slot), 'NODE', ownerId)
    } finally {
      owner.resume()
    }
    await Promise.all([subscribed, reassigned]).finally(() => admin.close())
    for (const name of [opener, channel]) {
      await until(async () => (await pub.publish(name, name)) === 1, `${name} to be subscribed again`, 10_000)
    }
    await until(() => got.includes(opener) && got.includes(channel), 'both messages', 5_000)
  })

  it('in-place slot migration during a steady stream: the subscription follows its slot; nothing counted is lost', async () => {
    const sub = new ClusterTransport(cluster.url)
    const pub = new ClusterTransport(cluster.url)
    transports.push(sub, pub)
    const arrivals: Array<{ n: number; at: number }> = []
    sub.onMessage((_channel, payload) =>
      arrivals.push({ n: Number(Buffer.from(payload).toString()), at: Date.now() }),
    )
    await Promise.all([sub.connect(), pub.connect()])
    const channel = uniq('migrating')
    const slot = keySlot(channel)
    await sub.subscribe('channel', [channel])
    const source = await cluster.primaryOf(slot)
    const target = (await cluster.primaries()).find((node) => node !== source) as RedisServer

    const counted: Array<Promise<number>> = []
    let n = 0
    let streaming = true
    const stream = (async () => {
      while (streaming) {
        counted.push(pub.publish(channel, String(n++)))
        await new Promise((r) => setTimeout(r, 2))
      }
    })()
    let movedAt = 0
    try {
      await until(() => arrivals.length >= 100, 'the stream to flow before the move', 10_000)
      movedAt = Date.now()
      await cluster.moveSlot(slot, target)
      const before = arrivals.length
      await until(() => arrivals.length >= before + 200, 'messages published after the move', 15_000)
    } finally {
      streaming = false // a failed wait must not leave it publishing on closed transports
      await stream
    }
    const receivers = await Promise.all(counted)
    const last = counted.length - 1
    await until(() => arrivals.at(-1)?.n === last || receivers[last] === 0, 'the last message', 5_000)

    // Every message a server counted a receiver for arrived, in order.
    const delivered = receivers.flatMap((r, i) => (r > 0 ? [i] : []))
    expect(arrivals.map((a) => a.n)).toEqual(delivered)
    expect(await cluster.cli(target, 'PUBSUB', 'SHARDNUMSUB', channel)).toBe(`${channel}\n1`)
    expect(sub.ownerOf(channel)?.port).toBe(target.port)
    let gap = 0
    for (let i = 1; i < arrivals.length; i++) {
      const { at } = arrivals[i] as { at: number }
      if (at >= movedAt) gap = Math.max(gap, at - (arrivals[i - 1] as { at: number }).at)
    }
    console.info(
      `slot migration: ${receivers.filter((r) => r === 0).length} of ${receivers.length} messages published while the subscription moved found no receiver; the longest gap between arrivals was ${gap} ms`,
    )
  }, 60_000)
})
