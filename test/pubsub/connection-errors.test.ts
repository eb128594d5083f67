import { describe, expect, it } from 'vitest'
import {
  BufferOverflowError,
  ConnectionError,
  SlowConsumerError,
  type SwitchboardError,
} from '../../src/errors.js'
import { collector, withTimeout } from '../helpers/wait.js'
import { FakeTransport, fakeBus } from './fake-transport.js'

describe('ConnectionError wherever a connection fails', () => {
  it('a transport error that is not a SwitchboardError reaches the error event as ConnectionError', async () => {
    const transport = new FakeTransport()
    const bus = await fakeBus(transport)
    const errors = collector<SwitchboardError>(1)
    bus.on('error', (e) => errors.push(e))
    const cause = new Error('read ECONNRESET')
    transport.emitStatus({ type: 'error', error: cause })
    const [error] = await withTimeout(errors.done, 'the error event')
    expect(error).toBeInstanceOf(ConnectionError)
    expect(error?.code).toBe('CONNECTION')
    expect(error?.message).toBe('read ECONNRESET')
    expect(error?.cause).toBe(cause)
    expect((error as ConnectionError).url).toBe('fake://test')
  })

  it('a SwitchboardError from the transport passes through as it is', async () => {
    const transport = new FakeTransport()
    const bus = await fakeBus(transport)
    const errors = collector<SwitchboardError>(1)
    const slow = collector<SlowConsumerError>(1)
    bus.on('error', (e) => errors.push(e))
    bus.on('slow-consumer', (e) => slow.push(e))
    const dropped = new SlowConsumerError('dropped for reading too slowly')
    transport.emitStatus({ type: 'error', error: dropped })
    expect((await withTimeout(errors.done, 'the error event'))[0]).toBe(dropped)
    expect((await withTimeout(slow.done, 'the slow-consumer event'))[0]).toBe(dropped)
  })

  it('a failed subscription that cannot be unsubscribed reports ConnectionError', async () => {
    const transport = new FakeTransport()
    const bus = await fakeBus(transport)
    const errors = collector<SwitchboardError>(2)
    bus.on('error', (e) => errors.push(e))
    const sub = await bus.subscribe('flood', { bufferSize: 1, overflow: 'error' })
    const cause = new Error('connection lost')
    transport.failUnsubscribe = cause
    transport.push('flood', 1)
    transport.push('flood', 2)
    const [overflow, unsubscribe] = await withTimeout(errors.done, 'two errors')
    expect(overflow).toBeInstanceOf(BufferOverflowError)
    expect(unsubscribe).toBeInstanceOf(ConnectionError)
    expect(unsubscribe?.message).toMatch(/could not unsubscribe a failed subscription/)
    expect(unsubscribe?.cause).toBe(cause)
    await expect(sub.poll()).resolves.toMatchObject({ data: 1 })
  })
})
