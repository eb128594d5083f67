import type { HostPort } from '../url.js'

/** How many MOVED redirections one call follows before it fails. */
export const MAX_REDIRECTS = 5

/** Where a MOVED error reply sends a command: the slot, and the primary that serves it now. */
export interface Moved extends HostPort {
  readonly slot: number
}

/**
 * The MOVED redirection in `error` or any of its causes (switchboard wraps the server's reply in a
 * ConnectionError), or undefined. `MOVED 3999 127.0.0.1:6381`; an empty host means the node
 * that answered.
 */
export function movedIn(error: unknown, answeredBy: HostPort): Moved | undefined {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; depth++) {
    const match = /^MOVED (\d+) (.*):(\d+)$/.exec(cause.message)
    if (match) {
      const [, slot, host, port] = match
      return { slot: Number(slot), host: host || answeredBy.host, port: Number(port) }
    }
    cause = cause.cause
  }
  return undefined
}
