import type { Codec } from '../codec/codec.js'
import { jsonCodec } from '../codec/json.js'
import { msgpackCodec } from '../codec/msgpack.js'

/** How the CLI shows a message: decoded by a codec, as text, or as hex when nothing fits. */
export const SHOWN_AS = ['json', 'msgpack', 'text', 'hex'] as const
export type ShownAs = (typeof SHOWN_AS)[number]

export interface Decoded {
  as: ShownAs
  value: unknown
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Guesses the encoding of a message that came with no codec: a value that parses as JSON is
 * json; printable UTF-8 is text; else msgpack if the whole message decodes as msgpack; else hex.
 *
 * Ambiguity: a msgpack message that is also printable text (a small positive integer is one
 * byte, such as 0x31, which is also "1") is shown as JSON or text. `--codec msgpack` settles it.
 */
export function detect(bytes: Uint8Array): Decoded {
  const text = decodeUtf8(bytes)
  if (text !== undefined) {
    if (/^\s*[[{"\-0-9tfn]/.test(text)) {
      try {
        return { as: 'json', value: jsonCodec.decode(bytes) }
      } catch {
        // not JSON: maybe text
      }
    }
    if (isPrintable(text)) return { as: 'text', value: text }
  }
  try {
    const value = msgpackCodec.decode(bytes)
    if (!isReservedMarker(value)) return { as: 'msgpack', value }
  } catch {
    // not msgpack either
  }
  return { as: 'hex', value: bytes }
}

/** Decodes with the codec the user named; bytes it cannot read are shown as hex. */
export function decodeAs(
  bytes: Uint8Array,
  codec: 'json' | 'msgpack' | 'text' | 'hex' | Codec,
): Decoded & { malformed?: string } {
  if (codec === 'hex') return { as: 'hex', value: bytes }
  if (codec === 'text') {
    const text = decodeUtf8(bytes)
    return text === undefined
      ? { as: 'hex', value: bytes, malformed: 'not UTF-8 text' }
      : { as: 'text', value: text }
  }
  const chosen = codec === 'json' ? jsonCodec : codec === 'msgpack' ? msgpackCodec : codec
  try {
    return { as: chosen === jsonCodec ? 'json' : 'msgpack', value: chosen.decode(bytes) }
  } catch (error) {
    return { as: 'hex', value: bytes, malformed: error instanceof Error ? error.message : String(error) }
  }
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes)
  } catch {
    return undefined
  }
}

/** Text a person can read: no control characters other than tab and line breaks. */
function isPrintable(text: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  return !/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(text)
}

// msgpackr decodes the never-used byte 0xc1 to a marker object instead of refusing it.
function isReservedMarker(value: unknown): boolean {
  return typeof value === 'object' && value !== null && value.constructor?.name === 'C1Type'
}
