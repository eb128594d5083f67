import { describe, expect, it } from 'vitest'
import { CLAIM_AGE_SLACK_MS, claimedBefore, EventClaims } from '../../src/hub/event-claims.js'
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

/** One broker's claims (SET NX PX, GET + PTTL), on a clock the test moves; `gone` expires a key between the two. */
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
    readClaim: async (key: string) => {
      if (key === gone) claims.delete(key)
      const claim = live(key)
      return claim && { value: claim.value, remainingMs: claim.expiresAt - clock.now }
    },
  } as unknown as HubContext
  return { context, claims, expireOnRead: (key: string | undefined) => (gone = key) }
}

/** A hub on `context` that began hearing channel 'e' at clock.now. */
function hub(context: HubContext, clock: { now: number }): EventClaims {
  const claims = new EventClaims(context, 60_000, () => clock.now)
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

  it('a claim made since this hub began hearing is this delivery; one made before, an earlier one', async () => {
    const clock = { now: 1_000_000 }
    const { context } = broker(clock)
    const seven = event('e', '{"user_id":7}')
    const a = hub(context, clock)
    expect(await a.claim('h', seven)).toBe(true)
    clock.now += 10
    const b = hub(context, clock)
    clock.now += 100
    // The second delivery, at b first: :1 is 110 ms old and b has heard for 100, so it was an
    // earlier delivery; b counts on and claims :2.
    expect(await b.claim('h', seven)).toBe(true)
    clock.now += 20
    // The same delivery at a: :2 is 20 ms old and a has heard for 130: b's claim of it.
    expect(await a.claim('h', seven)).toBe(false)
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
    claims.set(key as string, { value: '1', expiresAt: clock.now + 60_000 - 10_000 })
    clock.now += 5_000
    expect(await hub(context, clock).claim('h', seven)).toBe(false)
  })

  it('claimedBefore: a claim whose age (what it was made to last, less what it has left) passes the time heard', () => {
    const claim = (value: string, remainingMs: number) => ({ value, remainingMs })
    expect(claimedBefore(claim('60000', 59_000), 900)).toBe(true)
    expect(claimedBefore(claim('60000', 59_000), 1000)).toBe(false)
    expect(claimedBefore(claim('60000', 59_000), 1000 - CLAIM_AGE_SLACK_MS)).toBe(false)
    expect(claimedBefore(claim('1', 0), 0)).toBe(false)
    expect(claimedBefore(claim('x', 0), 0)).toBe(false)
    expect(claimedBefore(claim('60000', Number.POSITIVE_INFINITY), 0)).toBe(false)
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
