import { InvalidArgumentError } from '../errors.js'

/** A lone surrogate: in unicode mode a well-formed pair is one code point, never matched by this. */
const LONE_SURROGATE = /\p{Cs}/u

/**
 * True when the name is well-formed UTF-16: it has exact UTF-8 bytes. (String.isWellFormed, in
 * Node 20: a few nanoseconds, none for a name of Latin-1 characters, so every publish can ask.)
 */
export function isWellFormedName(name: string): boolean {
  return name.isWellFormed()
}

/**
 * Refuses a channel name or pattern that is not well-formed UTF-16. Such a name has no UTF-8 form:
 * node would send U+FFFD in place of each lone surrogate, so Redis would hold the subscription, or
 * deliver the message, under another name, and the subscriber would never hear it, or a reply to
 * `msg.channel` would go elsewhere. Refusing it shows the bug (often a string cut inside an emoji)
 * where it is made. A name that is not UTF-8 is given as bytes (a Uint8Array) instead.
 */
export function refuseIllFormedName(name: string): void {
  if (!isWellFormedName(name)) throw illFormedNameError(name)
}

/** The error that refuses a name that is not well-formed UTF-16 (see refuseIllFormedName). */
export function illFormedNameError(name: string): InvalidArgumentError {
  const at = name.search(LONE_SURROGATE)
  return new InvalidArgumentError(
    `channel name or pattern ${JSON.stringify(name)} has a lone surrogate at index ${at}: it is not ` +
      'well-formed UTF-16, so it has no exact bytes to send (Redis would get U+FFFD in its place); ' +
      'give a name that is not UTF-8 as a Uint8Array of its bytes',
  )
}
