import { afterAll, beforeAll, expect, it } from 'vitest'
import { connect } from '../../src/client/connect.js'
import { ConnectionError } from '../../src/errors.js'
import { ClusterTransport } from '../../src/transport/cluster/cluster-transport.js'
import { describeRedis, freePort, RedisServer } from '../helpers/redis-server.js'

const SECRET = 's3cr3t-pa55'

/** What connect() rejects with, checked never to print the password. */
async function refusal(url: string): Promise<ConnectionError> {
  const error = await connect({ url, retry: { maxAttempts: 0 }, redis: { connectTimeoutMs: 2_000 } }).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ConnectionError)
  const message = (error as ConnectionError).message
  expect(message).not.toContain(SECRET)
  expect(JSON.stringify(error)).not.toContain(SECRET)
  return error as ConnectionError
}

describeRedis('redis+cluster:// with bad input', () => {
  let plain: RedisServer
  let lonely: RedisServer
  beforeAll(async () => {
    ;[plain, lonely] = await Promise.all([
      RedisServer.start(),
      // In cluster mode, but serving no slot: cluster_state:fail.
      RedisServer.start(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf']),
    ])
  })
  afterAll(async () => {
    await Promise.all([plain?.stop(), lonely?.stop()])
  })

  it('no node answers: says so, for each node, and what to check', async () => {
    const [a, b] = await Promise.all([freePort(), freePort()])
    const error = await refusal(`redis+cluster://u:${SECRET}@127.0.0.1:${a},127.0.0.1:${b}`)
    expect(error.message).toMatch(/no cluster node answered/)
    expect(error.message).toContain(`127.0.0.1:${a}`)
    expect(error.message).toContain(`127.0.0.1:${b}`)
    expect(error.message).toMatch(/check the host list/)
    expect(error.url).toContain('u:***@')
  })

  it('a node not in cluster mode: says so and points to redis://', async () => {
    const error = await refusal(`redis+cluster://127.0.0.1:${plain.port}`)
    expect(error.message).toMatch(/not in cluster mode/)
    expect(error.message).toMatch(/use redis:\/\//)
  })

  it('a cluster whose state is not ok: says which node, its state, and how to repair', async () => {
    const error = await refusal(`redis+cluster://127.0.0.1:${lonely.port}`)
    expect(error.message).toMatch(/cluster_state:fail/)
    expect(error.message).toContain(`127.0.0.1:${lonely.port}`)
    expect(error.message).toMatch(/redis-cli --cluster fix/)
  })

  it('calls before connect() reject with ConnectionError; the transport shows a masked URL', async () => {
    const t = new ClusterTransport(`redis+cluster://u:${SECRET}@127.0.0.1:${plain.port}`)
    expect(t.url).not.toContain(SECRET)
    await expect(t.publish('x', 'y')).rejects.toBeInstanceOf(ConnectionError)
    await expect(t.subscribe('channel', ['x'])).rejects.toBeInstanceOf(ConnectionError)
    await t.close()
  })
})
