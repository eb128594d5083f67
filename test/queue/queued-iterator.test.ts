import { describe, expect, test } from 'vitest'
import { InvalidArgumentError } from '../../src/errors.js'
import { BoundedQueue, UNBOUNDED } from '../../src/queue/bounded-queue.js'
import { QueuedIterator } from '../../src/queue/queued-iterator.js'
import { readAll } from '../helpers/read-all.js'
import { withTimeout } from '../helpers/wait.js'

function iterator(capacity = UNBOUNDED, onReturn: () => unknown = () => {}): QueuedIterator<number> {
  return new QueuedIterator(new BoundedQueue<number>(capacity, 'error'), 'a test stream', onReturn)
}

describe('QueuedIterator (no I/O)', () => {
  test('values pushed before anyone reads wait in the queue, in order', async () => {
    const it = iterator()
    for (const n of [1, 2, 3]) expect(it.push(n)).toBe('ok')
    it.end()
    expect(it.queue.length).toBe(3)
    expect(await readAll(it)).toEqual({ values: [1, 2, 3] })
  })

  test('a waiting reader gets the next value directly, without the queue', async () => {
    const it = iterator(0)
    const next = it.next()
    expect(it.reading).toBe(true)
    // A queue of capacity 0 refuses everything: only the hand-over can have taken it.
    expect(it.push(7)).toBe('ok')
    expect(await next).toEqual({ value: 7, done: false })
    expect([it.reading, it.queue.length]).toEqual([false, 0])
  })

  test("past the reader, the queue's policy applies", () => {
    const it = iterator(2)
    expect([1, 2, 3].map((n) => it.push(n))).toEqual(['ok', 'ok', 'overflow'])
  })

  test('one reader at a time: a second next() while one waits is refused, the first still served', async () => {
    const it = iterator()
    const first = it.next()
    await expect(it.next()).rejects.toBeInstanceOf(InvalidArgumentError)
    await expect(it.next()).rejects.toThrow('a test stream can be read by one consumer at a time')
    it.push(1)
    expect(await first).toEqual({ value: 1, done: false })
  })

  test('end(): a waiting reader is told done; a later one reads what is queued first', async () => {
    const waiting = iterator()
    const next = waiting.next()
    waiting.end()
    expect(await withTimeout(next, 'done')).toEqual({ value: undefined, done: true })

    const it = iterator()
    it.push(1)
    it.end()
    // Still queued after end: read before done (a subscription's last messages before it ends).
    it.push(2)
    expect(await readAll(it)).toEqual({ values: [1, 2] })
    expect(await it.next()).toEqual({ value: undefined, done: true })
  })

  test('fail(): what is queued first, then the error, every time after', async () => {
    const it = iterator()
    it.push(1)
    const error = new Error('broken')
    it.fail(error)
    expect(it.ended).toBe(true)
    expect(await readAll(it)).toEqual({ values: [1], error })
    await expect(it.next()).rejects.toBe(error)
  })

  test('fail() rejects a waiting reader at once', async () => {
    const it = iterator()
    const next = it.next()
    const error = new Error('broken')
    it.fail(error)
    await expect(withTimeout(next, 'the rejection')).rejects.toBe(error)
  })

  test('the first ending wins: fail() after end() and end() after fail() change nothing', async () => {
    const ended = iterator()
    ended.end()
    ended.fail(new Error('late'))
    expect(await ended.next()).toEqual({ value: undefined, done: true })

    const failed = iterator()
    const error = new Error('first')
    failed.fail(error)
    failed.end()
    failed.fail(new Error('second'))
    await expect(failed.next()).rejects.toBe(error)
  })

  test("return() runs the owner's hook and awaits it before reporting done", async () => {
    const calls: string[] = []
    const it = iterator(UNBOUNDED, async () => {
      calls.push('hook')
      await Promise.resolve()
      calls.push('hook done')
    })
    for (const n of [1, 2, 3]) it.push(n)
    const seen: number[] = []
    for await (const value of it) {
      seen.push(value)
      if (value === 2) break
    }
    expect(seen).toEqual([1, 2])
    expect(calls).toEqual(['hook', 'hook done'])
  })

  test('discard(): drops what is queued and any failure; the reader sees done', async () => {
    const it = iterator()
    const waiting = it.next()
    it.discard()
    expect(await waiting).toEqual({ value: undefined, done: true })

    const failed = iterator()
    failed.push(1)
    failed.fail(new Error('not read'))
    failed.discard()
    expect([failed.queue.length, await failed.next()]).toEqual([0, { value: undefined, done: true }])
  })

  test('poll(): a queued value, else undefined, else the failure once failed', () => {
    const it = iterator()
    expect(it.poll()).toBeUndefined()
    it.push(1)
    const error = new Error('broken')
    it.fail(error)
    expect(it.poll()).toBe(1)
    expect(() => it.poll()).toThrow(error)
  })
})
