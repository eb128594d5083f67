import { afterAll, beforeAll } from 'vitest'
import { ClusterTransport } from '../../src/transport/cluster/cluster-transport.js'
import { RedisCluster } from '../helpers/redis-cluster.js'
import { describeRedis } from '../helpers/redis-server.js'
import { runTransportContract } from './transport-contract.js'

describeRedis('cluster transport', () => {
  let cluster: RedisCluster
  beforeAll(async () => {
    cluster = await RedisCluster.start()
  }, 60_000)
  afterAll(async () => {
    await cluster?.stop()
  })

  // Sharded pub/sub has no patterns, and two channels on two shards arrive over two connections.
  runTransportContract('cluster', async () => new ClusterTransport(cluster.url), {
    patterns: false,
    orderAcrossChannels: false,
  })
})
