import { ClientClosedError, ClientOfflineError, ErrorReply } from '@redis/client'
import { ConnectionError, SwitchboardError } from '../../errors.js'

/**
 * Wraps whatever node-redis threw into a ConnectionError that names the (masked) URL and what
 * was being done, keeping the original as `cause`. Switchboard's own errors pass through, unless
 * what failed may have been delivered and the error does not say so: then it is wrapped too,
 * so that `maybeDelivered` is never understated.
 */
export function toConnectionError(
  cause: unknown,
  url: string,
  doing: string,
  maybeDelivered = false,
): SwitchboardError {
  if (cause instanceof SwitchboardError) {
    if (!maybeDelivered || (cause instanceof ConnectionError && cause.maybeDelivered)) return cause
    return new ConnectionError(
      `${doing} on ${url} failed: ${cause.message}; it was already written, so Redis may have received it`,
      { cause, url, maybeDelivered },
    )
  }
  const suffix = maybeDelivered ? '; it was already written, so Redis may have received it' : ''
  return new ConnectionError(`${doing} on ${url} failed: ${explain(cause)}${suffix}`, {
    cause,
    url,
    maybeDelivered,
  })
}

/** The error carried by a `disconnected` status. */
export function lostConnectionError(cause: unknown, url: string, link: string): ConnectionError {
  return new ConnectionError(`lost the ${link} connection to ${url}: ${explain(cause)}; reconnecting`, {
    cause,
    url,
  })
}

/** What went wrong, in one line, for an error message. */
export function explain(cause: unknown): string {
  if (cause instanceof ClientOfflineError) {
    return "the connection is down and being re-established; retry after the 'reconnected' status"
  }
  if (cause instanceof ClientClosedError) return 'the connection is closed'
  if (cause instanceof AggregateError && cause.errors.length > 0) {
    // Node reports a refused connection to a name with several addresses (localhost: ::1 and
    // 127.0.0.1) as an AggregateError whose own message is empty.
    return cause.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e))).join('; ')
  }
  return cause instanceof Error ? cause.message || cause.name : String(cause)
}

/**
 * Whether a command that failed with `error` may have reached the server: node-redis refuses at
 * once, before writing, when the client is closed or offline, and an error reply means the server
 * refused it; any other failure (the connection dropped) came after it was queued for writing.
 */
export function mayHaveRun(error: unknown): boolean {
  return !(
    error instanceof ClientOfflineError ||
    error instanceof ClientClosedError ||
    error instanceof ErrorReply
  )
}
