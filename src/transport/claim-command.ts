import { InvalidArgumentError } from '../errors.js'
import type { ClaimReading } from './transport.js'

/**
 * The command of a claim (BrokerCommands.claim): SET key value NX PX ttlMs, which succeeds for the
 * first caller only. Rejects a ttl that is not a positive integer before anything is sent.
 */
export function claimCommand(key: string, ttlMs: number, value = '1'): string[] {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new InvalidArgumentError(
      `claim() ttlMs must be a positive integer number of milliseconds; got ${ttlMs}`,
    )
  }
  return ['SET', key, value, 'NX', 'PX', String(ttlMs)]
}

/**
 * readClaim() over a transport's command path: GET and PTTL sent together (one round trip), read
 * as the claim's value and time left (PTTL -2: no key, -1: no expiry).
 */
export async function readClaimWith(
  key: string,
  send: (args: string[], what: string) => Promise<unknown>,
): Promise<ClaimReading | undefined> {
  const [value, pttl] = (await Promise.all([
    send(['GET', key], `GET "${key}"`),
    send(['PTTL', key], `PTTL "${key}"`),
  ])) as [string | null, number]
  if (value === null || pttl === -2) return undefined
  return { value, remainingMs: pttl === -1 ? Number.POSITIVE_INFINITY : pttl }
}
