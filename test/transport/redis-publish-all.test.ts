import { describe, expect, it } from 'vitest'
import { ConnectionError } from '../../src/errors.js'
import { publishAll } from '../../src/transport/redis/publish-all.js'
import type { Payload, PublishReceipt } from '../../src/transport/transport.js'

describe('publishAll (no server)', () => {
  type Outcome = number | ConnectionError
  /** A publishTo that tells each receipt the outcome given for its channel, in order. */
  function publishing(outcomes: Record<string, Outcome>) {
    return (channel: string, _payload: Payload, receipt: PublishReceipt): void => {
      const outcome = outcomes[channel]
      queueMicrotask(() => {
        if (typeof outcome === 'number') receipt.published(outcome)
        else receipt.publishFailed(outcome)
      })
    }
  }
  const batch = (...channels: string[]) => channels.map((c) => [c, 'x'] as const)
  const refused = () => new ConnectionError('refused', { url: 'redis://h:1', maybeDelivered: false })
  const cut = () => new ConnectionError('cut', { url: 'redis://h:1', maybeDelivered: true })

  it('resolves to every count, in order', async () => {
    expect(await publishAll(batch('a', 'b'), publishing({ a: 2, b: 0 }))).toEqual([2, 0])
  })

  it('a batch of which nothing left rejects with maybeDelivered false', async () => {
    const error = await publishAll(batch('a', 'b'), publishing({ a: refused(), b: refused() })).catch(
      (e) => e,
    )
    expect(error).toBeInstanceOf(ConnectionError)
    expect(error.maybeDelivered).toBe(false)
  })

  it('a batch of which one message was published says maybeDelivered true, whichever failed first', async () => {
    const error = await publishAll(batch('a', 'b'), publishing({ a: refused(), b: 1 })).catch((e) => e)
    expect(error).toBeInstanceOf(ConnectionError)
    expect(error.maybeDelivered).toBe(true)
    expect(error.message).toMatch(/^refused; 1 of the batch's 2 messages were delivered or may have been/)
    expect(error.url).toBe('redis://h:1')
  })

  it('a batch of which one message may have left says maybeDelivered true', async () => {
    const error = await publishAll(batch('a', 'b'), publishing({ a: refused(), b: cut() })).catch((e) => e)
    expect(error.maybeDelivered).toBe(true)
  })
})
