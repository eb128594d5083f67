import { ConnectionError, SwitchboardError } from '../errors.js'

/** What durable/ reports: switchboard's own errors as they are, anything else as a ConnectionError. */
export function toSwitchboardError(error: unknown): SwitchboardError {
  if (error instanceof SwitchboardError) return error
  const message = error instanceof Error ? error.message : String(error)
  return new ConnectionError(`durable topic: ${message}`, { cause: error })
}
