import { afterAll, afterEach, beforeAll } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { RedisCluster } from '../helpers/redis-cluster.js'
import { describeRedis } from '../helpers/redis-server.js'
import { runTopicContract } from './topic-contract.js'

// The same contract as on one Redis: every key of a topic shares its {hash tag}, so its scripts
// and its blocking reads go to the one shard that serves the tag's slot.
describeRedis('durable topics on Redis Cluster', () => {
  let cluster: RedisCluster
  const buses: Bus[] = []
  beforeAll(async () => {
    cluster = await RedisCluster.start()
  }, 60_000)
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()))
  })
  afterAll(async () => {
    await cluster?.stop()
  })

  runTopicContract('cluster', (options) => connect({ ...options, url: cluster.url }), buses)
})
