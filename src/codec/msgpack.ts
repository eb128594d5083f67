import { Packr, Unpackr } from 'msgpackr'
import { EncodeError, MalformedMessageError } from '../errors.js'
import type { Codec } from './codec.js'
import { checkMsgpack } from './msgpack-check.js'
import { fromMapTree } from './msgpack-maps.js'
import { enableNumpy } from './msgpack-numpy-ext.js'

const NAME = 'msgpack'

function refuseFunction(): never {
  throw new TypeError('a function cannot be sent')
}

function refuseInvalidDate(): never {
  throw new TypeError('an invalid Date cannot be sent')
}

// The top-level msgpackr `pack` writes a Float64Array as truncated bytes, hence an own Packr.
const packr = new Packr({
  useRecords: false,
  // Not msgpackr's `moreTypes`: its extensions (Set, Error, RegExp, typed arrays) are JS-only,
  // Python reads none of them, and the decoder refuses them. Without it a Set is written as an
  // array, as Python reads it; only a bigint beyond 64 bits keeps msgpackr's extension.
  moreTypes: false,
  useBigIntExtension: true,
  // Python has no undefined; msgpackr's default (ext 0) reaches Python as an ExtType.
  encodeUndefinedAsNil: true,
  writeFunction: refuseFunction,
  // msgpackr's default writes a one-byte timestamp that neither Python nor the decoder accepts.
  onInvalidDate: refuseInvalidDate,
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
 * - `undefined` encodes as nil (null). A function, a symbol or an invalid Date gives EncodeError.
 * - Uint8Array and Buffer encode as bin; bin decodes as a Uint8Array (a Buffer when the input is
 *   a Buffer) that shares memory with the input bytes. ArrayBuffer and DataView encode as bin.
 * - Other TypedArrays and NDArray encode as msgpack-numpy maps and decode back (see ndarray.ts).
 * - Date travels as the msgpack timestamp extension. A Set encodes as an array; an Error as
 *   `[name, message, cause]` and a RegExp as `[source, flags]` (msgpackr's plain forms).
 * - Decoding accepts only what a Python peer can write (see msgpack-check.ts): any other
 *   extension (msgpackr's RegExp, Error, Set, undefined, typed-array and record extensions), a
 *   message nested deeper than 512 levels, or one that would make more objects than its size
 *   allows, is refused with MalformedMessageError before anything is built.
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
    const mapKeys = checkMsgpack(bytes)
    try {
      // msgpackr's object path refuses bin keys, which every msgpack-numpy map has: only those
      // messages take the slower path through Maps.
      return mapKeys ? fromMapTree(mapUnpackr.unpack(bytes)) : packr.unpack(bytes)
    } catch (error) {
      // What the check cannot see: a msgpack-numpy map that does not hold a valid array.
      const detail = error instanceof Error ? error.message : String(error)
      throw new MalformedMessageError(`cannot decode msgpack message: ${detail}`, { cause: error, bytes })
    }
  },
}
