import { Packr, Unpackr } from 'msgpackr'
import { EncodeError, MalformedMessageError } from '../errors.js'
import type { Codec } from './codec.js'
import { fromMapTree } from './msgpack-maps.js'
import { enableNumpy } from './msgpack-numpy-ext.js'

const NAME = 'msgpack'

function refuseFunction(): never {
  throw new TypeError('a function cannot be sent')
}

// The top-level msgpackr `pack` writes a Float64Array as truncated bytes, hence an own Packr.
const packr = new Packr({
  useRecords: false,
  moreTypes: true,
  // Python has no undefined; msgpackr's default (ext 0) reaches Python as an ExtType.
  encodeUndefinedAsNil: true,
  writeFunction: refuseFunction,
  structuredClone: false,
})
// Decodes Python dicts with bin keys (msgpack-numpy maps) as Maps; see fromMapTree.
const mapUnpackr = new Unpackr({ useRecords: false, mapsAsObjects: false, structuredClone: false })
// 'auto': int64/uint64 within ±2^53 decode as number, beyond as bigint. msgpackr supports it but
// its typings omit it.
for (const unpackr of [packr, mapUnpackr]) Object.assign(unpackr, { int64AsType: 'auto' })
enableNumpy(packr)

/**
 * The default codec, byte-compatible with Popoto (Python msgpack + msgpack-numpy).
 *
 * - Maps decode as plain objects; JS Maps encode as msgpack maps.
 * - Integers: msgpackr writes a JS number outside the 32-bit range as float64, so Python reads
 *   2**40 as 1099511627776.0; send a bigint to get an int64. int64/uint64 decode as number when
 *   within ±2^53, else as bigint. A bigint beyond 64 bits uses msgpackr's ext 0x42 (JS peers only).
 * - `undefined` encodes as nil (null). A function or a symbol gives EncodeError.
 * - Uint8Array and Buffer encode as bin; bin decodes as a Uint8Array (a Buffer when the input is
 *   a Buffer) that shares memory with the input bytes.
 * - Other TypedArrays and NDArray encode as msgpack-numpy maps and decode back (see ndarray.ts).
 * - Date travels as the msgpack timestamp extension.
 */
export const msgpackCodec: Codec = {
  name: NAME,
  encode(value: unknown): Uint8Array {
    try {
      return packr.pack(value)
    } catch (error) {
      if (error instanceof EncodeError) throw error
      throw new EncodeError(NAME, { cause: error })
    }
  },
  decode(bytes: Uint8Array): unknown {
    try {
      return packr.unpack(bytes)
    } catch {
      // Fails on a non-string map key, which every msgpack-numpy map has; keeping that case off
      // the first attempt keeps plain messages at msgpackr's speed.
      return decodeWithMaps(bytes)
    }
  },
}

function decodeWithMaps(bytes: Uint8Array): unknown {
  try {
    return fromMapTree(mapUnpackr.unpack(bytes))
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error)
    throw new MalformedMessageError(`cannot decode msgpack message: ${detail}`, { cause: error, bytes })
  }
}
