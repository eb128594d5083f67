import { afterEach, describe, expect, it } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { InvalidArgumentError } from '../../src/errors.js'
import { collector, uniq, withTimeout } from '../helpers/wait.js'

/** What a plain-JavaScript caller can pass that the types would have refused. */
type Loose = (...args: unknown[]) => Promise<unknown>

describe('plain-JavaScript misuse gets InvalidArgumentError, never a TypeError or silence', () => {
  let bus: Bus
  afterEach(() => bus?.close())

  it('publish() with a channel that is not a name, or bad options', async () => {
    bus = await connect(`memory://${uniq('misuse')}`)
    const publish = bus.publish.bind(bus) as Loose
    for (const channel of [123, undefined, null, '', [], ['a', 7], {}]) {
      await expect(publish(channel, 'x')).rejects.toBeInstanceOf(InvalidArgumentError)
    }
    await expect(publish('a', 'x', 'json')).rejects.toBeInstanceOf(InvalidArgumentError)
    await expect(publish('a', 'x', { codec: 'yaml' })).rejects.toThrow(/unknown codec "yaml"/)
  })

  it('subscribe() with a handler that is not a function, or bad options', async () => {
    bus = await connect(`memory://${uniq('misuse')}`)
    const subscribe = bus.subscribe.bind(bus) as Loose
    for (const second of [42, 'handler', null, [() => {}]]) {
      await expect(subscribe('a', second)).rejects.toBeInstanceOf(InvalidArgumentError)
    }
    await expect(subscribe('a', () => {}, 'drop-oldest')).rejects.toBeInstanceOf(InvalidArgumentError)
    await expect(subscribe('a', () => {}, { overflow: 'explode' })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    )
    await expect(subscribe('a', () => {}, { codec: { encode: 1 } })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    )
    expect(await bus.numsub('a')).toBe(0)
  })

  it('a codec given by name where a Codec object is expected decodes with that codec', async () => {
    bus = await connect({ url: `memory://${uniq('misuse')}`, codec: 'msgpack' })
    const seen = collector<unknown>(1)
    const subscribe = bus.subscribe.bind(bus) as Loose
    await subscribe('named', (data: unknown) => seen.push(data), { codec: 'json' })
    await (bus.publish.bind(bus) as Loose)('named', { a: 1 }, { codec: 'json' })
    expect(await withTimeout(seen.done, 'a json message')).toEqual([{ a: 1 }])
    expect(bus.stats().malformed).toBe(0)
  })

  it('a misspelt SWITCHBOARD_LOG_LEVEL is refused by connect(), naming the levels', async () => {
    const before = process.env.SWITCHBOARD_LOG_LEVEL
    process.env.SWITCHBOARD_LOG_LEVEL = 'verbose'
    try {
      await expect(connect(`memory://${uniq('misuse')}`)).rejects.toThrow(
        /SWITCHBOARD_LOG_LEVEL=verbose is not a log level: use one of trace, debug/,
      )
    } finally {
      if (before === undefined) delete process.env.SWITCHBOARD_LOG_LEVEL
      else process.env.SWITCHBOARD_LOG_LEVEL = before
    }
  })
})
