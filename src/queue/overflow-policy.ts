import { InvalidArgumentError } from '../errors.js'

/** What a full buffer does with one more message. */
export const OverflowPolicy = {
  /** Drop the oldest buffered message to make room (the default). */
  DropOldest: 'drop-oldest',
  /** Drop the arriving message. */
  DropNewest: 'drop-newest',
  /** Fail the subscription with BufferOverflowError. (A queue refuses the item, and its owner decides.) */
  Error: 'error',
} as const
export type OverflowPolicy = (typeof OverflowPolicy)[keyof typeof OverflowPolicy]

const POLICIES: ReadonlySet<unknown> = new Set(Object.values(OverflowPolicy))

/** Returns `policy` when it is one; an unknown one throws rather than fall back in silence. */
export function checkOverflowPolicy(policy: OverflowPolicy): OverflowPolicy {
  if (!POLICIES.has(policy)) {
    throw new InvalidArgumentError(
      `overflow must be one of ${[...POLICIES].join(', ')}, got ${JSON.stringify(policy)}`,
    )
  }
  return policy
}
