import { describe, expect, it } from 'vitest'
import { claimedBefore, EventClaims } from '../../src/hub/event-claims.js'
import type { HubContext } from '../../src/hub/hub-context.js'
import { Occurrences } from '../../src/hub/occurrences.js'
import type { Message } from '../../src/pubsub/message.js'

const bytes = (text: string) => new TextEncoder().encode(text)
const event = (channel: string, json: string): Message<unknown> => ({
  channel,
  channelBytes: bytes(channel),
  data: JSON.parse(json),
  raw: bytes(json),
})

/** One broker's claims (SET NX PX, GET), on a clock the test moves; `gone` expires a key between the two. */
function broker(clock: { now: number }) {
  const claims = new Map<string, { value: string; expiresAt: number }>()
  const live = (key: string) => {
    const claim = claims.get(key)
    return claim && claim.expiresAt > clock.now ? claim : undefined
  }
  let gone: string | undefined
  const context = {
    claim: async (key: string, ttlMs: number, value = '1') => {
      if (live(key)) return false
      claims.set(key, { value, expiresAt: clock.now + ttlMs })
      return true
    },
    claimValue: async (key: string) => {
      if (key === gone) claims.delete(key)
      return live(key)?.value
    },
  } as unknown as HubContext
  return { context, claims, expireOnRead: (key: string | undefined) => (gone = key) }
}

/** A hub on `context` that began hearing channel 'e' at clock.now. */
function hub(context: HubContext, clock: { now: number }, skewMs = 0): EventClaims {
  const claims = new EventClaims(context, 60_000, skewMs, () => clock.now)
  claims.hearing('e')
  return claims
}

describe('event claims', () => {
  it('a restarted hub counts on past the claims its previous run made, and routes the repeat', async () => {
    const clock = { now: 1_000_000 }
    const { context, claims } = broker(clock)
    const previous = hub(context, clock)
    const seven = event('e', '{"user_id":7}')
    expect(await previous.claim('h', seven)).toBe(true)
    expect(await previous.claim('h', seven)).toBe(true)
    clock.now += 5_000
    const restarted = hub(context, clock)
    expect(await restarted.claim('h', seven)).toBe(true)
    expect([...claims.keys()].map((key) => key.split(':').at(-1))).toEqual(['1', '2', '3'])
    expect(await restarted.claim('h', seven)).toBe(true)
    expect(claims.size).toBe(4)
  })

  it('two hubs hearing the same deliveries route each once, whichever claims first', async () => {
    const clock = { now: 1_000_000 }
    const { context } = broker(clock)
    const a = hub(context, clock)
    const seven = event('e', '{"user_id":7}')
    expect(await a.claim('h', seven)).toBe(true)
    clock.now += 5_000
    const b = hub(context, clock)
    clock.now += 1
    // The joining hub first, then the other first.
    expect([await b.claim('h', seven), await a.claim('h', seven)]).toEqual([true, false])
    expect([await a.claim('h', seven), await b.claim('h', seven)]).toEqual([true, false])
  })

  it('a claim within clockSkewMs before this hub began hearing is taken as the same delivery', async () => {
    const clock = { now: 1_000_000 }
    const { context } = broker(clock)
    const seven = event('e', '{"user_id":7}')
    expect(await hub(context, clock).claim('h', seven)).toBe(true)
    clock.now += 900
    expect(await hub(context, clock, 1000).claim('h', seven)).toBe(false)
    clock.now += 200
    expect(await hub(context, clock, 1000).claim('h', seven)).toBe(true)
  })

  it('the start is per channel: one heard since later counts on past claims made before', async () => {
    const clock = { now: 1_000_000 }
    const { context } = broker(clock)
    const other = hub(context, clock)
    other.hearing('late')
    expect(await other.claim('h', event('late', '{}'))).toBe(true)
    const claims = hub(context, clock)
    clock.now += 5_000
    claims.hearing('late')
    expect(await claims.claim('h', event('late', '{}'))).toBe(true)
  })

  it('a claim that expires between SET NX and GET is claimed again; one of an earlier version counts as this delivery', async () => {
    const clock = { now: 1_000_000 }
    const { context, claims, expireOnRead } = broker(clock)
    const seven = event('e', '{"user_id":7}')
    await hub(context, clock).claim('h', seven)
    const [key] = claims.keys()
    clock.now += 5_000
    expireOnRead(key)
    expect(await hub(context, clock).claim('h', seven)).toBe(true)
    expect(claims.size).toBe(1)
    expireOnRead(undefined)
    claims.set(key as string, { value: '1', expiresAt: clock.now + 60_000 })
    clock.now += 5_000
    expect(await hub(context, clock).claim('h', seven)).toBe(false)
  })

  it('claimedBefore reads a time in ms; anything else (a claim of an earlier version: 1) is not before', () => {
    expect(claimedBefore('999', 1000)).toBe(true)
    expect(claimedBefore('1000', 1000)).toBe(false)
    expect(claimedBefore('1', 1000)).toBe(false)
    expect(claimedBefore('x', 1000)).toBe(false)
  })
})

describe('occurrences', () => {
  it('catchUp() sets the count: the next arrival counts on from it, and is forgotten as any', () => {
    let now = 0
    const seen = new Occurrences(1000, () => now)
    expect(seen.next('a')).toBe(1)
    seen.catchUp('a', 4)
    expect([seen.next('a'), seen.next('b')]).toEqual([5, 1])
    now = 1999
    seen.catchUp('b', 3)
    now = 2000
    expect([seen.next('a'), seen.next('b')]).toEqual([1, 4])
  })
})
