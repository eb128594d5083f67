import { expect, it } from 'vitest'
import { uniq, until } from '../helpers/wait.js'
import type { ContractClient } from './inbox.js'

/**
 * The transport contract's cases for what a broker answers besides pub/sub (numsub, channels,
 * claims), run inside its describe with its `client()`.
 */
export function brokerCommandCases(client: () => Promise<ContractClient>, patterns: boolean): void {
  it('numsub counts channel subscribers per channel, not pattern ones', async () => {
    const a = await client()
    const b = await client()
    const c = await client()
    const ch = uniq('numsub')
    const other = uniq('numsub-none')
    await a.t.subscribe('channel', [ch])
    await b.t.subscribe('channel', [ch])
    if (patterns) await c.t.subscribe('pattern', [`${ch}*`])
    expect(await c.t.numsub([ch, other])).toEqual([2, 0])
    await b.t.unsubscribe('channel', [ch])
    expect(await c.t.numsub([ch])).toEqual([1])
    expect(await c.t.numsub([])).toEqual([])
  })

  it('channels(pattern) lists the active channels that match', async () => {
    const a = await client()
    const b = await client()
    const prefix = uniq('active')
    await a.t.subscribe('channel', [`${prefix}:x`, `${prefix}:y`])
    await b.t.subscribe('channel', [`${prefix}:y`])
    // Pattern subscriptions are not channels.
    if (patterns) await b.t.subscribe('pattern', [`${prefix}:*`])
    expect((await a.t.channels(`${prefix}:*`)).sort()).toEqual([`${prefix}:x`, `${prefix}:y`])
    await a.t.unsubscribe('channel', [`${prefix}:x`])
    expect(await a.t.channels(`${prefix}:*`)).toEqual([`${prefix}:y`])
    expect(await a.t.channels(`${prefix}:?`)).toEqual([`${prefix}:y`])
    expect(await a.t.channels(`${uniq('none')}*`)).toEqual([])
  })

  it('claim() is true for the first caller until the key expires; readClaim() gives its value and time left', async () => {
    const a = await client()
    const b = await client()
    const key = uniq('claim')
    expect(await b.t.readClaim(key)).toBeUndefined()
    expect(await a.t.claim(key, 60_000, 'first')).toBe(true)
    expect(await a.t.claim(key, 60_000)).toBe(false)
    expect(await b.t.claim(key, 60_000, 'second')).toBe(false)
    const reading = await b.t.readClaim(key)
    expect(reading?.value).toBe('first')
    expect(reading?.remainingMs).toBeGreaterThan(0)
    expect(reading?.remainingMs).toBeLessThanOrEqual(60_000)
    const plain = uniq('claim')
    expect(await b.t.claim(plain, 60_000)).toBe(true)
    expect((await a.t.readClaim(plain))?.value).toBe('1')
    const short = uniq('claim-short')
    expect(await a.t.claim(short, 30)).toBe(true)
    await until(() => b.t.claim(short, 60_000), 'the short claim to expire and be claimed again', 5_000)
    const gone = uniq('claim-short')
    expect(await a.t.claim(gone, 30)).toBe(true)
    await until(async () => (await b.t.readClaim(gone)) === undefined, 'a short claim to expire', 5_000)
  })
}
