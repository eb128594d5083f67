import { describe, expect, it } from 'vitest'
import { type BrokerName, SubscriptionRegistry } from '../../src/pubsub/subscription-registry.js'

const channel = (name: string): BrokerName => ({ kind: 'channel', name })
const pattern = (name: string): BrokerName => ({ kind: 'pattern', name })
const shard = (name: string): BrokerName => ({ kind: 'shard', name })

describe('SubscriptionRegistry', () => {
  it('asks the broker to subscribe a name for its first holder only', () => {
    const r = new SubscriptionRegistry<string>()
    expect(r.add('a', [channel('news'), pattern('news*')])).toEqual([channel('news'), pattern('news*')])
    expect(r.add('b', [channel('news'), shard('news')])).toEqual([shard('news')])
  })

  it('keeps every kind apart: the same name under two kinds is two broker subscriptions', () => {
    const r = new SubscriptionRegistry<string>()
    r.add('a', [channel('x')])
    r.add('b', [pattern('x')])
    r.add('c', [shard('x')])
    expect([...(r.holders('channel').get('x') ?? [])]).toEqual(['a'])
    expect([...(r.holders('pattern').get('x') ?? [])]).toEqual(['b'])
    expect([...(r.holders('shard').get('x') ?? [])]).toEqual(['c'])
    expect(r.names('pattern')).toEqual(['x'])
  })

  it('detach names the last holders, and the subscription stays routed until unroute', () => {
    const r = new SubscriptionRegistry<string>()
    r.add('a', [channel('news'), pattern('n*')])
    r.add('b', [channel('news')])
    expect(r.detach('a')).toEqual({ names: [channel('news'), pattern('n*')], last: [pattern('n*')] })
    expect(r.detach('a')).toBeUndefined()
    expect(r.live()).toEqual(['b'])
    // The UNSUBSCRIBE is in flight: what the broker still sends reaches 'a'.
    expect([...(r.holders('pattern').get('n*') ?? [])]).toEqual(['a'])
    r.unroute('a', [channel('news'), pattern('n*')])
    expect(r.holders('pattern').get('n*')).toBeUndefined()
    expect(r.has(pattern('n*'))).toBe(false)
    expect([...(r.holders('channel').get('news') ?? [])]).toEqual(['b'])
  })

  it('a name subscribed again while its last holder is being released is held by the new one', () => {
    const r = new SubscriptionRegistry<string>()
    r.add('a', [channel('news')])
    expect(r.detach('a')?.last).toEqual([channel('news')])
    // Not first: 'a' still holds it until the UNSUBSCRIBE is confirmed.
    expect(r.add('b', [channel('news')])).toEqual([])
    r.unroute('a', [channel('news')])
    // So the release must subscribe it again.
    expect(r.has(channel('news'))).toBe(true)
    expect([...(r.holders('channel').get('news') ?? [])]).toEqual(['b'])
  })
})
