import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { ConsoleLogger } from '../../src/observe/console-logger.js'
import { busStatusLog } from '../helpers/bus-status.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { Timeline } from '../helpers/timeline.js'
import { uniq, until } from '../helpers/wait.js'
import { SentinelProcess } from '../transport/sentinel-process.js'

/**
 * Issue 9 point 8: a primary that dies (SIGKILL), not one failed over by command. Three Sentinels
 * with a quorum of two must notice, agree and promote the replica; the buses must find it and
 * work there. The Sentinels' timings are short (down after 1 s) so that this takes seconds.
 */
describeRedis('Bus through three Sentinels when the primary is killed', () => {
  const name = 'sbkill'
  let primary: RedisServer
  let replica: RedisServer
  const sentinels: SentinelProcess[] = []
  const buses: Bus[] = []

  beforeAll(async () => {
    // Without a delay, a replica syncs at once instead of after 5 s (Redis's default).
    primary = await RedisServer.start(['--repl-diskless-sync-delay', '0'])
    replica = await RedisServer.start(['--replicaof', '127.0.0.1', String(primary.port)])
    await until(
      () => replica.cli('info', 'replication').includes('master_link_status:up'),
      'the replica to sync',
    )
    for (let i = 0; i < 3; i++) {
      sentinels.push(
        await SentinelProcess.start(name, primary.port, {
          quorum: 2,
          downAfterMs: 1_000,
          failoverTimeoutMs: 5_000,
        }),
      )
    }
    // A failover needs a quorum that knows each other (they meet through the primary's hello
    // channel, every 2 s) and a replica they all know of.
    await until(
      () =>
        sentinels.every((s) => {
          const known = s.cli('sentinel', 'sentinels', name).match(/^runid$/gm)?.length ?? 0
          return known === 2 && /^slave$/m.test(s.cli('sentinel', 'replicas', name))
        }),
      'the three Sentinels to know each other and the replica',
      20_000,
    )
  }, 40_000)
  afterAll(async () => {
    await Promise.allSettled(buses.splice(0).map((bus) => bus.close()))
    await Promise.all([...sentinels.map((s) => s.stop()), replica?.stop(), primary?.stop()])
  })

  async function open(): Promise<Bus> {
    const url = `redis+sentinel://${sentinels.map((s) => `127.0.0.1:${s.port}`).join(',')}/${name}`
    const bus = await connect({
      url,
      retry: { initialDelayMs: 20, maxDelayMs: 200 },
      redis: { connectTimeoutMs: 1_000, closeTimeoutMs: 200 },
      closeTimeoutMs: 500,
      logger: new ConsoleLogger('error'),
    })
    buses.push(bus)
    return bus
  }

  it('after SIGKILL of the primary: reconnected, then publish, subscribe and RPC work on the promoted replica', async () => {
    const [serving, calling] = [await open(), await open()]
    const ch = uniq('kill')
    const got: string[] = []
    await serving.subscribe(ch, (data) => got.push(String(data)))
    const service = uniq('kill-svc')
    await serving
      .service(service)
      .action('echo', (payload: unknown) => ({ echoed: payload }))
      .start()
    const caller = calling.caller(service, { timeoutMs: 5_000 })
    // Everything works before: the caller's reply channel is subscribed too.
    expect(await caller.request('echo', 'before')).toEqual({ echoed: 'before' })
    expect(await calling.publish(ch, 'before')).toBe(1)
    await until(() => got.includes('before'), 'the message before the kill')

    // Times count from the kill.
    const timeline = new Timeline()
    const logs = [busStatusLog(serving, timeline), busStatusLog(calling, timeline)]
    timeline.mark('SIGKILL the primary')
    await primary.kill()
    await timeline.explain(Promise.all(logs.map((log) => log.next('reconnected', 1, 30_000))))
    const reconnectedMs = timeline.events.filter((e) => e.what === 'reconnected').map((e) => e.atMs)
    // The measurement for the README: from the kill to `reconnected` on each bus.
    console.info(
      `Sentinel, primary SIGKILLed: reconnected after ${reconnectedMs.join(' and ')} ms (${timeline})`,
    )

    expect(replica.cli('role').split('\n')[0]).toBe('master')
    // The subscription made before the kill was restored on the new primary...
    expect(await calling.publish(ch, 'after')).toBe(1)
    await until(() => got.includes('after'), 'the message after the failover')
    // ...a new one works there...
    const fresh = uniq('kill-new')
    await serving.subscribe(fresh, (data) => got.push(String(data)))
    expect(await calling.publish(fresh, 'new')).toBe(1)
    await until(() => got.includes('new'), 'a message to a subscription made after the failover')
    // ...and so does RPC, both ways: the service's request channel and the caller's reply channel.
    expect(await caller.request('echo', 'after')).toEqual({ echoed: 'after' })
    expect(replica.cli('pubsub', 'numsub', ch, fresh)).toBe(`${ch}\n1\n${fresh}\n1`)
  }, 60_000)
})
