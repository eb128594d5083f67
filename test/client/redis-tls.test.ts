import { inspect } from 'node:util'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import type { ConnectOptions } from '../../src/client/connect-options.js'
import { ConnectionError } from '../../src/errors.js'
import { ConsoleLogger } from '../../src/observe/console-logger.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { makeCertificates, type TestCertificates } from '../helpers/tls-certs.js'
import { uniq, until } from '../helpers/wait.js'

/**
 * Issue 9 point 8: `rediss://` against a redis-server that serves TLS only (no plain port, so
 * whatever works went over TLS), with a throwaway CA made by openssl and an ACL user.
 */
describeRedis('Bus over TLS (rediss://) with an ACL user', () => {
  const user = { name: 'app', password: 'tls-Secret-93' }
  let certs: TestCertificates
  let server: RedisServer
  const buses: Bus[] = []

  beforeAll(async () => {
    certs = makeCertificates()
    server = await RedisServer.start([], { tls: certs, user })
  })
  afterEach(async () => {
    await Promise.allSettled(buses.splice(0).map((bus) => bus.close()))
  })
  afterAll(async () => {
    await server?.stop()
    certs?.remove()
  })

  const options = (url: string): ConnectOptions => ({
    url,
    redis: { tls: { ca: certs.ca }, connectTimeoutMs: 2_000 },
    logger: new ConsoleLogger('error'),
  })

  async function open(url = server.url): Promise<Bus> {
    const bus = await connect(options(url))
    buses.push(bus)
    return bus
  }

  /** What connect() rejected with. */
  async function refusal(url: string, extra: Partial<ConnectOptions> = {}): Promise<unknown> {
    return connect({ ...options(url), ...extra }).then(
      (bus) => {
        buses.push(bus)
        return undefined
      },
      (error: unknown) => error,
    )
  }

  it('the harness serves TLS only, and the user is required', () => {
    expect(server.url).toBe(`rediss://app:tls-Secret-93@127.0.0.1:${server.port}`)
    expect(server.cli('ACL', 'WHOAMI')).toBe('app')
    expect(server.cli('CONFIG', 'GET', 'port')).toBe('port\n0')
  })

  it('connects with the CA trusted; publish and subscribe (channel and pattern) work', async () => {
    const bus = await open()
    const ch = uniq('tls')
    const got: string[] = []
    await bus.subscribe(ch, (data, msg) => got.push(`channel ${msg.channel} ${String(data)}`))
    await bus.subscribe(`${ch}:*`, (data, msg) => got.push(`pattern ${msg.channel} ${String(data)}`))
    const other = await open()
    expect(await other.publish(ch, 'one')).toBe(1)
    expect(await other.publish(`${ch}:x`, 'two')).toBe(1)
    await until(() => got.length === 2, 'both messages over TLS')
    expect(got.sort()).toEqual([`channel ${ch} one`, `pattern ${ch}:x two`])
    // Every connection of both buses (commands, publish, subscriber) is the user's.
    const clients = server.cli('CLIENT', 'LIST').split('\n')
    expect(clients.filter((c) => / name=switchboard:(cmd|pub|sub) /.test(c)).length).toBeGreaterThanOrEqual(4)
    expect(clients.filter((c) => / name=switchboard:/.test(c) && !/ user=app /.test(c))).toEqual([])
  })

  it('RPC works over it: a service answers a caller, streaming included', async () => {
    const serviceBus = await open()
    const name = uniq('tls-svc')
    await serviceBus
      .service(name)
      .action('double', (payload: { n: number }) => ({ doubled: payload.n * 2 }))
      .action('count', async (payload: { to: number }, ctx) => {
        for (let i = 1; i < payload.to; i++) ctx.progress(i)
        return payload.to
      })
      .start()
    const caller = (await open()).caller(name, { timeoutMs: 5_000 })
    expect(await caller.request('double', { n: 21 })).toEqual({ doubled: 42 })
    const parts: unknown[] = []
    for await (const part of caller.stream('count', { to: 3 })) parts.push(part)
    expect(parts).toEqual([1, 2, 3])
  })

  it('a wrong password is refused with a ConnectionError that does not contain the password', async () => {
    const wrong = 'Wrong-Pa55word-xyz'
    const error = await refusal(`rediss://app:${wrong}@127.0.0.1:${server.port}`)
    expect(error).toBeInstanceOf(ConnectionError)
    const text = inspect(error, { depth: 10 })
    expect((error as Error).message).toMatch(/WRONGPASS|invalid username-password/)
    expect((error as Error).message).not.toContain(wrong)
    // Nor anywhere in what a logger would print of it: the cause chain, the url field.
    expect(text).not.toContain(wrong)
    expect(text).not.toContain(user.password)
  })

  it('no password at all is refused with a ConnectionError', async () => {
    const error = await refusal(`rediss://127.0.0.1:${server.port}`)
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as Error).message).toMatch(/NOAUTH|WRONGPASS|Authentication required/i)
  })

  it('the server is verified: without its CA trusted, the connection is refused', async () => {
    const error = await refusal(server.url, { redis: { connectTimeoutMs: 2_000 } })
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as Error).message).toMatch(/self.signed|unable to (get|verify)|certificate/i)
    expect(inspect(error, { depth: 10 })).not.toContain(user.password)
  })
})
