import { describe, expect, test } from 'vitest'
import { InvalidArgumentError } from '../../src/errors.js'
import { routeKey } from '../../src/transport/cluster/cluster-stream-commands.js'
import { keySlot } from '../../src/transport/cluster/key-slot.js'

describe('durable commands on a cluster are routed by their topic key', () => {
  test('the first key of EVAL/EVALSHA (never the braces in the script), else the first {tagged} argument', () => {
    const source = "local args = {'XADD', KEYS[1]}"
    expect(routeKey(['EVAL', source, '2', 'topic:{orders}', 'topic:{orders}:dedupe:k', '{not this}'])).toBe(
      'topic:{orders}',
    )
    expect(routeKey(['EVALSHA', 'abc', '1', 'topic:{orders}:schedule'])).toBe('topic:{orders}:schedule')
    expect(routeKey(['XADD', 'topic:{orders}', '*', 'd', new Uint8Array([0x7b, 0x7d])])).toBe(
      'topic:{orders}',
    )
    expect(
      routeKey(['XREADGROUP', 'GROUP', 'billing', 'c-1', 'COUNT', '10', 'STREAMS', 'topic:{orders}', '>']),
    ).toBe('topic:{orders}')
    expect(() => routeKey(['SCRIPT', 'LOAD', 'return 1'])).toThrow(InvalidArgumentError)
  })

  test("a topic's keys share one slot; topics spread over slots", () => {
    expect(keySlot('topic:{orders}')).toBe(keySlot('topic:{orders}:retry:billing'))
    const slots = new Set(['orders', 'emails', 'invoices', 'reminders'].map((t) => keySlot(`topic:{${t}}`)))
    expect(slots.size).toBe(4)
  })
})
