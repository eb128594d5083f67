import { RemoteError } from '../errors.js'

/**
 * The message and code of an error response. A RemoteError from a nested call passes through with
 * the remote code, so that an error crosses several services unchanged.
 */
export function describeError(error: unknown): { message: string; code: string | undefined } {
  const message = error instanceof Error ? error.message : String(error)
  if (error instanceof RemoteError) return { message, code: error.remoteCode }
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined
  return { message, code: typeof code === 'string' ? code : undefined }
}

/** True for a promise or any object with a then(): what a handler may return to finish later. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  )
}
