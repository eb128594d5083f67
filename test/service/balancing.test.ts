import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import type { Service } from '../../src/service/service.js'
import { RedisServer, redisServerBinary } from '../helpers/redis-server.js'
import { uniq, until } from '../helpers/wait.js'
import { Buses, listenJson, publishRaw } from '../rpc/harness.js'

const REQUESTS = 9_000 // 3 instances x 3,000

interface Instance {
  app: Service
  handled: string[]
}

/** N instances of one service, each on its own bus (its own connection), recording what they handle. */
async function startInstances(buses: Buses, name: string, n: number): Promise<Instance[]> {
  const instances: Instance[] = []
  for (let i = 0; i < n; i++) {
    const bus = await buses.connect()
    const handled: string[] = []
    const app: Service = bus.service(name, { maxQueue: REQUESTS }).action('work', (p: { i: number }, ctx) => {
      handled.push(ctx.requestId)
      return { i: p.i, by: app.instanceId }
    })
    await app.start()
    instances.push({ app, handled })
  }
  return instances
}

function expectExactlyOnce(instances: Instance[], expectedIds: readonly string[] | number): void {
  const all = instances.flatMap((x) => x.handled)
  const count = typeof expectedIds === 'number' ? expectedIds : expectedIds.length
  expect(all).toHaveLength(count)
  expect(new Set(all).size).toBe(count)
  if (typeof expectedIds !== 'number') expect(new Set(all)).toEqual(new Set(expectedIds))
  for (const x of instances) expect(x.handled.length).toBeGreaterThan(0)
}

const targets = [
  { name: 'memory', available: true },
  { name: 'redis', available: redisServerBinary !== undefined },
] as const

for (const target of targets) {
  describe.skipIf(!target.available)(`balancing across instances (${target.name})`, () => {
    let server: RedisServer | undefined
    let buses: Buses
    beforeAll(async () => {
      if (target.name === 'redis') server = await RedisServer.start()
    })
    afterAll(async () => {
      await server?.stop()
    })
    const fresh = () => {
      buses = new Buses(server ? server.url : `memory://${uniq('bal')}`)
      return buses
    }

    test('switchboard callers: 3 instances, 9,000 requests, each handled exactly once, all instances share the load', async () => {
      fresh()
      try {
        const instances = await startInstances(buses, 'balanced', 3)
        const callers = await Promise.all([buses.connect(), buses.connect()])
        const results = await Promise.all(
          Array.from({ length: REQUESTS }, (_, i) =>
            (callers[i % 2] as Bus).caller('balanced', { timeoutMs: 15_000 }).request('work', { i }),
          ),
        )
        expect(results.map((r) => (r as { i: number }).i)).toEqual(
          Array.from({ length: REQUESTS }, (_, i) => i),
        )
        expectExactlyOnce(instances, REQUESTS)
        // No claims were needed: every request went to one instance channel.
        for (const { app } of instances) expect(app.stats().claimedElsewhere).toBe(0)
        // Round robin: each instance got close to a third.
        for (const { handled } of instances) expect(handled.length).toBeGreaterThan(REQUESTS / 6)
      } finally {
        await buses.close()
      }
    })

    test('a plain Daebus caller (publishing to <service> only): each request is handled exactly once, by claim', async () => {
      fresh()
      try {
        const instances = await startInstances(buses, 'daebus_style', 3)
        const client = await buses.connect()
        const replyTo = `caller:${uniq()}`
        const replies = await listenJson<{ request_id: string; status: string; final: boolean }>(
          client,
          replyTo,
        )
        const ids = Array.from({ length: REQUESTS }, (_, i) => `req-${i}`)
        // Daebus' DaebusCaller: JSON, published to the service channel only.
        await Promise.all(
          ids.map((id, i) =>
            publishRaw(client, 'daebus_style', {
              action: 'work',
              payload: { i },
              reply_to: replyTo,
              request_id: id,
              service: 'daebus_style',
            }),
          ),
        )
        const got = await replies.take(REQUESTS, 15_000)
        expect(got.every((r) => r.status === 'success' && r.final)).toBe(true)
        expect(new Set(got.map((r) => r.request_id))).toEqual(new Set(ids))
        expectExactlyOnce(instances, ids)
        // Each request was claimed by one instance and lost by the two others.
        await until(
          () => instances.reduce((sum, { app }) => sum + app.stats().claimedElsewhere, 0) === 2 * REQUESTS,
          'every losing claim to be counted',
        )
        // Nothing more arrives: one reply per request.
        await publishRaw(client, 'daebus_style', {
          action: 'work',
          payload: { i: -1 },
          reply_to: replyTo,
          request_id: 'last',
          service: 'daebus_style',
        })
        await replies.take(REQUESTS + 1)
        expect(replies.items).toHaveLength(REQUESTS + 1)
      } finally {
        await buses.close()
      }
    })

    test('an instance that dies leaves the rotation at once: requests sent its way go to another, without waiting', async () => {
      fresh()
      try {
        const [a, b] = await startInstances(buses, 'mortal', 2)
        const client = await buses.connect()
        // A long discovery interval: the caller keeps the dead instance listed, and must notice by itself.
        const caller = client.caller('mortal', { timeoutMs: 60_000, discoveryIntervalMs: 3_600_000 })
        await Promise.all(Array.from({ length: 10 }, (_, i) => caller.request('work', { i })))
        expect(b?.handled.length).toBeGreaterThan(0)
        await b?.app.bus.close()
        const before = a?.handled.length ?? 0
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => caller.request('work', { i })))
        expect(results).toHaveLength(20)
        expect((a?.handled.length ?? 0) - before).toBe(20)
      } finally {
        await buses.close()
      }
    })

    test('a new instance joins the rotation once the cached list is refreshed', async () => {
      fresh()
      try {
        await startInstances(buses, 'growing', 1)
        const client = await buses.connect()
        const caller = client.caller('growing', { discoveryIntervalMs: 20 })
        await caller.request('work', { i: 0 })
        const [late] = await startInstances(buses, 'growing', 1)
        let i = 1
        await until(async () => {
          await caller.request('work', { i: i++ })
          return (late?.handled.length ?? 0) > 0
        }, 'the new instance to get a request')
      } finally {
        await buses.close()
      }
    })

    test('with no instance channels (a Daebus service), requests go to the service channel', async () => {
      fresh()
      try {
        const service = await buses.connect()
        // A minimal Daebus-style responder: it knows nothing of instance channels.
        await service.subscribe(
          'py_like',
          (raw) => {
            const req = JSON.parse(Buffer.from(raw as Uint8Array).toString()) as {
              request_id: string
              reply_to: string
              payload: number
            }
            void publishRaw(service, req.reply_to, {
              status: 'success',
              payload: req.payload * 2,
              request_id: req.request_id,
              final: true,
            })
          },
          { codec: (await import('../../src/codec/raw.js')).rawCodec },
        )
        const caller = (await buses.connect()).caller('py_like')
        expect(await caller.request('double', 21)).toBe(42)
      } finally {
        await buses.close()
      }
    })
  })
}
