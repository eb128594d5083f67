import { afterAll, beforeAll, expect, test } from 'vitest'
import { TimeoutError } from '../../src/errors.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { uniq, until } from '../helpers/wait.js'
import { Buses } from '../rpc/harness.js'

/**
 * Issue 9 point 4: deadlines count time in transit. A request held in a paused Redis past its
 * caller's deadline (plus the clock skew the service tolerates) never starts, although it reaches
 * the service with the whole `timeout_ms` it was sent with.
 */
describeRedis('deadlines count time in transit (redis)', () => {
  let server: RedisServer
  let buses: Buses
  beforeAll(async () => {
    server = await RedisServer.start()
    buses = new Buses(server.url)
  })
  afterAll(async () => {
    server.resume()
    await buses.close()
    await server.stop()
  })

  test('a request held in a paused server past its deadline + maxClockSkewMs is answered DEADLINE_EXCEEDED, and its handler never starts', async () => {
    const name = uniq('transit')
    const started: number[] = []
    const app = (await buses.connect())
      .service(name, { maxClockSkewMs: 100 })
      .action('work', (i: number) => {
        started.push(i)
        return i
      })
      .action('probe', () => 'probe')
    await app.start()
    const caller = (await buses.connect()).caller(name)
    // The reply channel subscribed and the instance known: what follows is one PUBLISH each.
    expect(await caller.request('work', 0)).toBe(0)
    server.pause()
    try {
      const held = caller.request('work', 1, { timeoutMs: 200 })
      // Only a clock: its timeout says that 400 ms have passed since the held request's deadline,
      // beyond the 100 ms of skew the service tolerates.
      const probe = caller.request('probe', null, { timeoutMs: 600 })
      await expect(held).rejects.toBeInstanceOf(TimeoutError)
      await expect(probe).rejects.toBeInstanceOf(TimeoutError)
    } finally {
      server.resume()
    }
    await until(
      () => app.stats().deadlineExceeded >= 1,
      'the held request to reach the service and be refused',
    )
    expect(started).toEqual([0])
    // The service still serves what is on time.
    expect(await caller.request('work', 2)).toBe(2)
    expect(started).toEqual([0, 2])
  })
})
