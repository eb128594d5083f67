import { afterAll, beforeAll, expect, it } from 'vitest'
import { RedisTransport } from '../../src/transport/redis/redis-transport.js'
import { bytes } from '../contract/inbox.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { uniq, withTimeout } from '../helpers/wait.js'
import { CountingProxy } from './counting-proxy.js'
import { FAST } from './redis-fixtures.js'

describeRedis('RedisTransport publishBatch', () => {
  let server: RedisServer
  let proxy: CountingProxy
  let t: RedisTransport

  beforeAll(async () => {
    server = await RedisServer.start()
    proxy = await CountingProxy.start(server.port)
    t = new RedisTransport(proxy.url, FAST)
    await t.connect()
  })
  afterAll(async () => {
    await t?.close()
    await proxy?.stop()
    await server?.stop()
  })

  const batch = (n: number) =>
    Array.from({ length: n }, (_, i) => [uniq('b'), bytes(`message ${i}`)] as const)

  it('sends the whole batch before it needs any reply: one round trip', async () => {
    // No reply gets through until all 200 PUBLISH commands have: a client that waited for one
    // reply before sending more would hang here.
    proxy.holdRepliesUntilPublishes(200)
    const counts = await withTimeout(t.publishBatch(batch(200)), 'the batch, with replies held back')
    expect(counts).toHaveLength(200)
  })

  it('writes the whole batch in one socket write', async () => {
    proxy.reset()
    await t.publishBatch(batch(200))
    expect(proxy.publishes).toBe(200)
    expect(proxy.chunks).toHaveLength(1)
  })

  it('(control: the proxy does tell writes apart) sequential publishes arrive one chunk each', async () => {
    proxy.reset()
    for (const [channel, payload] of batch(20)) await t.publish(channel, payload)
    expect(proxy.publishes).toBe(20)
    expect(proxy.chunks).toHaveLength(20)
  })

  it('the server reads the batch in one read', async () => {
    const reads = () => Number(/total_reads_processed:(\d+)/.exec(server.cli('info', 'stats'))?.[1])
    // What asking costs by itself (redis-cli's own connection is read too), measured, not assumed.
    const idle = -reads() + reads()
    const before = reads()
    await t.publishBatch(batch(200))
    expect(reads() - before).toBe(idle + 1)
  })
})
