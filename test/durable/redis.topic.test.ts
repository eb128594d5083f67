import { afterAll, afterEach, beforeAll } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { runTopicContract } from './topic-contract.js'

describeRedis('durable topics on Redis', () => {
  let server: RedisServer
  const buses: Bus[] = []
  beforeAll(async () => {
    server = await RedisServer.start()
  })
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()))
  })
  afterAll(async () => {
    await server?.stop()
  })

  runTopicContract('redis', (options) => connect({ ...options, url: server.url }), buses)
})
