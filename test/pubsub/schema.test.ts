import type { StandardSchemaV1 } from '@standard-schema/spec'
import { afterEach, describe, expect, it } from 'vitest'
import type { Bus } from '../../src/client/bus.js'
import { connect } from '../../src/client/connect.js'
import { type SwitchboardError, ValidationError } from '../../src/errors.js'
import { collector, uniq, withTimeout } from '../helpers/wait.js'

interface Order {
  id: number
}

/** A minimal Standard Schema, as zod, valibot or arktype would provide; `async` answers with a promise. */
function orderSchema(async = false): StandardSchemaV1<unknown, Order> {
  const check = (value: unknown): StandardSchemaV1.Result<Order> =>
    typeof value === 'object' && value !== null && typeof (value as Order).id === 'number'
      ? { value: value as Order }
      : { issues: [{ message: 'id must be a number' }] }
  return {
    '~standard': {
      version: 1,
      vendor: 'test',
      validate: (value) => (async ? Promise.resolve(check(value)) : check(value)),
    },
  }
}

describe('Standard Schema validation of what arrives', () => {
  let bus: Bus<{ orders: Order; other: unknown }> | Bus
  afterEach(() => bus?.close())

  for (const async of [false, true]) {
    it(`drops and reports invalid payloads, keeping order (${async ? 'async' : 'sync'} schema)`, async () => {
      const typed = await connect<{ orders: Order; other: unknown }>({
        url: `memory://${uniq('schema')}`,
        schemas: { orders: orderSchema(async) },
      })
      bus = typed
      const errors: SwitchboardError[] = []
      typed.on('error', (e) => errors.push(e))
      const seen = collector<unknown>(3)
      // One subscription over two channels: only the channel with a schema is checked.
      await typed.subscribe(['orders', 'other'], (d) => seen.push(d))
      await typed.publish('orders', { id: 1 })
      await typed.publish('orders', { id: 'two' } as unknown as Order)
      await typed.publish('other', 'anything goes')
      await typed.publish('orders', { id: 3 })
      expect(await withTimeout(seen.done, 'valid messages')).toEqual([{ id: 1 }, 'anything goes', { id: 3 }])
      expect(errors).toHaveLength(1)
      expect(errors[0]).toBeInstanceOf(ValidationError)
      expect(errors[0]?.message).toMatch(/message on "orders" failed validation: id must be a number/)
    })
  }

  it('a schema given to subscribe applies to every channel of that subscription', async () => {
    const plain = await connect({ url: `memory://${uniq('schema')}` })
    bus = plain
    const errors: SwitchboardError[] = []
    plain.on('error', (e) => errors.push(e))
    const seen = collector<unknown>(1)
    const sub = await plain.subscribe('other', (d) => seen.push(d), {
      schema: orderSchema() as StandardSchemaV1<unknown, unknown>,
    })
    await plain.publish('other', 'not an order')
    await plain.publish('other', { id: 9 })
    expect(await withTimeout(seen.done, 'the valid message')).toEqual([{ id: 9 }])
    expect(sub.stats.invalid).toBe(1)
    expect(errors[0]).toBeInstanceOf(ValidationError)
  })
})
