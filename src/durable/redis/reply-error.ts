/**
 * Whether Redis answered with an error reply that matches `pattern`. The transport wraps a reply
 * in a ConnectionError, so the whole `cause` chain is looked at.
 */
export function repliedWith(error: unknown, pattern: RegExp): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) if (pattern.test(e.message)) return true
  return false
}

/**
 * What Redis answers when a consumer group a command names is gone: NOGROUP (no such key or
 * group, or the group a blocked XREADGROUP waited on was destroyed) or, to a blocked XREADGROUP
 * whose stream was deleted (Redis 7), UNBLOCKED.
 */
export const GROUP_GONE = /NOGROUP|UNBLOCKED the stream key no longer exists/
