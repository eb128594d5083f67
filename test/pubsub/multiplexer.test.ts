import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '../../src/errors.js'
import type { Message } from '../../src/pubsub/message.js'
import { collector, deferred, withTimeout } from '../helpers/wait.js'
import { FakeTransport, fakeBus } from './fake-transport.js'

describe('multiplexing local subscriptions onto the broker', () => {
  it('one broker subscription per (kind, name): the first holder subscribes it, the last unsubscribes it', async () => {
    const transport = new FakeTransport()
    const bus = await fakeBus(transport)
    const a = await bus.subscribe(['news', 'n*'], () => {})
    const b = await bus.subscribe('news', () => {})
    const literal = await bus.subscribe('n*', () => {}, { pattern: false })
    expect(transport.commands).toEqual([
      'subscribe channel news',
      'subscribe pattern n*',
      'subscribe channel n*',
    ])
    await a.unsubscribe()
    expect(transport.commands.slice(3)).toEqual(['unsubscribe pattern n*'])
    await b.unsubscribe()
    await literal.unsubscribe()
    expect(transport.commands.slice(4)).toEqual(['unsubscribe channel news', 'unsubscribe channel n*'])
  })

  it('routes a message by the channel, or by the pattern it matched, to each holder', async () => {
    const transport = new FakeTransport()
    const bus = await fakeBus(transport)
    const seen = collector<string>(3)
    await bus.subscribe('news', (d) => seen.push(`a:${d}`))
    await bus.subscribe('news', (d) => seen.push(`b:${d}`))
    await bus.subscribe('n*', (d, msg) => seen.push(`p:${d}:${msg.pattern}`))
    transport.push('news', 1)
    transport.push('news', 2, 'n*')
    expect((await withTimeout(seen.done, 'three deliveries')).sort()).toEqual(['a:1', 'b:1', 'p:2:n*'])
  })

  it('a subscription being released hears what arrives until the broker confirms', async () => {
    const transport = new FakeTransport()
    const bus = await fakeBus(transport)
    const got = deferred<unknown>()
    const sub = await bus.subscribe('news', (d) => got.resolve(d))
    transport.holdUnsubscribe = true
    const unsubscribed = sub.unsubscribe()
    expect(transport.heldUnsubscribes).toBe(1)
    transport.push('news', 'sent before the confirmation')
    transport.confirmUnsubscribe()
    await unsubscribed
    expect(await withTimeout(got.promise, 'the in-flight message')).toBe('sent before the confirmation')
  })

  it('a name subscribed again while its UNSUBSCRIBE is in flight is subscribed again once confirmed', async () => {
    const transport = new FakeTransport()
    const bus = await fakeBus(transport)
    const old = await bus.subscribe('news', () => {})
    transport.holdUnsubscribe = true
    const released = old.unsubscribe()
    const fresh = collector<Message>(1)
    const subscribing = bus
      .subscribe('news', (_d, msg) => fresh.push(msg))
      .then((sub) => {
        transport.commands.push('subscribe() resolved')
        return sub
      })
    expect(transport.heldUnsubscribes).toBe(1)
    transport.confirmUnsubscribe()
    await Promise.all([released, subscribing])
    // The new holder is told it is subscribed only once the broker has it again.
    expect(transport.commands).toEqual([
      'subscribe channel news',
      'unsubscribe channel news',
      'unsubscribe confirmed',
      'subscribe channel news',
      'subscribe() resolved',
    ])
    transport.push('news', 'after')
    expect((await withTimeout(fresh.done, 'a delivery to the new holder'))[0]?.data).toBe('after')
    expect(old.stats.received).toBe(0)
  })

  it('a kind the transport did not declare is refused with InvalidArgumentError naming the alternative', async () => {
    const transport = new FakeTransport(['channel'])
    const bus = await fakeBus(transport)
    const refused = bus.subscribe(['plain', 'news.*'], () => {})
    await expect(refused).rejects.toBeInstanceOf(InvalidArgumentError)
    await expect(refused).rejects.toThrow(/cannot subscribe by pattern.*exact channels.*pattern: false/)
    expect(transport.commands).toEqual([])
    // Nothing was left behind: the literal name subscribes as a channel.
    await bus.subscribe('news.*', () => {}, { pattern: false })
    await bus.subscribe('plain', () => {})
    expect(transport.commands).toEqual(['subscribe channel news.*', 'subscribe channel plain'])
  })
})
