import { afterAll, beforeAll } from 'vitest'
import { RedisTransport } from '../../src/transport/redis/redis-transport.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { runByteNamesContract } from './byte-names-contract.js'
import { runTransportContract } from './transport-contract.js'

describeRedis('redis transport', () => {
  let server: RedisServer
  beforeAll(async () => {
    server = await RedisServer.start()
  })
  afterAll(async () => {
    await server?.stop()
  })

  runTransportContract('redis', async () => new RedisTransport(server.url))
  runByteNamesContract('redis', async () => new RedisTransport(server.url))
})
