import { afterAll, beforeAll, expect, it } from 'vitest'
import { connect } from '../../src/client/connect.js'
import { topicKeys } from '../../src/durable/topic-keys.js'
import { stepsTopicName } from '../../src/hub/hub.js'
import { RawRedis } from '../helpers/raw-redis.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { uniq, until } from '../helpers/wait.js'
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

  it('a step waiting 7 days stays cancellable all that time: its key outlives the wait, not the topic default 10 minutes', async () => {
    const p = uniq('long-wait')
    const bus = await connect(server.url)
    const raw = await RawRedis.open(server.port)
    try {
      const hub = await bus.hub({
        name: p,
        routes: {
          [`${p}.inactive`]: [
            {
              call: `${p}-notify.reminder`,
              after: '7 days',
              cancel_on: { event: `${p}.active`, match: 'user_id' },
            },
          ],
        },
      })
      await bus.publish(`${p}.inactive`, { user_id: 7 })
      await until(() => hub.stats()[`${p}.inactive`]?.scheduled === 1, 'the reminder scheduled')
      const keys = topicKeys(stepsTopicName(p))
      const waiting = await raw.command('KEYS', keys.dedupe('*'))
      expect(waiting).toHaveLength(1)
      const ttlMs = await raw.command('PTTL', String((waiting as unknown[])[0]))
      expect(ttlMs).toBeGreaterThan(7 * 86_400_000)
      await bus.publish(`${p}.active`, { user_id: 7 })
      await until(() => hub.stats()[`${p}.inactive`]?.cancelled === 1, 'the reminder cancelled')
      expect(await raw.command('ZCARD', keys.scheduled)).toBe(0)
    } finally {
      raw.close()
      await bus.close()
    }
  })
})
