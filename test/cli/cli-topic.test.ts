import { expect, test } from 'vitest'
import { EXIT_CODES } from '../../src/cli/exit-codes.js'
import { run } from '../../src/cli/program.js'
import { useRedisBus } from '../helpers/redis-bus.js'
import { describeRedis } from '../helpers/redis-server.js'
import { uniq, until } from '../helpers/wait.js'
import { argv, captureContext } from './capture.js'

// `switchboard topic dead|replay|info` in-process, on a disposable redis-server where a bus
// has left dead letters.

test('topic dead, replay and info --help show their arguments, --url and the examples', async () => {
  for (const command of ['dead', 'replay', 'info']) {
    const ctx = captureContext()
    expect(await run(argv('topic', command, '--help'), ctx)).toBe(0)
    expect(ctx.out).toContain(`Usage: switchboard topic ${command}`)
    expect(ctx.out).toContain('--url <url>')
  }
  const ctx = captureContext()
  expect(await run(argv('topic', '--help'), ctx)).toBe(0)
  expect(ctx.out).toContain('$ switchboard topic dead orders billing')
})

describeRedis('switchboard topic over Redis', { timeout: 60_000 }, () => {
  const redis = useRedisBus()

  async function cli(...args: string[]) {
    const ctx = captureContext()
    const code = await run(argv('topic', ...args, '--url', redis.server.url), ctx)
    return { code, out: ctx.out, err: ctx.err }
  }

  test("lists a group's dead letters, replays one then all, and shows the numbers", async () => {
    const name = uniq('orders')
    const topic = redis.bus.topic<{ n: number }>(name)
    let failing = true
    const handled: number[] = []
    const consumer = await topic.consume(
      'billing',
      ({ n }) => {
        if (failing && n % 2 === 1) throw new Error(`card declined for order ${n}`)
        handled.push(n)
      },
      { maxAttempts: 1, concurrency: 4 },
    )
    const ids = [] as string[]
    for (let n = 0; n < 4; n++) ids.push(await topic.publish({ n }))
    const deadCount = async () => (await topic.info()).groups[0]?.deadLetters ?? 0
    await until(async () => (await deadCount()) === 2 && handled.length === 2, 'two dead letters', 10_000)

    const listed = await cli('dead', name, 'billing')
    expect(listed.code, listed.err).toBe(0)
    const lines = listed.out.trim().split('\n')
    expect(lines[0]).toMatch(/^id +original id +attempts +error$/)
    expect(lines).toHaveLength(3)
    expect(lines[1]).toMatch(new RegExp(`^\\d+-\\d+ +${ids[1]} +1 +card declined for order 1$`))
    expect(lines[2]).toContain(ids[3])

    const json = await cli('dead', name, 'billing', '--json')
    const letters = json.out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(letters.map((l) => l.originalId)).toEqual([ids[1], ids[3]])
    expect(letters[0]).toMatchObject({
      group: 'billing',
      attempts: 1,
      error: 'card declined for order 1',
      data: { n: 1 },
      headers: {},
    })

    const info = await cli('info', name)
    expect(info.code, info.err).toBe(0)
    expect(info.out).toContain(`topic ${name}: 4 entries, 0 scheduled\n`)
    expect(info.out).toMatch(/\nbilling +0 +0 +1 +2\n/)
    expect(JSON.parse((await cli('info', name, '--json')).out)).toMatchObject({
      length: 4,
      groups: [{ name: 'billing', pending: 0, deadLetters: 2 }],
    })

    failing = false
    const one = await cli('replay', name, 'billing', String(letters[0]?.id))
    expect(one).toMatchObject({ code: 0, out: 'replayed 1 dead letter to group billing\n' })
    await until(() => handled.includes(1), 'the replayed order 1', 10_000)
    const missing = await cli('replay', name, 'billing', String(letters[0]?.id))
    expect(missing.out).toBe('replayed 0 dead letters to group billing\n')
    expect(missing.err).toContain(`no dead letter ${letters[0]?.id} in group billing`)
    expect((await cli('replay', name, 'billing', 'all', '--json')).out).toBe('{"replayed":1}\n')
    await until(() => handled.includes(3), 'the replayed order 3', 10_000)
    const empty = await cli('dead', name, 'billing')
    expect(empty).toMatchObject({ code: 0, out: '' })
    expect(empty.err).toContain(`no dead letters for group billing on topic ${name}`)
    await consumer.stop()
  })

  test('a topic or group name Redis keys cannot carry is bad input (exit 5), with what to do', async () => {
    const bad = await cli('dead', 'has space', 'billing')
    expect(bad.code).toBe(EXIT_CODES.BAD_INPUT)
    expect(bad.err).toContain('topic name must be a non-empty string')
    expect((await cli('info', '{braces}')).code).toBe(EXIT_CODES.BAD_INPUT)
    expect((await cli('replay', 'orders', 'bill ing', 'all')).code).toBe(EXIT_CODES.BAD_INPUT)
    expect((await cli('dead', 'orders', 'billing', '--count', '0')).code).toBe(EXIT_CODES.USAGE)
  })
})
