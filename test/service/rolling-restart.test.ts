import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { RemoteError } from '../../src/errors.js'
import type { Service } from '../../src/service/service.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { TcpProxy } from '../helpers/tcp-proxy.js'
import { deferred, uniq, until } from '../helpers/wait.js'
import { Buses } from '../rpc/harness.js'

/**
 * Issue 9 point 1: a rolling restart loses no request. An instance that stops refuses what still
 * reaches it (CLOSED, `started: false`) without running it, and the caller sends that request to
 * another live instance within its own timeout.
 *
 * To make requests reach a stopping instance on purpose, each instance talks to Redis through its
 * own TcpProxy: frozen, it still counts as a subscriber in Redis (so requests are published to
 * it), while its UNSUBSCRIBE, and the requests, wait in the proxy. That is the window between
 * stop() and the broker confirming the unsubscribe, widened from a round trip to a few dozen
 * requests.
 */

interface Instance {
  readonly app: Service
  readonly bus: Bus
  readonly proxy: TcpProxy
  /** Request ids this instance ran. */
  readonly ran: string[]
}

describeRedis('rolling restart (redis)', () => {
  let server: RedisServer
  let buses: Buses
  const proxies: TcpProxy[] = []
  beforeAll(async () => {
    server = await RedisServer.start()
  })
  afterAll(async () => {
    await server.stop()
  })
  beforeEach(() => {
    buses = new Buses(server.url)
  })
  afterEach(async () => {
    for (const proxy of proxies) proxy.thaw()
    await buses.close()
    await Promise.all(proxies.splice(0).map((proxy) => proxy.close()))
  })

  /** An instance of `name` on its own bus, through its own proxy; `runs` counts handler runs by request id. */
  async function startInstance(name: string, runs: Map<string, number>): Promise<Instance> {
    const proxy = await TcpProxy.start({ port: server.port })
    proxies.push(proxy)
    const bus = await new Buses(proxy.url).connect()
    const ran: string[] = []
    const app = bus.service(name).action('work', async (p: { i: number }, ctx) => {
      ran.push(ctx.requestId)
      runs.set(ctx.requestId, (runs.get(ctx.requestId) ?? 0) + 1)
      // A few milliseconds of work, so that some requests are in flight whenever an instance stops.
      await new Promise((resolve) => setTimeout(resolve, 1 + (p.i % 4)))
      return p.i
    })
    await app.start()
    return { app, bus, proxy, ran }
  }

  /**
   * Stops an instance the slow way: its links frozen while `whileFrozen` runs (requests published
   * to it pile up), then stop() called, so that what piled up arrives while it is stopping.
   */
  async function stopLate(instance: Instance, whileFrozen: () => Promise<void>): Promise<void> {
    instance.proxy.freeze()
    await whileFrozen()
    const stopping = instance.app.stop()
    await until(() => instance.app.state === 'stopping', 'the instance to be stopping')
    instance.proxy.thaw()
    await stopping
    await instance.bus.close()
  }

  test('a request that reaches a stopping instance is refused unstarted, and sent to another live instance', async () => {
    const name = uniq('refuse')
    const runs = new Map<string, number>()
    const [a, b] = [await startInstance(name, runs), await startInstance(name, runs)] as Instance[]
    const client = await buses.connect()
    // A long discovery interval: the caller keeps sending to `a` until `a` itself says no.
    const caller = client.caller(name, { timeoutMs: 10_000, discoveryIntervalMs: 3_600_000 })
    await Promise.all([0, 1, 2, 3].map((i) => caller.request('work', { i })))
    expect(a?.ran.length).toBeGreaterThan(0)
    const aRanBefore = a?.ran.length ?? 0
    let calls: Promise<unknown>[] = []
    await stopLate(a as Instance, async () => {
      calls = Array.from({ length: 20 }, (_, i) => caller.request('work', { i }))
      // Published after the requests on the same connection: once Redis has counted it, it has
      // counted them, half of them for `a`, whose delivery waits in the frozen proxy.
      await client.publish(uniq('flush'), 'x')
    })
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 20 }, (_, i) => i))
    // `a` ran none of them: it refused those that reached it, and `b` ran them instead, once each.
    expect(a?.ran.length).toBe(aRanBefore)
    expect(caller.stats().resent).toBe(10)
    expect([...runs.values()].every((n) => n === 1)).toBe(true)
    expect(b?.ran.length).toBe(runs.size - aRanBefore)
  })

  test('with no other live instance, the caller gets the CLOSED error, and the handler never ran', async () => {
    const name = uniq('alone')
    const runs = new Map<string, number>()
    const a = await startInstance(name, runs)
    const client = await buses.connect()
    const caller = client.caller(name, { timeoutMs: 10_000 })
    await caller.request('work', { i: 0 })
    let calls: Promise<unknown>[] = []
    await stopLate(a, async () => {
      calls = Array.from({ length: 5 }, (_, i) => caller.request('work', { i }).catch((e: unknown) => e))
      // Fire-and-forget: nobody could send it on, so the stopping instance still runs it.
      await caller.send('work', { i: 99 })
      await client.publish(uniq('flush'), 'x')
    })
    const errors = await Promise.all(calls)
    for (const error of errors) {
      expect(error).toBeInstanceOf(RemoteError)
      expect(error).toMatchObject({ remoteCode: 'CLOSED' })
    }
    // The first request and the fire-and-forget one ran; none of the five refused.
    expect(runs.size).toBe(2)
    expect(caller.stats().resent).toBe(0)
  })

  test('requests still queued when stop() gives up are refused unstarted and run by another instance; the one running gets CLOSED', async () => {
    const name = uniq('queued')
    const serviceBus = await buses.connect()
    const started = deferred()
    const a = serviceBus
      .service(name, { concurrency: 1 })
      .action('block', async (_p, ctx) => {
        started.resolve()
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve))
        throw ctx.signal.reason
      })
      .action('work', () => 'ran on a')
    await a.start()
    const client = await buses.connect()
    const caller = client.caller(name, { timeoutMs: 10_000 })
    const blocked = caller.request('block', {}).catch((e: unknown) => e)
    await started.promise
    const queued = [caller.request('work', {}), caller.request('work', {})]
    await until(() => a.stats().queued === 2, 'two requests queued behind the blocked one')
    const b = (await buses.connect())
      .service(name)
      .action('work', () => 'ran on b')
      .action('block', () => 'unused')
    await b.start()
    await a.stop({ timeoutMs: 50 })
    expect(await Promise.all(queued)).toEqual(['ran on b', 'ran on b'])
    expect(caller.stats().resent).toBe(2)
    // The running one had started: it is not sent again.
    expect(await blocked).toMatchObject({ remoteCode: 'CLOSED' })
  })

  test('two instances under steady load, one stopped and replaced five times: every request succeeds, once', async () => {
    const name = uniq('rolling')
    const runs = new Map<string, number>()
    const instances = [await startInstance(name, runs), await startInstance(name, runs)]
    const client = await buses.connect()
    const caller = client.caller(name, { timeoutMs: 10_000, discoveryIntervalMs: 100 })
    // About 1,000 requests a second, 10 every 10 ms, until the restarts are over (at most 30,000).
    const outcomes: Promise<string | number>[] = []
    const load = setInterval(() => {
      for (let k = 0; k < 10 && outcomes.length < 30_000; k++) {
        const i = outcomes.length
        outcomes.push(
          caller.request('work', { i }).then(
            (value) => (value === i ? 'ok' : `wrong answer ${String(value)} to ${i}`),
            (error: unknown) => `${(error as Error).name}: ${(error as Error).message}`,
          ),
        )
      }
    }, 10)
    try {
      for (let round = 0; round < 5; round++) {
        const old = instances.shift() as Instance
        const mark = outcomes.length
        await stopLate(old, () => until(() => outcomes.length >= mark + 50, 'fifty requests more', 10_000))
        const fresh = await startInstance(name, runs)
        instances.push(fresh)
        await until(() => fresh.ran.length >= 200, 'the replacement to serve its share', 10_000)
      }
    } finally {
      clearInterval(load)
    }
    const results = await Promise.all(outcomes)
    const failures = results.filter((r) => r !== 'ok')
    const duplicates = [...runs.values()].filter((n) => n > 1).length
    const { resent } = caller.stats()
    console.log(
      `rolling restart: ${results.length} requests, ${resent} resent after CLOSED, ${failures.length} failed, ${duplicates} run twice`,
    )
    expect(failures).toEqual([])
    expect(duplicates).toBe(0)
    // Every request ran exactly once somewhere.
    expect(runs.size).toBe(results.length)
    // The stopping instances did refuse requests, and the caller did send them on.
    expect(resent).toBeGreaterThan(0)
  }, 60_000)
})
