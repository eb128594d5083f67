import { afterAll, beforeAll, expect, test } from 'vitest'
import { SCENARIOS } from '../../examples/scenarios.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { uniq } from '../helpers/wait.js'

// Every example tells the same story over Redis as on the embedded broker.
describeRedis('examples over Redis', { timeout: 30_000 }, () => {
  let server: RedisServer
  beforeAll(async () => {
    server = await RedisServer.start()
  })
  afterAll(async () => {
    await server?.stop()
  })

  test.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
    const onMemory = await scenario.main({ url: `memory://${uniq('example')}`, print: () => {} })
    const onRedis = await scenario.main({ url: server.url, print: () => {} })
    expect(onRedis).toEqual(onMemory)
  })
})
