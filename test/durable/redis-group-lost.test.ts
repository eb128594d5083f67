import { afterAll, afterEach, beforeAll, expect, test } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { topicKeys } from '../../src/durable/topic-keys.js'
import { GroupLostError, type SwitchboardError } from '../../src/errors.js'
import { ConsoleLogger } from '../../src/observe/console-logger.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { uniq, until } from '../helpers/wait.js'

// The embedded broker has no such case: its groups live as long as the process and nothing
// deletes them, so these tests are for Redis only.
describeRedis('durable topics on Redis: a consumer whose group vanished', () => {
  let server: RedisServer
  const buses: Bus[] = []
  /** A bus whose reported errors land in `errors`. */
  const bus = async (errors: SwitchboardError[] = []) => {
    const made = await connect({ url: server.url, logger: new ConsoleLogger('error') })
    made.on('error', (error) => errors.push(error))
    buses.push(made)
    return made
  }
  const lost = (errors: SwitchboardError[]) => errors.filter((e) => e instanceof GroupLostError)
  /** Publishes, trying again while the bus reconnects after a restart. */
  const publishSoon = (publish: () => Promise<string>, what: string) =>
    until(
      () =>
        publish().then(
          () => true,
          () => false,
        ),
      what,
      20_000,
    )
  beforeAll(async () => {
    // The helper's default: no RDB, no AOF, so a restart loses every key.
    server = await RedisServer.start()
  })
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()))
  })
  afterAll(async () => {
    await server?.stop()
  })

  test('Redis restarted without persistence: entries after the restart are consumed (a retry too), the loss reported once', async () => {
    const name = uniq('t')
    const errors: SwitchboardError[] = []
    const seen: string[] = []
    const attempts = new Map<string, number>()
    const b = await bus(errors)
    const topic = b.topic<string>(name)
    await topic.consume(
      'billing',
      (data, message) => {
        attempts.set(data, message.attempt)
        // One failure after the loss: its retry goes through the schedule and the retry stream.
        if (data === 'after' && message.attempt === 1) throw new Error('first try fails')
        seen.push(data)
      },
      { backoff: { type: 'fixed', delayMs: 50 } },
    )
    await topic.publish('before')
    await until(() => seen.includes('before'), 'the entry before the restart', 10_000)
    await server.restart()
    await publishSoon(() => topic.publish('after'), 'publishing after the restart')
    await until(() => seen.includes('after'), 'the entry published after the restart', 20_000)
    expect(attempts.get('after')).toBe(2)
    const reported = lost(errors)
    expect(reported).toHaveLength(1)
    const [error] = reported as [GroupLostError]
    expect(error.code).toBe('GROUP_LOST')
    expect(error.topic).toBe(name)
    expect(error.group).toBe('billing')
    expect(error.message).toMatch(/missing/)
    expect(error.message).toMatch(/persistence|appendonly/)
    // The group is back, with this consumer in it and nothing left pending.
    await until(
      async () => (await topic.info()).groups.some((g) => g.name === 'billing' && g.pending === 0),
      'the group recreated and settled',
      10_000,
    )
  }, 60_000)

  /** A topic whose consumer (group billing) has consumed its first entry, 'one'. */
  async function consumingOne() {
    const name = uniq('t')
    const errors: SwitchboardError[] = []
    const seen: string[] = []
    const topic = (await bus(errors)).topic<string>(name)
    await topic.consume('billing', (data) => void seen.push(data))
    await topic.publish('one')
    await until(() => seen.includes('one'), 'the first entry', 10_000)
    return { name, topic, errors, seen }
  }

  test('XGROUP DESTROY under a running consumer: it goes on consuming new entries', async () => {
    const { name, topic, errors, seen } = await consumingOne()
    expect(server.cli('XGROUP', 'DESTROY', topicKeys(name).stream, 'billing')).toBe('1')
    await topic.publish('two')
    await until(() => seen.includes('two'), 'the entry after XGROUP DESTROY', 20_000)
    expect(lost(errors)).toHaveLength(1)
    // Recreated at '0': what the stream still held comes again (at least once, never lost).
    await until(() => seen.filter((d) => d === 'one').length === 2, 'the old entry again', 10_000)
  }, 60_000)

  test('DEL of the stream under a running consumer: it goes on consuming new entries', async () => {
    const { name, topic, errors, seen } = await consumingOne()
    expect(server.cli('DEL', topicKeys(name).stream)).toBe('1')
    await topic.publish('two')
    await until(() => seen.includes('two'), 'the entry after DEL of the stream', 20_000)
    expect(seen).toEqual(['one', 'two'])
    expect(lost(errors)).toHaveLength(1)
    // Nothing else went wrong on the way: the loss is the one report.
    expect(errors).toHaveLength(1)
  }, 60_000)
})
