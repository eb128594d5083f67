import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { InvalidArgumentError } from '../../src/errors.js'
import { BoundedQueue, type PushOutcome, UNBOUNDED } from '../../src/queue/bounded-queue.js'
import { OverflowPolicy } from '../../src/queue/overflow-policy.js'

describe('BoundedQueue (no I/O)', () => {
  test('keeps FIFO order while its front wraps round the ring many times', () => {
    const queue = new BoundedQueue<number>(4)
    const out: number[] = []
    let next = 0
    for (let round = 0; round < 1000; round++) {
      // Three in, two out: the front and the back keep crossing the end of the ring.
      for (let i = 0; i < 3 && queue.length < 4; i++) queue.push(next++)
      out.push(queue.shift() as number, queue.shift() as number)
    }
    out.push(...queue.drain())
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i))
    expect(queue.slots).toBeLessThanOrEqual(4)
  })

  test('grows on demand, never past its capacity: 10 items in a queue of 10,000 cost 10 slots', () => {
    const queue = new BoundedQueue<number>(10_000)
    expect(queue.slots).toBe(0)
    for (let i = 0; i < 10; i++) queue.push(i)
    expect(queue.slots).toBe(10)
    // Two in, one out: it grows while its front moves, so the ring wraps and is laid out again.
    let next = 10
    let grown = 0
    while (queue.length < 9_999) {
      const before = queue.slots
      queue.push(next++)
      queue.push(next++)
      queue.shift()
      if (queue.slots > before) grown += 1
    }
    queue.push(next++)
    expect(queue.slots).toBe(10_000)
    // Laid out with room to spare each time (doubling), not once per item.
    expect(grown).toBeLessThan(40)
    expect(queue.push(next)).toBe('dropped')
    expect(queue.slots).toBe(10_000)
    expect(queue.drain()).toEqual(Array.from({ length: 10_000 }, (_, i) => next - 9_999 + i))
  })

  test('lets a burst go once empty again, but keeps a small ring for reuse', () => {
    const queue = new BoundedQueue<number>(UNBOUNDED)
    for (let i = 0; i < 20_000; i++) queue.push(i)
    expect(queue.slots).toBeGreaterThanOrEqual(20_000)
    while (queue.length > 0) queue.shift()
    expect(queue.slots).toBe(0)
    for (let i = 0; i < 5000; i++) queue.push(i)
    while (queue.length > 0) queue.shift()
    expect(queue.slots).toBe(5000)
  })

  test('drop-oldest keeps the newest items within capacity', () => {
    const queue = new BoundedQueue<number>(3, 'drop-oldest')
    expect([1, 2, 3, 4, 5].map((n) => queue.push(n))).toEqual(['ok', 'ok', 'ok', 'dropped', 'dropped'])
    expect([queue.shift(), queue.shift(), queue.shift(), queue.shift()]).toEqual([3, 4, 5, undefined])
  })

  test('drop-newest keeps the oldest items', () => {
    const queue = new BoundedQueue<number>(2, 'drop-newest')
    expect([1, 2, 3].map((n) => queue.push(n))).toEqual(['ok', 'ok', 'dropped'])
    expect(queue.drain()).toEqual([1, 2])
  })

  test('error refuses the item that does not fit, and takes one again once there is room', () => {
    const queue = new BoundedQueue<number>(1, 'error')
    expect([queue.push(1), queue.push(2)]).toEqual(['ok', 'overflow'])
    expect(queue.length).toBe(1)
    expect(queue.shift()).toBe(1)
    expect(queue.push(3)).toBe('ok')
  })

  test('a capacity of 0 holds nothing, whatever the policy', () => {
    for (const policy of Object.values(OverflowPolicy)) {
      const queue = new BoundedQueue<number>(0, policy)
      expect(queue.push(1)).toBe(policy === 'error' ? 'overflow' : 'dropped')
      expect([queue.length, queue.slots]).toEqual([0, 0])
    }
  })

  test('UNBOUNDED never drops', () => {
    const queue = new BoundedQueue<number>(UNBOUNDED)
    let refused = 0
    for (let i = 0; i < 100_000; i++) if (queue.push(i) !== 'ok') refused += 1
    expect(refused).toBe(0)
    expect([queue.length, queue.peek(), queue.at(99_999)]).toEqual([100_000, 0, 99_999])
  })

  test('remove() takes an item out of the middle, across the wrap, keeping the order', () => {
    const queue = new BoundedQueue<string>(8)
    for (const s of 'abcdef') queue.push(s)
    queue.shift()
    queue.shift()
    for (const s of 'ghij') queue.push(s)
    // The ring now reads c d e f g h i j, with its front in the middle of the array.
    expect(queue.remove('h')).toBe(true)
    expect(queue.remove('h')).toBe(false)
    expect(queue.remove('c')).toBe(true)
    expect(queue.drain()).toEqual(['d', 'e', 'f', 'g', 'i', 'j'])
  })

  test('set() replaces in place; an index outside the queue is a RangeError', () => {
    const queue = new BoundedQueue<number | undefined>(UNBOUNDED)
    for (const n of [1, 2, 3]) queue.push(n)
    queue.set(1, undefined)
    expect(queue.drain()).toEqual([1, undefined, 3])
    expect(() => queue.set(0, 1)).toThrow(RangeError)
    expect(queue.at(0)).toBeUndefined()
  })

  test('refuses a capacity or a policy it cannot honour', () => {
    for (const capacity of [-1, 1.5, Number.NaN])
      expect(() => new BoundedQueue(capacity)).toThrow(InvalidArgumentError)
    expect(() => new BoundedQueue(1, 'drop-random' as OverflowPolicy)).toThrow(InvalidArgumentError)
  })

  test('behaves as an array with the same policy, whatever the operations (model-based)', () => {
    const capacity = fc.oneof(fc.integer({ min: 0, max: 12 }), fc.constant(UNBOUNDED))
    const policy = fc.constantFrom(...Object.values(OverflowPolicy))
    const small = fc.integer({ min: 0, max: 5 })
    const op = fc.oneof(
      { weight: 4, arbitrary: fc.record({ kind: fc.constant('push'), value: small }) },
      { weight: 3, arbitrary: fc.record({ kind: fc.constant('shift'), value: small }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove'), value: small }) },
      {
        weight: 1,
        arbitrary: fc.record({ kind: fc.constant('set'), value: fc.integer({ min: 0, max: 20 }) }),
      },
    )
    fc.assert(
      fc.property(capacity, policy, fc.array(op, { maxLength: 200 }), (cap, pol, ops) => {
        const queue = new BoundedQueue<number>(cap, pol)
        const model: number[] = []
        let peak = 0
        for (const { kind, value } of ops) {
          if (kind === 'push') expect(queue.push(value)).toBe(pushModel(model, cap, pol, value))
          else if (kind === 'shift') expect(queue.shift()).toBe(model.shift())
          else if (kind === 'remove') {
            const index = model.indexOf(value)
            if (index >= 0) model.splice(index, 1)
            expect(queue.remove(value)).toBe(index >= 0)
          } else if (model.length > 0) {
            const index = value % model.length
            model[index] = 100 + value
            queue.set(index, 100 + value)
          }
          peak = Math.max(peak, model.length)
          expect(queue.length).toBe(model.length)
          expect(queue.peek()).toBe(model[0])
          expect(queue.at(model.length - 1)).toBe(model[model.length - 1])
          expect(queue.slots).toBeLessThanOrEqual(Math.min(cap, 2 * peak))
        }
        expect(queue.drain()).toEqual(model)
      }),
    )
  })
})

/** What a push does to an array kept to the same capacity and policy, and its outcome. */
function pushModel(model: number[], capacity: number, policy: OverflowPolicy, value: number): PushOutcome {
  if (model.length < capacity) {
    model.push(value)
    return 'ok'
  }
  if (policy === 'error') return 'overflow'
  if (policy === 'drop-oldest' && capacity > 0) {
    model.shift()
    model.push(value)
  }
  return 'dropped'
}
