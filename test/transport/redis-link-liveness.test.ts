import { afterEach, beforeEach, expect, it } from 'vitest'
import { ConnectionError } from '../../src/errors.js'
import { bytes } from '../contract/inbox.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { TcpProxy } from '../helpers/tcp-proxy.js'
import { uniq, withTimeout } from '../helpers/wait.js'
import { connectedTransport, type Fixture, QUICK_LIVENESS } from './redis-fixtures.js'

/**
 * Each link of a RedisTransport (command, publish, subscriber) has its own liveness check: one
 * that goes silent alone, through a TcpProxy that freezes it without FIN or RST while the server
 * stays healthy, is noticed and remade by itself. commandTimeoutMs is 1 s, so that each case
 * takes seconds; the bounds below leave it many times that.
 */
const BOUND_MS = 8_000

/** The error a promise rejects with (undefined if it resolves), handled from the start. */
const settled = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  )

describeRedis('RedisTransport links that go silent one at a time', () => {
  let server: RedisServer
  let proxy: TcpProxy
  const fixtures: Fixture[] = []

  beforeEach(async () => {
    server = await RedisServer.start()
    proxy = await TcpProxy.start({ port: server.port })
  })
  afterEach(async () => {
    await proxy.close()
    await Promise.allSettled(fixtures.splice(0).map((f) => f.t.close()))
    await server.stop()
  })

  async function open(): Promise<Fixture> {
    const f = await connectedTransport(proxy.url, QUICK_LIVENESS)
    fixtures.push(f)
    return f
  }

  const frozen = (role: 'cmd' | 'pub' | 'sub') =>
    proxy.freeze((c) => c.greeting.includes(`switchboard:${role}`))

  it('a frozen publish link alone: the publish in flight rejects, the link is remade, publishing works again', async () => {
    const { t, statuses } = await open()
    const ch = uniq('pub-frozen')
    expect(frozen('pub')).toHaveLength(1)
    const error = await withTimeout(settled(t.publish(ch, bytes('into the freeze'))), 'the publish', BOUND_MS)
    expect(error).toBeInstanceOf(ConnectionError)
    // It was written before the link was found dead: the frozen path may still pass it on.
    expect((error as ConnectionError).maybeDelivered).toBe(true)
    await statuses.next('reconnected', 1, BOUND_MS)
    expect(statuses.of('disconnected')[0]?.error?.message).toMatch(
      /lost the publish connection.*PING unanswered/,
    )
    expect(await t.publish(ch, bytes('after'))).toBe(0)
  })

  it('a frozen command link alone: the command in flight rejects, and commands work again', async () => {
    const { t, statuses } = await open()
    const ch = uniq('cmd-frozen')
    expect(frozen('cmd')).toHaveLength(1)
    const error = await withTimeout(settled(t.numsub([ch])), 'the command', BOUND_MS)
    expect(error).toBeInstanceOf(ConnectionError)
    await statuses.next('reconnected', 1, BOUND_MS)
    expect(statuses.of('disconnected')[0]?.error?.message).toMatch(
      /lost the commands connection.*PING unanswered/,
    )
    expect(await t.numsub([ch])).toEqual([0])
  })

  it('a subscriber dropped for silence is ended on the server too: it no longer counts as a receiver', async () => {
    const { t, inbox, statuses } = await open()
    const ch = uniq('zombie')
    await t.subscribe('channel', [ch])
    expect(server.cli('pubsub', 'numsub', ch)).toBe(`${ch}\n1`)
    expect(frozen('sub')).toHaveLength(1)
    await statuses.next('reconnected', 1, BOUND_MS)
    // The old connection is still open on the server's side of the frozen proxy: only CLIENT
    // KILL ends it there, and without that it would count as a second receiver.
    expect(server.cli('pubsub', 'numsub', ch)).toBe(`${ch}\n1`)
    expect(server.cli('client', 'list').match(/name=switchboard:sub /g)).toHaveLength(1)
    expect(await t.publish(ch, bytes('after'))).toBe(1)
    await inbox.waitFor((m) => m.text === 'after', 'the message after the freeze')
    expect(statuses.types).toEqual(['connected', 'disconnected', 'reconnected'])
  })
})
