import { expect, it } from 'vitest'
import { ClosedError } from '../../src/errors.js'
import { describeRedis } from '../helpers/redis-server.js'
import { uniq, until, withTimeout } from '../helpers/wait.js'
import { FAST, serverWithTransports } from './redis-fixtures.js'

/** The dedicated connection for blocking reads (blocking-connection.ts), opened from the server links. */
describeRedis('RedisTransport blocking connection', () => {
  const redis = serverWithTransports()

  /** The CLIENT LIST line of the connection with this name, or '' when there is none. */
  const client = (name: string): string =>
    redis.server
      .cli('client', 'list')
      .split('\n')
      .find((line) => line.includes(` name=${name} `)) ?? ''

  const blockedOn = (name: string, command: string): boolean => {
    const line = client(name)
    return line.includes(` cmd=${command} `) && /flags=\w*b/.test(line)
  }

  const pings = (): number =>
    Number(/cmdstat_ping:calls=(\d+)/.exec(redis.server.cli('info', 'commandstats'))?.[1] ?? 0)

  it('runs a blocking read on a connection of its own while the liveness PING keeps flowing', async () => {
    const name = uniq('block')
    // PINGs every 100 ms: one stuck behind the read for 200 ms would drop the command link.
    const f = await redis.open(undefined, { ...FAST, clientName: name, commandTimeoutMs: 200 })
    const blocking = await f.t.openBlockingConnection()
    const key = uniq('list')
    const popped = blocking.sendCommand<[string, string] | null>(['BLPOP', key, '0'])
    await until(() => blockedOn(`${name}:block`, 'blpop'), 'the BLPOP to block its own connection')
    const before = pings()
    // The probe sends a PING only once the last one is answered: three more means three answered.
    await until(() => pings() >= before + 3, 'three more liveness PINGs')
    expect(client(`${name}:cmd`)).toContain(' cmd=ping ')
    expect(blockedOn(`${name}:block`, 'blpop')).toBe(true)
    expect(f.statuses.types).toEqual(['connected'])
    redis.server.cli('rpush', key, 'item')
    expect(await withTimeout(popped, 'the BLPOP to return the item')).toEqual([key, 'item'])
  })

  it('is closed with the transport, cutting a blocked read at once', async () => {
    const name = uniq('blockclose')
    // A close that waited for the blocked read would take the whole closeTimeoutMs.
    const f = await redis.open(undefined, { ...FAST, clientName: name, closeTimeoutMs: 60_000 })
    const blocking = await f.t.openBlockingConnection()
    const popped = blocking.sendCommand(['BLPOP', uniq('never'), '0']).then(
      () => undefined,
      (error: unknown) => error,
    )
    await until(() => blockedOn(`${name}:block`, 'blpop'), 'the BLPOP to block')
    await withTimeout(f.t.close(), 'close() with a blocked read', 5_000)
    expect(await withTimeout(popped, 'the blocked read to be cut')).toBeInstanceOf(Error)
    await until(() => client(`${name}:block`) === '', 'the blocking connection to be gone')
    await expect(blocking.sendCommand(['PING'])).rejects.toBeInstanceOf(ClosedError)
    await expect(f.t.openBlockingConnection()).rejects.toBeInstanceOf(ClosedError)
  })

  it('closed by itself, it leaves the transport working', async () => {
    const name = uniq('blockalone')
    const f = await redis.open(undefined, { ...FAST, clientName: name })
    const blocking = await f.t.openBlockingConnection()
    expect(await blocking.sendCommand(['PING'])).toBe('PONG')
    await blocking.close()
    await until(() => client(`${name}:block`) === '', 'the blocking connection to be gone')
    await expect(blocking.sendCommand(['PING'])).rejects.toThrow(/the blocking connection is closed/)
    expect(await f.t.publish(uniq('x'), new Uint8Array(1))).toBe(0)
  })
})
