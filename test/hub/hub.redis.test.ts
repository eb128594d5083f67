import { afterAll, beforeAll } from 'vitest'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { hubContract } from './hub-contract.js'

describeRedis('hub on Redis', () => {
  let server: RedisServer
  beforeAll(async () => {
    server = await RedisServer.start()
  })
  afterAll(async () => {
    await server?.stop()
  })
  hubContract('redis', () => server.url)
})
