import type { ErrorCode } from '../errors.js'

/** The levels a reported error is logged at. */
export type ErrorLogLevel = 'warn' | 'error'

/**
 * The level at which a reported error is logged when the bus has no 'error' listener, by code.
 * The rule: `warn` when another process sent something this one dropped (a malformed message, a
 * payload that failed its schema, a bad request), since this process is fine and the fix lies
 * elsewhere; `error` when this process lost messages, lost a link, or its own code failed.
 * Typed by every code, so a new code cannot be added without choosing its level.
 */
export const ERROR_LOG_LEVELS: Readonly<Record<ErrorCode, ErrorLogLevel>> = Object.freeze({
  CONNECTION: 'error',
  CLOSED: 'error',
  INVALID_URL: 'error',
  INVALID_ARGUMENT: 'error',
  ENCODE: 'error',
  MALFORMED_MESSAGE: 'warn',
  PAYLOAD_TOO_LARGE: 'warn',
  SUBSCRIBER: 'error',
  BUFFER_OVERFLOW: 'error',
  SLOW_CONSUMER: 'error',
  TIMEOUT: 'error',
  CANCELLED: 'error',
  NO_RESPONDER: 'error',
  REMOTE: 'error',
  UNKNOWN_ACTION: 'warn',
  OVERLOADED: 'warn',
  DEADLINE_EXCEEDED: 'warn',
  BAD_REQUEST: 'warn',
  VALIDATION: 'warn',
  MISSING_DEPENDENCY: 'error',
  ROUTES: 'error',
  HUB_STEP: 'error',
  GROUP_LOST: 'error',
})
