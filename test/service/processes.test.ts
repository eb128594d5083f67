import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { NoResponderError, RemoteError, TimeoutError } from '../../src/errors.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { type Bundle, bundleTs, type Proc, start } from '../helpers/run-cli.js'
import { uniq } from '../helpers/wait.js'
import { Buses, listenJson, publishRaw } from '../rpc/harness.js'

/** The JSON line a child prints when it has stopped gracefully. */
function handledBy(proc: Proc): string[] {
  const line = proc.stdout.split('\n').find((l) => l.startsWith('{"handled"'))
  if (!line) throw new Error(`no report from the child:\nstdout: ${proc.stdout}\nstderr: ${proc.stderr}`)
  return (JSON.parse(line) as { handled: string[] }).handled
}

describeRedis('service instances in separate processes (redis)', () => {
  let server: RedisServer
  let bundle: Bundle
  let buses: Buses
  beforeAll(async () => {
    ;[server, bundle] = await Promise.all([
      RedisServer.start(),
      bundleTs('test/service/fixtures/service-instance.ts'),
    ])
  })
  afterAll(async () => {
    await buses?.close()
    bundle?.remove()
    await server?.stop()
  })

  test('3 processes: every request handled exactly once, from switchboard and plain Daebus callers alike', async () => {
    buses = new Buses(server.url)
    const name = uniq('proc_svc')
    const procs = [0, 1, 2].map(() => start(bundle, [server.url, name, '10', '5000'], { timeoutMs: 60_000 }))
    try {
      await Promise.all(procs.map((p) => p.waitFor('ready', 'stdout')))
      const client: Bus = await buses.connect()
      const caller = client.caller(name, { timeoutMs: 20_000 })
      const results = await Promise.all(
        Array.from({ length: 3_000 }, (_, i) => caller.request('work', { i })),
      )
      expect(results.map((r) => (r as { i: number }).i)).toEqual(Array.from({ length: 3_000 }, (_, i) => i))

      const replyTo = `caller:${uniq()}`
      const replies = await listenJson<{ request_id: string; status: string }>(client, replyTo)
      const daebusIds = Array.from({ length: 3_000 }, (_, i) => `daebus-${i}`)
      await Promise.all(
        daebusIds.map((id, i) =>
          publishRaw(client, name, {
            action: 'work',
            payload: { i },
            reply_to: replyTo,
            request_id: id,
            service: name,
          }),
        ),
      )
      const got = await replies.take(3_000, 20_000)
      expect(new Set(got.map((r) => r.request_id))).toEqual(new Set(daebusIds))

      for (const p of procs) p.kill('SIGTERM')
      const exits = await Promise.all(procs.map((p) => p.exited))
      expect(exits.map((e) => e.code)).toEqual([0, 0, 0])
      const perProcess = procs.map(handledBy)
      const all = perProcess.flat()
      expect(all).toHaveLength(6_000)
      expect(new Set(all).size).toBe(6_000)
      for (const handled of perProcess) {
        expect(handled.filter((id) => id.startsWith('daebus-')).length).toBeGreaterThan(0)
        expect(handled.filter((id) => !id.startsWith('daebus-')).length).toBeGreaterThan(0)
      }
    } finally {
      for (const p of procs) p.kill('SIGKILL')
    }
  }, 60_000)

  test('SIGTERM during in-flight requests: each completes or gets an error reply; none hangs', async () => {
    buses = new Buses(server.url)
    const name = uniq('sigterm_svc')
    const proc = start(bundle, [server.url, name, '50', '1000'], { timeoutMs: 30_000 })
    try {
      await proc.waitFor('ready', 'stdout')
      const client = await buses.connect()
      // A timeout far beyond the test: a request that hung would show as a TimeoutError or a test timeout.
      const caller = client.caller(name, { timeoutMs: 25_000 })
      const slow = Array.from({ length: 10 }, (_, i) =>
        caller.request('slow', { i, ms: 300 }).catch((e: unknown) => e),
      )
      const stuck = Array.from({ length: 3 }, (_, i) =>
        caller.request('stuck', { i }).catch((e: unknown) => e),
      )
      await proc.waitFor(/(started \w+ \d+\n){13}/, 'stdout')
      proc.kill('SIGTERM')
      const [slowResults, stuckResults, exit] = await Promise.all([
        Promise.all(slow),
        Promise.all(stuck),
        proc.exited,
      ])
      expect(slowResults).toEqual(Array.from({ length: 10 }, (_, i) => ({ i })))
      for (const error of stuckResults) {
        expect(error).toBeInstanceOf(RemoteError)
        expect(error).not.toBeInstanceOf(TimeoutError)
        expect(error).toMatchObject({ remoteCode: 'CLOSED' })
      }
      expect(exit.code).toBe(0)
      expect(handledBy(proc)).toHaveLength(13)
      // The instance left: a new request fails at once.
      await expect(caller.request('slow', { i: 99, ms: 1 })).rejects.toBeInstanceOf(NoResponderError)
    } finally {
      proc.kill('SIGKILL')
    }
  }, 30_000)
})
