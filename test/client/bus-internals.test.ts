import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { ClosedError, InvalidArgumentError } from '../../src/errors.js'
import { ConsoleLogger } from '../../src/observe/console-logger.js'
import { internalsOf } from '../../src/rpc/bus-internals.js'
import { Service } from '../../src/service/service.js'
import { uniq } from '../helpers/wait.js'

/** The methods rpc/ and service/ once reached into the public bus for (shared with scripts/check-dts.mjs). */
const FORMER_INTERNALS: string[] = JSON.parse(
  readFileSync(new URL('../../scripts/internal-names.json', import.meta.url), 'utf8'),
).formerBusMethods

describe('what rpc/ and service/ get from a bus, and what the public Bus keeps to itself', () => {
  const buses: Bus[] = []
  const open = async () => {
    const bus = await connect({ url: `memory://${uniq('internals')}`, logger: new ConsoleLogger('silent') })
    buses.push(bus)
    return bus
  }
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()))
  })

  it('the public Bus has none of the former internal methods', async () => {
    const bus = await open()
    for (const name of FORMER_INTERNALS) expect(name in bus, name).toBe(false)
  })

  it('a bus carries its internals under a Symbol.for key, hidden from enumeration', async () => {
    const bus = await open()
    expect(Object.keys(bus).sort()).toEqual(['closed', 'codec', 'logger'])
    expect(Object.getOwnPropertySymbols(bus)).toEqual([Symbol.for('switchboard.bus-internals')])
    const internals = internalsOf(bus, 'test')
    expect(Object.keys(internals).sort()).toEqual(['broker', 'pubsub'])
    // Shared across copies of switchboard (an ESM and a CJS build): the key is the registry's.
    const fromAnotherCopy = {
      untyped: bus.untyped,
      [Symbol.for('switchboard.bus-internals')]: internals,
    }
    expect(internalsOf(fromAnotherCopy, 'test')).toBe(internals)
  })

  it('new Service(name, { bus }) with a bus from connect() works; anything else says what to pass', async () => {
    const bus = await open()
    expect(new Service('direct', { bus }).bus).toBe(bus)
    for (const wrong of [undefined, {}, { untyped: {} }, 'redis://localhost']) {
      expect(() => new Service('svc', { bus: wrong as never })).toThrow(InvalidArgumentError)
      expect(() => new Service('svc', { bus: wrong as never })).toThrow(/pass the bus from connect\(\)/)
    }
  })

  it('the broker commands refuse with ClosedError once the bus has closed', async () => {
    const bus = await open()
    const { broker } = internalsOf(bus, 'test')
    const key = uniq('claim')
    expect(await broker.claim(key, 10_000)).toBe(true)
    expect(await broker.claim(key, 10_000)).toBe(false)
    await bus.close()
    await expect(broker.claim(uniq('claim'), 10_000)).rejects.toBeInstanceOf(ClosedError)
    await expect(broker.readClaim(key)).rejects.toBeInstanceOf(ClosedError)
    await expect(broker.channels('*')).rejects.toBeInstanceOf(ClosedError)
  })
})
