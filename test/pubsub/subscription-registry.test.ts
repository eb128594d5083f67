import { describe, expect, it } from 'vitest'
import { SubscriptionRegistry } from '../../src/pubsub/subscription-registry.js'

describe('SubscriptionRegistry', () => {
  it('asks the transport to subscribe for the first local subscriber and unsubscribe after the last', () => {
    const r = new SubscriptionRegistry<string>()
    expect(r.add('channel', 'news', 'a')).toBe(true)
    expect(r.add('channel', 'news', 'b')).toBe(false)
    expect(r.add('pattern', 'news*', 'a')).toBe(true)
    expect(r.remove('channel', 'news', 'a')).toBe(false)
    expect(r.remove('channel', 'news', 'a')).toBe(false)
    expect(r.remove('channel', 'news', 'b')).toBe(true)
    expect(r.channels()).toEqual([])
    expect(r.patterns()).toEqual(['news*'])
  })

  it('routes a message by channel, or by the pattern it matched', () => {
    const r = new SubscriptionRegistry<string>()
    r.add('channel', 'news', 'a')
    r.add('pattern', 'n*', 'b')
    expect([...(r.targets('news', undefined) ?? [])]).toEqual(['a'])
    expect([...(r.targets('news', 'n*') ?? [])]).toEqual(['b'])
    expect(r.targets('other', undefined)).toBeUndefined()
  })
})
