import { afterEach, describe, expect, test } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { InvalidArgumentError } from '../../src/errors.js'
import { ConsoleLogger } from '../../src/observe/console-logger.js'
import { uniq } from '../helpers/wait.js'

let bus: Bus | undefined
afterEach(() => bus?.close())

async function memoryBus(): Promise<Bus> {
  bus = await connect({ url: `memory://${uniq('options')}`, logger: new ConsoleLogger('silent') })
  return bus
}

/** Expects `make` to throw InvalidArgumentError whose message names `option`. */
function refused(make: () => unknown, option: string): void {
  let thrown: unknown
  try {
    make()
  } catch (error) {
    thrown = error
  }
  expect(thrown, `${option} refused`).toBeInstanceOf(InvalidArgumentError)
  expect((thrown as Error).message).toMatch(new RegExp(`^${option} must be`))
}

const NOT_WHOLE = [Number.NaN, -1, 1.5, '10' as unknown as number]

describe('options are checked under their own names', () => {
  test('a service: maxQueue, stopTimeoutMs, claimGraceMs and discoveryIntervalMs', async () => {
    const b = await memoryBus()
    for (const maxQueue of NOT_WHOLE) refused(() => b.service('s', { maxQueue }), 'maxQueue')
    for (const ms of [Number.NaN, -1, 'soon' as unknown as number, 2 ** 31]) {
      refused(() => b.service('s', { stopTimeoutMs: ms }), 'stopTimeoutMs')
      refused(() => b.service('s', { claimGraceMs: ms }), 'claimGraceMs')
      refused(() => b.service('s', { discoveryIntervalMs: ms }), 'discoveryIntervalMs')
    }
    // Its fixed memory grows with the ids it remembers: a cap says so before anything is taken.
    for (const dedupeMaxIds of [...NOT_WHOLE, 1_000_001])
      refused(() => b.service('s', { dedupeMaxIds }), 'dedupeMaxIds')
    expect(() => b.service('s', { maxQueue: 0 })).not.toThrow()
    expect(() => b.service('s', { maxQueue: Number.POSITIVE_INFINITY })).not.toThrow()
    await expect(b.service('s').stop({ timeoutMs: -5 })).rejects.toThrow(/^timeoutMs must be/)
  })

  test('a caller: streamBufferSize, discoveryIntervalMs and timeoutMs', async () => {
    const b = await memoryBus()
    for (const streamBufferSize of NOT_WHOLE)
      refused(() => b.caller('s', { streamBufferSize }), 'streamBufferSize')
    refused(() => b.caller('s', { discoveryIntervalMs: -1 }), 'discoveryIntervalMs')
    refused(() => b.caller('s', { timeoutMs: 0 }), 'timeoutMs')
    expect(() => b.caller('s', { streamBufferSize: 0, discoveryIntervalMs: 0 })).not.toThrow()
  })

  test('connect(): closeTimeoutMs, before anything is opened', async () => {
    await expect(connect({ url: `memory://${uniq('x')}`, closeTimeoutMs: -1 })).rejects.toThrow(
      /^closeTimeoutMs must be/,
    )
  })
})
