import { afterEach, beforeEach, expect, it } from 'vitest'
import { ConnectionError } from '../../src/errors.js'
import { RedisTransport } from '../../src/transport/redis/redis-transport.js'
import { bytes } from '../contract/inbox.js'
import { describeRedis, freePort, RedisServer } from '../helpers/redis-server.js'
import { TcpProxy } from '../helpers/tcp-proxy.js'
import { uniq, until } from '../helpers/wait.js'
import { connectedTransport, FAST, type Fixture } from './redis-fixtures.js'
import { SentinelProcess } from './sentinel-process.js'

describeRedis('RedisTransport through Sentinel', () => {
  let master: RedisServer
  let replica: RedisServer
  let sentinel: SentinelProcess
  const fixtures: Fixture[] = []
  const name = 'sbmaster'
  const sentinelUrl = () => `redis+sentinel://127.0.0.1:${sentinel.port}/${name}`

  beforeEach(async () => {
    // Without a delay, a replica syncs at once instead of after 5 s (Redis's default).
    master = await RedisServer.start(['--repl-diskless-sync-delay', '0'])
    replica = await RedisServer.start(['--replicaof', '127.0.0.1', String(master.port)])
    await until(
      () => replica.cli('info', 'replication').includes('master_link_status:up'),
      'the replica to sync',
    )
    sentinel = await SentinelProcess.start(name, master.port)
    // A failover needs a replica the Sentinel knows of and finds healthy. It lists a replica as
    // soon as the master's INFO names it, but refuses it (NOGOODSLAVE) until the replica's own
    // INFO has answered, which master-link-status "ok" shows: a client quick to connect, as
    // switchboard is since it stopped building node-redis's command methods, got there first.
    await until(
      () => {
        const replicas = sentinel.cli('sentinel', 'replicas', name)
        return /^slave$/m.test(replicas) && /^master-link-status\nok$/m.test(replicas)
      },
      'the Sentinel to see the replica',
      10_000,
    )
  })
  afterEach(async () => {
    await Promise.all(fixtures.splice(0).map((f) => f.t.close()))
    await Promise.all([sentinel?.stop(), replica?.stop(), master?.stop()])
  })

  it('finds the master through the Sentinel and works as with redis://', async () => {
    const f = await connectedTransport(sentinelUrl())
    fixtures.push(f)
    expect(f.t.url).toBe(sentinelUrl())
    const ch = uniq('s')
    await f.t.subscribe('channel', [ch])
    await f.t.subscribe('pattern', [`${ch}*`])
    expect(await f.t.publish(ch, bytes('hello'))).toBe(2)
    await f.inbox.waitForCount((m) => m.text === 'hello', 2, 'both deliveries')
    // The connections are on the master, not on the replica.
    expect(master.cli('pubsub', 'numsub', ch)).toBe(`${ch}\n1`)
    expect(replica.cli('pubsub', 'numsub', ch)).toBe(`${ch}\n0`)
  })

  it('follows a failover to the new master and resubscribes there', async () => {
    const f = await connectedTransport(sentinelUrl())
    fixtures.push(f)
    const ch = uniq('failover')
    await f.t.subscribe('channel', [ch])
    await f.t.subscribe('pattern', [`${ch}*`])

    sentinel.cli('sentinel', 'failover', name)
    // The Sentinel announces +switch-master; every connection moves to the promoted replica at
    // once, without waiting for the old master to be demoted and to cut them off.
    await f.statuses.next('reconnected', 1, 15_000)
    expect(f.statuses.types).toEqual(['connected', 'disconnected', 'reconnected'])
    expect(f.statuses.of('disconnected')[0]?.error?.message).toMatch(
      /Sentinel failover: the master is now 127\.0\.0\.1:\d+/,
    )
    expect(replica.cli('role').split('\n')[0]).toBe('master')
    expect(replica.cli('pubsub', 'numsub', ch)).toBe(`${ch}\n1`)
    expect(await f.t.publish(ch, bytes('after failover'))).toBe(2)
    await f.inbox.waitForCount((m) => m.text === 'after failover', 2, 'both deliveries after the failover')
    // Nothing is left on the old master.
    expect(master.cli('pubsub', 'numsub', ch)).toBe(`${ch}\n0`)
  })

  it('names the master it could not find', async () => {
    const t = new RedisTransport(`redis+sentinel://127.0.0.1:${sentinel.port}/nosuchmaster`, FAST)
    const error = await t.connect().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as Error).message).toMatch(/master "nosuchmaster".*monitors no master named "nosuchmaster"/)
    await t.close()
  })

  it('lists every Sentinel it tried when none answers', async () => {
    const [a, b] = [await freePort(), await freePort()]
    const t = new RedisTransport(`redis+sentinel://127.0.0.1:${a},127.0.0.1:${b}/${name}`, FAST)
    const error = await t.connect().then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as Error).message).toContain(`127.0.0.1:${a}: connect ECONNREFUSED`)
    expect((error as Error).message).toContain(`127.0.0.1:${b}: connect ECONNREFUSED`)
    await t.close()
  })

  it('skips a dead Sentinel for a live one', async () => {
    const dead = await freePort()
    const f = await connectedTransport(
      `redis+sentinel://127.0.0.1:${dead},127.0.0.1:${sentinel.port}/${name}`,
    )
    fixtures.push(f)
    expect(await f.t.publish(uniq('x'), bytes('x'))).toBe(0)
  })

  it('skips a Sentinel that accepts the connection and never answers, after connectTimeoutMs', async () => {
    // A black hole: the TCP connect succeeds, the handshake is never answered.
    const silent = await TcpProxy.start({ port: sentinel.port })
    silent.blackhole(true)
    try {
      const f = await connectedTransport(
        `redis+sentinel://127.0.0.1:${silent.port},127.0.0.1:${sentinel.port}/${name}`,
        { ...FAST, connectTimeoutMs: 500 },
      )
      fixtures.push(f)
      expect(silent.blackholed).toBeGreaterThanOrEqual(1)
      expect(await f.t.publish(uniq('x'), bytes('x'))).toBe(0)
    } finally {
      await silent.close()
    }
  })
})
