import { afterEach, beforeEach, expect, it } from 'vitest'
import { ConnectionError } from '../../src/errors.js'
import { bytes } from '../contract/inbox.js'
import { RawRedis } from '../helpers/raw-redis.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { uniq, until, withTimeout } from '../helpers/wait.js'
import { connectedTransport, type Fixture, QUICK_LIVENESS } from './redis-fixtures.js'

/**
 * Issue 9 point 5: a publish that fails with ConnectionError says whether it may have been
 * delivered anyway. Redis is paused (SIGSTOP) under a flood of publishes bigger than the kernel's
 * socket buffers; the probe declares the link dead after commandTimeoutMs (1 s). When Redis
 * resumes it reads what the kernel had already taken, and delivers it: those publishes must say
 * `maybeDelivered: true`. What Node still held never left: those must say false, and must never
 * arrive. An observer connection with no liveness check of its own stays subscribed throughout
 * and sees what Redis delivered.
 */
const BOUND_MS = 10_000
/** 400 × 64 KiB: several times what the kernel buffers of one local connection take. */
const COUNT = 400
const PAD = 'x'.repeat(64 * 1024)

type Outcome = { index: number; receivers?: number; error?: unknown }

describeRedis('ConnectionError.maybeDelivered', () => {
  let server: RedisServer
  const fixtures: Fixture[] = []
  let observer: RawRedis | undefined

  beforeEach(async () => {
    server = await RedisServer.start()
  })
  afterEach(async () => {
    server.resume()
    observer?.close()
    await Promise.allSettled(fixtures.splice(0).map((f) => f.t.close()))
    await server.stop()
  })

  it('a paused server: what was handed to the kernel may have been delivered, what Node held and what was refused was not', async () => {
    const ch = uniq('paused')
    observer = await RawRedis.open(server.port)
    await observer.command('SUBSCRIBE', ch)
    const fixture = await connectedTransport(server.url, QUICK_LIVENESS)
    fixtures.push(fixture)
    const { t, statuses } = fixture
    expect(await t.publish(ch, bytes('before'))).toBe(1)

    server.pause()
    const outcomes = Array.from(
      { length: COUNT },
      (_, index): Promise<Outcome> =>
        t.publish(ch, bytes(`${index}:${PAD}`)).then(
          (receivers) => ({ index, receivers }),
          (error: unknown) => ({ index, error }),
        ),
    )
    await statuses.next('disconnected', 1, BOUND_MS)
    // The link is known down now: a publish is refused before anything is written.
    const refused = await withTimeout(
      t.publish(ch, bytes('while down')).catch((e: unknown) => e),
      'the refused publish',
    )
    expect(refused).toBeInstanceOf(ConnectionError)
    expect((refused as ConnectionError).maybeDelivered).toBe(false)
    expect((refused as Error).message).toMatch(/down and being re-established/)

    const results = await withTimeout(Promise.all(outcomes), 'every publish of the flood to settle', BOUND_MS)
    const maybe = indices(results, true)
    const never = indices(results, false)
    // Nothing was answered: every publish failed, and each says which it is.
    expect(maybe.length + never.length).toBe(COUNT)
    expect(maybe.length).toBeGreaterThan(0)
    expect(never.length).toBeGreaterThan(0)
    // In write order: what may have left comes first.
    expect(Math.max(...maybe)).toBeLessThan(Math.min(...never))
    for (const { error } of results) expect((error as Error).message).toContain(`PUBLISH to "${ch}"`)

    server.resume()
    await statuses.next('reconnected', 1, BOUND_MS)
    // Once Redis has read the old publish connection to its end, it closes it: all it held is
    // published by then. A fence published after that arrives after all of it.
    await until(
      () => (server.cli('client', 'list').match(/name=switchboard:pub /g) ?? []).length === 1,
      'Redis to close the old publish connection',
      BOUND_MS,
    )
    expect(await t.publish(ch, bytes('fence'))).toBe(1)
    await observer.inbox.waitFor((m) => m.text === 'fence', 'the fence', BOUND_MS)
    const delivered = new Set(
      observer.inbox
        .on(ch)
        .map((m) => m.text.split(':')[0])
        .filter((head) => /^\d+$/.test(head ?? ''))
        .map(Number),
    )
    // Honest both ways: nothing said "not delivered" arrived...
    expect(never.filter((i) => delivered.has(i))).toEqual([])
    // ...and what arrived had said it may have (here, Redis read all the kernel held).
    expect([...delivered].every((i) => maybe.includes(i))).toBe(true)
    expect(delivered.size).toBeGreaterThan(0)
    console.info(
      `maybeDelivered under a 1 s pause: ${maybe.length} of ${COUNT} publishes of 64 KiB said true (${delivered.size} of them arrived once Redis resumed), ${never.length} said false (none arrived)`,
    )
  })
})

/** The indices of the publishes that failed with a ConnectionError saying `maybeDelivered`. */
function indices(results: Outcome[], maybeDelivered: boolean): number[] {
  return results
    .filter(({ error }) => error instanceof ConnectionError && error.maybeDelivered === maybeDelivered)
    .map(({ index }) => index)
}
