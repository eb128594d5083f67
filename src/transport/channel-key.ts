import { isUtf8 } from 'node:buffer'
import { isWellFormedName, refuseIllFormedName } from './well-formed-name.js'

/**
 * A channel name or pattern as a caller gives it: text, which travels as its UTF-8 bytes, or the
 * exact bytes, for a name that is not UTF-8 (one another client made, such as b'\x80\x81' from
 * redis-py).
 */
export type ChannelName = string | Uint8Array

/**
 * A name as the transports key it, and as their message sink names a channel and a pattern:
 * one string per byte sequence, so two keys are equal exactly when Redis sees the same bytes.
 * - Bytes that are UTF-8 are keyed by their text. A well-formed string is thus its own key, so
 *   nothing is converted on the paths every message takes, whatever its characters.
 * - Other bytes are keyed by NOT_UTF8 followed by one character per byte (latin1). NOT_UTF8 is
 *   a lone low surrogate, which no text key holds, and a name given as text with one is refused
 *   (well-formed-name.ts): such a key can only come from bytes.
 */
export type ChannelKey = string

/** Starts the key of bytes that are not UTF-8: a lone surrogate, never in a well-formed name. */
const NOT_UTF8 = 0xdfff
const NOT_UTF8_MARK = String.fromCharCode(NOT_UTF8)
const REPLACEMENT = '\uFFFD'

/** The key of a name a caller gives; text with a lone surrogate is refused (InvalidArgumentError). */
export function channelKey(name: ChannelName): ChannelKey {
  if (typeof name !== 'string') return keyOfBytes(name)
  refuseIllFormedName(name)
  return name
}

/**
 * The key of a name being let go of (UNSUBSCRIBE), or undefined for text with a lone surrogate:
 * it cannot have been subscribed, and unsubscribing it stays the no-op it is in Redis.
 */
export function releasedKey(name: ChannelName): ChannelKey | undefined {
  if (typeof name !== 'string') return keyOfBytes(name)
  return isWellFormedName(name) ? name : undefined
}

/** The key of bytes[start, end): read off the wire, or given as a name. */
export function keyOfBytes(bytes: Uint8Array, start = 0, end = bytes.length): ChannelKey {
  const buffer = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const text = buffer.toString('utf8', start, end)
  // Only bytes that are not UTF-8 decode to U+FFFD, besides U+FFFD itself: the exact check, which
  // looks at the bytes again, is for those.
  if (!text.includes(REPLACEMENT) || isUtf8(buffer.subarray(start, end))) return text
  return NOT_UTF8_MARK + buffer.toString('latin1', start, end)
}

/** Whether a key names bytes that are not UTF-8. */
export function isNotUtf8(key: ChannelKey): boolean {
  return key.charCodeAt(0) === NOT_UTF8
}

/** The exact bytes a key names, in a new buffer. */
export function keyBytes(key: ChannelKey): Buffer {
  return isNotUtf8(key) ? Buffer.from(key.slice(1), 'latin1') : Buffer.from(key, 'utf8')
}

/** The name as text: the key itself, or for bytes that are not UTF-8, their lossy decoding (U+FFFD). */
export function keyText(key: ChannelKey): string {
  return isNotUtf8(key) ? keyBytes(key).toString('utf8') : key
}

/** The name a key stands for, as a transport takes it: the text, or the bytes that are not UTF-8. */
export function keyName(key: ChannelKey): string | Buffer {
  return isNotUtf8(key) ? keyBytes(key) : key
}

/** A name as text, from a name as given: for counters, logs and errors, which take strings. */
export function nameText(name: ChannelName): string {
  return typeof name === 'string' ? name : keyText(keyOfBytes(name))
}

/**
 * A key for error messages: the text, or for bytes that are not UTF-8, printable ASCII as itself
 * and every other byte as \xNN, so that the exact name can be read off the message.
 */
export function showKey(key: ChannelKey): string {
  if (!isNotUtf8(key)) return key
  let shown = ''
  for (let i = 1; i < key.length; i++) {
    const byte = key.charCodeAt(i)
    shown +=
      byte >= 0x20 && byte < 0x7f && byte !== 0x5c ? key[i] : `\\x${byte.toString(16).padStart(2, '0')}`
  }
  return shown
}

/** A name as given, for error messages (see showKey). */
export function showName(name: ChannelName): string {
  return typeof name === 'string' ? name : showKey(keyOfBytes(name))
}
