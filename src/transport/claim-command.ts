import { InvalidArgumentError } from '../errors.js'

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
