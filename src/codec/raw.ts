import { EncodeError } from '../errors.js'
import type { Codec } from './codec.js'

const NAME = 'raw'

/**
 * The message is the bytes, unchanged: what redis-cli and redis-py (without decode_responses)
 * see.
 *
 * - Encode takes a string (written as UTF-8) or a Uint8Array (sent as is); anything else gives
 *   EncodeError, since there is no single obvious byte form for it.
 * - Decode always gives the bytes, as a Node Buffer (a Uint8Array) sharing memory with the
 *   message, so the type never depends on the content: `data.toString()` reads it as UTF-8 text,
 *   as `bytes.decode()` does in Python.
 */
export const rawCodec: Codec = {
  name: NAME,
  encode(value: unknown): Uint8Array {
    if (typeof value === 'string') return Buffer.from(value, 'utf8')
    if (value instanceof Uint8Array) return value
    const kind = value === null ? 'null' : typeof value === 'object' ? value.constructor?.name : typeof value
    throw new EncodeError(NAME, {
      cause: new TypeError(`the raw codec sends a string or a Uint8Array, got ${kind ?? 'object'}`),
    })
  },
  decode(bytes: Uint8Array): Buffer {
    return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  },
}
