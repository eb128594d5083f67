import { afterEach, beforeEach, expect, it } from 'vitest'
import { ConnectionError, SlowConsumerError } from '../../src/errors.js'
import { keyOfBytes } from '../../src/transport/channel-key.js'
import { bytes } from '../contract/inbox.js'
import { describeRedis, RedisServer } from '../helpers/redis-server.js'
import { uniq } from '../helpers/wait.js'
import { connectedTransport, type Fixture } from './redis-fixtures.js'

describeRedis('RedisTransport reconnection', () => {
  let server: RedisServer
  const fixtures: Fixture[] = []
  const open = async (): Promise<Fixture> => {
    const f = await connectedTransport(server.url)
    fixtures.push(f)
    return f
  }

  beforeEach(async () => {
    server = await RedisServer.start()
  })
  afterEach(async () => {
    await Promise.all(fixtures.splice(0).map((f) => f.t.close()))
    await server.stop()
  })

  it('after a server restart: one disconnected, one reconnected, and channels and patterns resubscribed', async () => {
    const { t, inbox, statuses } = await open()
    const ch = uniq('re')
    await t.subscribe('channel', [ch])
    await t.subscribe('pattern', [`${ch}:*`, `${ch}*`])
    expect(await t.publish(ch, bytes('before'))).toBe(2)
    await inbox.waitForCount((m) => m.text === 'before', 2, 'messages before the restart')

    await server.restart()
    const down = await statuses.next('disconnected')
    await statuses.next('reconnected')
    expect(statuses.types).toEqual(['connected', 'disconnected', 'reconnected'])
    expect(down.error).toBeInstanceOf(ConnectionError)
    expect(down.error?.message).toContain(server.url)

    // The new server knows the subscriptions again: from this transport's own command connection
    // and from another client.
    expect(server.cli('pubsub', 'numsub', ch)).toBe(`${ch}\n1`)
    expect(server.cli('pubsub', 'numpat')).toBe('2')
    expect(await t.publish(ch, bytes('after'))).toBe(2)
    const other = await open()
    expect(await other.t.publish(`${ch}:x`, bytes('after-pattern'))).toBe(2)
    const got = await inbox.waitForCount((m) => m.text.startsWith('after'), 4, 'messages after the restart')
    // Redis does not order the deliveries of one message to several patterns.
    expect(got.map((m) => `${m.channel} ${m.pattern} ${m.text}`).sort()).toEqual(
      [
        `${ch} undefined after`,
        `${ch} ${ch}* after`,
        `${ch}:x ${ch}:* after-pattern`,
        `${ch}:x ${ch}* after-pattern`,
      ].sort(),
    )
  })

  it('resubscribes names given as bytes that are not UTF-8 with their exact bytes, and forgets one unsubscribed meanwhile', async () => {
    const { t, inbox, statuses } = await open()
    const prefix = uniq('rebytes')
    const kept = Buffer.concat([Buffer.from(prefix), Buffer.from([0x80, 0x81])])
    const dropped = Buffer.concat([Buffer.from(prefix), Buffer.from([0x80, 0x82])])
    const pattern = Buffer.concat([Buffer.from(prefix), Buffer.from([0xff, 0x2a])])
    await t.subscribe('channel', [kept, dropped])
    await t.subscribe('pattern', [pattern])
    await server.restart()
    await statuses.next('disconnected')
    // Unsubscribed while the connection is down: the new connection must not subscribe it.
    await t.unsubscribe('channel', [dropped])
    await statuses.next('reconnected')
    expect(await t.numsub([kept, dropped])).toEqual([1, 0])
    expect(await t.publish(kept, bytes('kept'))).toBe(1)
    expect(await t.publish(dropped, bytes('dropped'))).toBe(0)
    const through = Buffer.concat([pattern.subarray(0, -1), Buffer.from([0xfe])])
    expect(await t.publish(through, bytes('pattern'))).toBe(1)
    const got = await inbox.waitForCount(() => true, 2, 'the messages after the restart')
    expect(got.map((m) => [m.channel, m.pattern, m.text])).toEqual([
      [keyOfBytes(kept), undefined, 'kept'],
      [keyOfBytes(through), keyOfBytes(pattern), 'pattern'],
    ])
  })

  it('survives several restarts in a row', async () => {
    const { t, inbox, statuses } = await open()
    const ch = uniq('again')
    await t.subscribe('channel', [ch])
    for (let round = 1; round <= 3; round++) {
      await server.restart()
      await statuses.next('reconnected', round)
      expect(await t.publish(ch, bytes(`round ${round}`))).toBe(1)
      await inbox.waitFor((m) => m.text === `round ${round}`, `the message of round ${round}`)
    }
    expect(statuses.types).toEqual([
      'connected',
      ...['disconnected', 'reconnected'],
      ...['disconnected', 'reconnected'],
      ...['disconnected', 'reconnected'],
    ])
  })

  it('a dropped command connection alone is reported and restored', async () => {
    const { t, statuses } = await open()
    await t.subscribe('channel', [uniq('keep')])
    server.cli('client', 'kill', 'type', 'normal')
    await statuses.next('reconnected')
    expect(statuses.types).toEqual(['connected', 'disconnected', 'reconnected'])
    expect(await t.publish(uniq('x'), bytes('x'))).toBe(0)
  })

  it('a quiet subscriber cut off by the server is a disconnection, not a slow consumer', async () => {
    const { t, inbox, statuses } = await open()
    const ch = uniq('quiet')
    await t.subscribe('channel', [ch])
    server.cli('client', 'kill', 'type', 'pubsub')
    await statuses.next('reconnected')
    // The check runs before `reconnected` is emitted, so an error would be here by now.
    expect(statuses.types).toEqual(['connected', 'disconnected', 'reconnected'])
    expect(statuses.all.some((s) => s.type === 'error' && s.error instanceof SlowConsumerError)).toBe(false)
    expect(await t.publish(ch, bytes('back'))).toBe(1)
    await inbox.waitFor((m) => m.text === 'back', 'a message after the subscriber came back')
  })

  it('drops, after a reconnection, what was unsubscribed while the connection was down', async () => {
    const { t, inbox, statuses } = await open()
    const gone = uniq('gone')
    const kept = uniq('kept')
    await t.subscribe('channel', [gone, kept])
    await t.subscribe('pattern', [`${gone}*`])
    await server.kill()
    await statuses.next('disconnected')
    // Resolves at once: the connection that had them is gone, and the next one will not subscribe them.
    await t.unsubscribe('channel', [gone])
    await t.unsubscribe('pattern', [`${gone}*`])
    await server.restart()
    await statuses.next('reconnected')
    expect(server.cli('pubsub', 'numsub', gone, kept)).toBe(`${gone}\n0\n${kept}\n1`)
    expect(server.cli('pubsub', 'numpat')).toBe('0')
    expect(await t.publish(gone, bytes('nobody'))).toBe(0)
    expect(await t.publish(kept, bytes('marker'))).toBe(1)
    await inbox.waitFor((m) => m.channel === kept, 'the marker')
    expect(inbox.on(gone)).toEqual([])
  })

  it('gives up after reconnect.maxAttempts, says so, and rejects every call from then on', async () => {
    const f = await connectedTransport(server.url, {
      reconnect: { initialDelayMs: 5, maxDelayMs: 20, maxAttempts: 2 },
    })
    fixtures.push(f)
    await f.t.subscribe('channel', [uniq('x')])
    await server.kill()
    const failure = await f.statuses.next('error')
    expect(failure.error).toBeInstanceOf(ConnectionError)
    expect(failure.error.message).toMatch(
      /gave up reconnecting to redis:\/\/127\.0\.0\.1:\d+ after 2 attempts/,
    )
    expect(f.statuses.types).toEqual(['connected', 'disconnected', 'error'])
    await expect(f.t.publish(uniq('x'), bytes('x'))).rejects.toBe(failure.error)
    await expect(f.t.subscribe('channel', [uniq('x')])).rejects.toBe(failure.error)
  })
})
