import { afterEach, expect, test } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { MemoryTopicStore } from '../../src/durable/memory/memory-topic-store.js'
import { deferred, uniq, until, withTimeout } from '../helpers/wait.js'

const buses: Bus[] = []
afterEach(async () => {
  await Promise.all(buses.splice(0).map((b) => b.close()))
})

/** A bus, and a consumer that took `count` entries of the group and then "died" (never acks). */
async function withGhost(count: number) {
  const broker = uniq('claims')
  const name = uniq('t')
  const bus = await connect(`memory://${broker}`)
  buses.push(bus)
  const topic = bus.topic<string>(name)
  const ghost = new MemoryTopicStore(broker, name, { kind: 'none' })
  await ghost.createGroup('g')
  return { topic, ghost, take: async () => (await ghost.openReader('g', 'ghost')).read(count, 0, []) }
}

test('an entry left by a consumer that died is claimed after claimIdleMs, as its next attempt', async () => {
  const { topic, take } = await withGhost(1)
  await topic.publish('orphan')
  expect(await take()).toHaveLength(1)
  const got = deferred<number>()
  await topic.consume('g', (_d, msg) => got.resolve(msg.attempt), { claimIdleMs: 50 })
  expect(await withTimeout(got.promise, 'the claim', 5000)).toBe(2)
  await until(async () => (await topic.info()).groups[0]?.pending === 0, 'the ack', 5000)
})

test('a claimed entry past maxAttempts goes to the dead letters without running the handler', async () => {
  const { topic, take } = await withGhost(1)
  await topic.publish('poison')
  await take()
  let calls = 0
  await topic.consume(
    'g',
    () => {
      calls += 1
    },
    { claimIdleMs: 50, maxAttempts: 1 },
  )
  const dead = topic.deadLetters('g')
  await until(async () => (await dead.list()).length === 1, 'the dead letter', 5000)
  expect((await dead.list())[0]).toMatchObject({
    data: 'poison',
    attempts: 1,
    error: /stopped without acknowledging/,
  })
  expect(calls).toBe(0)
})
