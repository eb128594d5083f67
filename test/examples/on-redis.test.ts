import { afterAll, beforeAll, expect, test } from 'vitest'
import { SCENARIOS } from '../../examples/scenarios.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { uniq } from '../helpers/wait.js'

/** Fields that differ from one run to the next whatever the broker (clock, machine load). */
const VARIES = new Set(['at', 'load1', 'memoryUsedPct', 'uptimeS'])

/** The result with each varying field replaced by its type, so that two runs compare equal. */
function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable)
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, VARIES.has(k) ? `<${typeof v}>` : stable(v)]),
  )
}

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
    expect(stable(onRedis)).toEqual(stable(onMemory))
  })
})
