import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { ConnectionError, NoResponderError, TimeoutError } from '../../src/errors.js'
import { keySlot } from '../../src/transport/cluster/key-slot.js'
import { RedisCluster } from '../helpers/redis-cluster.js'
import { describeRedis, type RedisServer } from '../helpers/redis-server.js'
import { deferred, uniq, until, withTimeout } from '../helpers/wait.js'

/** A channel whose slot `primary` serves. */
async function channelOn(cluster: RedisCluster, primary: RedisServer, prefix: string): Promise<string> {
  for (let i = 0; i < 10_000; i++) {
    const name = `${prefix}-${i}`
    if ((await cluster.primaryOf(keySlot(name))) === primary) return name
  }
  throw new Error('no channel found on that primary')
}

describeRedis('Redis Cluster: a primary killed (SIGKILL), its replica promoted', () => {
  let cluster: RedisCluster
  const buses: Bus[] = []
  beforeAll(async () => {
    cluster = await RedisCluster.start()
  }, 60_000)
  afterAll(async () => {
    await Promise.allSettled(buses.map((bus) => bus.close()))
    await cluster?.stop()
  })

  it('subscriptions, publishes and RPC resume on the new primary; nothing hangs meanwhile', async () => {
    const open = async () => {
      const bus = await connect({ url: cluster.url })
      buses.push(bus)
      return bus
    }
    const [serving, calling] = await Promise.all([open(), open()])
    const victim = (await cluster.primaries())[0] as RedisServer
    const channel = await channelOn(cluster, victim, uniq('fo'))
    const service = uniq('fo-svc')
    const received: string[] = []
    await serving.subscribe(channel, (data) => received.push(String(data)))
    const app = serving.service(service).action('echo', (payload: { n: number }) => payload)
    await app.start()
    const caller = calling.caller(service, { timeoutMs: 3_000 })
    expect(await caller.request('echo', { n: 1 })).toEqual({ n: 1 })
    expect(await calling.publish(channel, 'before')).toBe(1)

    const reconnected = [deferred<number>(), deferred<number>()]
    serving.on('reconnected', () => reconnected[0]?.resolve(Date.now()))
    calling.on('reconnected', () => reconnected[1]?.resolve(Date.now()))
    const [replica] = await cluster.replicasOf(victim)
    if (!replica) throw new Error('the victim has no replica')
    serving.on('error', () => undefined)
    calling.on('error', () => undefined)

    const killedAt = Date.now()
    await victim.kill()
    // Meanwhile, calls settle: they fail with ConnectionError (or time out), never hang.
    const during = await withTimeout(
      calling.publish(channel, 'during').then(
        (receivers) => receivers,
        (error: unknown) => error,
      ),
      'a publish while the primary is down',
      10_000,
    )
    if (typeof during !== 'number') expect(during).toBeInstanceOf(ConnectionError)
    const rpcDuring = await withTimeout(
      caller.request('echo', { n: 2 }, { timeoutMs: 1_000 }).then(
        () => 'answered',
        (error: unknown) => error,
      ),
      'a request while the primary is down',
      10_000,
    )
    if (rpcDuring !== 'answered') {
      expect(
        [ConnectionError, TimeoutError, NoResponderError].some((type) => rpcDuring instanceof type),
        String(rpcDuring),
      ).toBe(true)
    }

    // The moment the replica calls itself master, to within the 20 ms of polling.
    let promotedAt = 0
    await until(
      async () => {
        promotedAt = Date.now()
        return (await cluster.cli(replica, 'ROLE')).startsWith('master')
      },
      'the replica to be promoted',
      30_000,
    )
    const resumedAt = Math.max(
      ...(await withTimeout(
        Promise.all(reconnected.map((d) => d.promise)),
        "both buses' reconnected",
        20_000,
      )),
    )
    console.info(
      `failover: promotion seen ${promotedAt - killedAt} ms after the SIGKILL; both buses reconnected ${resumedAt - promotedAt} ms after it`,
    )

    expect(await calling.publish(channel, 'after')).toBe(1)
    await withTimeout(
      (async () => {
        while (!received.includes('after')) await new Promise((r) => setTimeout(r, 10))
      })(),
      'the message published after the failover',
    )
    expect(await caller.request('echo', { n: 3 })).toEqual({ n: 3 })
  }, 90_000)
})
