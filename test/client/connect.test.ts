import { afterEach, describe, expect, it } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { InvalidArgumentError, InvalidUrlError } from '../../src/errors.js'
import { deferred, uniq, withTimeout } from '../helpers/wait.js'

describe('connect()', () => {
  const buses: Bus[] = []
  const saved = process.env.SWITCHBOARD_URL
  afterEach(async () => {
    if (saved === undefined) delete process.env.SWITCHBOARD_URL
    else process.env.SWITCHBOARD_URL = saved
    await Promise.all(buses.splice(0).map((b) => b.close()))
  })

  it('defaults to the process-wide embedded broker, shared by every bus', async () => {
    delete process.env.SWITCHBOARD_URL
    const a = await connect()
    const b = await connect('memory://default')
    buses.push(a, b)
    expect(a.url).toBe('memory://default')
    const ch = uniq('shared')
    const got = deferred<unknown>()
    await b.subscribe(ch, (d) => got.resolve(d))
    expect(await a.publish(ch, 'across buses')).toBe(1)
    expect(await withTimeout(got.promise, 'delivery across buses')).toBe('across buses')
  })

  it('SWITCHBOARD_URL overrides the default', async () => {
    const name = uniq('env')
    process.env.SWITCHBOARD_URL = `memory://${name}`
    const bus = await connect()
    buses.push(bus)
    expect(bus.url).toBe(`memory://${name}`)
  })

  it('a bad URL gives InvalidUrlError naming the URL', async () => {
    await expect(connect('redsi://127.0.0.1:6379')).rejects.toThrow(InvalidUrlError)
    await expect(connect('redsi://127.0.0.1:6379')).rejects.toThrow(/redsi:\/\/127\.0\.0\.1:6379/)
    await expect(connect('not a url')).rejects.toThrow(/not a url/)
  })

  it('an unknown codec name is refused, naming the valid ones', async () => {
    await expect(connect({ url: 'memory://x', codec: 'yaml' as never })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    )
  })

  it('accepts a user codec object', async () => {
    const codec = {
      name: 'upper',
      encode: (v: unknown) => Buffer.from(String(v).toUpperCase()),
      decode: (b: Uint8Array) => Buffer.from(b).toString(),
    }
    const bus = await connect({ url: `memory://${uniq('codec')}`, codec })
    buses.push(bus)
    const got = deferred<unknown>()
    await bus.subscribe('c', (d) => got.resolve(d))
    await bus.publish('c', 'shout')
    expect(await withTimeout(got.promise, 'delivery')).toBe('SHOUT')
  })
})
