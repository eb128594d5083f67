import { describe, expect, test } from 'vitest'
import { BufferOverflowError, CancelledError, InvalidArgumentError } from '../../src/errors.js'
import { ResponseStream } from '../../src/rpc/response-stream.js'
import { readAll } from '../helpers/read-all.js'
import { withTimeout } from '../helpers/wait.js'

/** A stream bound to a fake call that records its cancellations and reports them back as a call does. */
function streamOf(limit: number): { stream: ResponseStream<unknown>; cancels: Array<Error | undefined> } {
  const stream = new ResponseStream<unknown>(limit, 'caller:test')
  const cancels: Array<Error | undefined> = []
  stream.bind((error) => {
    cancels.push(error)
    stream.sink.reject(error ?? new CancelledError('cancelled'))
  })
  return { stream, cancels }
}

describe('ResponseStream (no I/O)', () => {
  test('yields the progress payloads, then the final one, then ends', async () => {
    const { stream } = streamOf(10)
    stream.sink.progress(1)
    stream.sink.progress(null)
    stream.sink.resolve('final')
    expect(await readAll(stream)).toEqual({ values: [1, null, 'final'] })
  })

  test('the final payload is kept one past the limit', async () => {
    const { stream, cancels } = streamOf(2)
    stream.sink.progress(1)
    stream.sink.progress(2)
    stream.sink.resolve('final')
    expect(cancels).toEqual([])
    expect(await readAll(stream)).toEqual({ values: [1, 2, 'final'] })
  })

  test('progress past the limit cancels the call with BufferOverflowError, read after what fitted', async () => {
    const { stream, cancels } = streamOf(2)
    for (const n of [1, 2, 3]) stream.sink.progress(n)
    expect(cancels).toHaveLength(1)
    expect(cancels[0]).toBeInstanceOf(BufferOverflowError)
    expect(cancels[0]).toMatchObject({ channel: 'caller:test', limit: 2 })
    const { values, error } = await readAll(stream)
    expect(values).toEqual([1, 2])
    expect(error).toBe(cancels[0])
  })

  test('a reader that keeps up is never limited: payloads go straight to it', async () => {
    const { stream, cancels } = streamOf(0)
    for (let i = 0; i < 3; i++) {
      const next = stream.next()
      stream.sink.progress(i)
      expect(await next).toEqual({ value: i, done: false })
    }
    expect(cancels).toEqual([])
  })

  test('leaving the loop early cancels the request once, and the stream then reads as done', async () => {
    const { stream, cancels } = streamOf(10)
    stream.sink.progress(1)
    stream.sink.progress(2)
    for await (const value of stream) {
      expect(value).toBe(1)
      break
    }
    // The cancellation the call reports back is not a failure of the stream, nor is what was left.
    expect(cancels).toEqual([undefined])
    expect(await stream.next()).toEqual({ value: undefined, done: true })
  })

  test('return() after the final payload cancels nothing', async () => {
    const { stream, cancels } = streamOf(10)
    stream.sink.resolve('final')
    await stream.return()
    expect(cancels).toEqual([])
  })

  test('a failure reaches a waiting reader, and one read later after what was buffered', async () => {
    const waiting = streamOf(10).stream
    const next = waiting.next()
    const error = new Error('remote')
    waiting.sink.reject(error)
    await expect(withTimeout(next, 'the rejection')).rejects.toBe(error)

    const later = streamOf(10).stream
    later.sink.progress(1)
    later.sink.reject(error)
    expect(await readAll(later)).toEqual({ values: [1], error })
  })

  test('one reader at a time', async () => {
    const { stream } = streamOf(10)
    const first = stream.next()
    await expect(stream.next()).rejects.toBeInstanceOf(InvalidArgumentError)
    stream.sink.resolve('final')
    expect(await first).toEqual({ value: 'final', done: false })
  })
})
