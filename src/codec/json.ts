import { EncodeError, MalformedMessageError } from '../errors.js'
import type { Codec } from './codec.js'
import { isNDArray, isNumericArray } from './ndarray.js'
import { bytesTag, numpyTag, untag } from './tagged-json.js'

const NAME = 'json'
const utf8 = new TextDecoder('utf-8', { fatal: true })
// What Redis Toolkit stores for None: bare bytes, not a JSON string.
const TOOLKIT_NONE = '__NONE__'

/**
 * UTF-8 JSON, compatible with Daebus and with Redis Toolkit's tagged JSON.
 *
 * - Encode is plain `JSON.stringify`, except: Uint8Array/Buffer become a Toolkit `bytes` tag
 *   (base64), other TypedArrays and NDArray a Toolkit `numpy` tag, Map an object, Set an array,
 *   a bigint within ±2^53 a number. A function, a symbol, a larger bigint or an infinite number
 *   inside an array gives EncodeError. Top-level `undefined` encodes as `null`.
 * - Decode is `JSON.parse` and then, only if the text holds `"__type__"`, Toolkit tags are
 *   replaced (int, float, bool, str, bytes, bytearray, list, tuple, dict, numpy). The bare text
 *   `__NONE__` decodes as null. Invalid UTF-8 or JSON gives MalformedMessageError.
 */
export const jsonCodec: Codec = {
  name: NAME,
  encode(value: unknown): Uint8Array {
    return Buffer.from(toJsonText(value), 'utf8')
  },
  decode(bytes: Uint8Array): unknown {
    let text: string
    let value: unknown
    try {
      text = utf8.decode(bytes)
      if (text === TOOLKIT_NONE) return null
      value = JSON.parse(text)
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error)
      throw new MalformedMessageError(`cannot decode JSON message: ${detail}`, { cause: error, bytes })
    }
    // Unquoted: a search starting on '_' skips ahead far faster than one starting on '"'.
    if (!text.includes('__type__')) return value
    try {
      return untag(value)
    } catch (error) {
      if (error instanceof MalformedMessageError) {
        throw new MalformedMessageError(`cannot decode JSON message: ${error.message}`, {
          cause: error,
          bytes,
        })
      }
      throw error
    }
  },
}

/**
 * The JSON text jsonCodec.encode writes for a value, as a string: for envelopes that are written
 * around a payload's text. Throws EncodeError for what JSON cannot carry.
 */
export function toJsonText(value: unknown): string {
  let text: string | undefined
  try {
    text = needsReplacer(value) ? JSON.stringify(value, replacer) : JSON.stringify(value)
  } catch (error) {
    throw new EncodeError(NAME, { cause: error })
  }
  if (text === undefined) {
    if (value === undefined) return 'null'
    throw new EncodeError(NAME, { cause: new TypeError(`a ${typeof value} cannot be sent as JSON`) })
  }
  return text
}

/**
 * A replacer makes JSON.stringify several times slower, so a quick walk first checks whether the
 * value holds anything that needs one. Class instances other than Date go to the replacer; past
 * 64 levels (or a cycle) the replacer path decides, and JSON.stringify reports the cycle.
 */
function needsReplacer(value: unknown): boolean {
  return isSpecial(value) && (typeof value !== 'object' || holdsSpecial(value as object, 0))
}

/** Anything JSON.stringify would not write as is: objects are looked into by holdsSpecial. */
function isSpecial(value: unknown): boolean {
  const type = typeof value
  return type === 'object' ? value !== null : type === 'function' || type === 'symbol' || type === 'bigint'
}

function holdsSpecial(value: object, depth: number): boolean {
  if (depth > 64) return true
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      if (isSpecial(item) && (typeof item !== 'object' || holdsSpecial(item as object, depth + 1)))
        return true
    }
    return false
  }
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) return !(value instanceof Date)
  const object = value as Record<string, unknown>
  for (const key in object) {
    const item = object[key]
    if (isSpecial(item) && (typeof item !== 'object' || holdsSpecial(item as object, depth + 1))) return true
  }
  return false
}

function replacer(this: unknown, key: string, value: unknown): unknown {
  // The holder's own value, before toJSON: Buffer's toJSON would hide that it is bytes.
  const original = (this as Record<string, unknown>)[key]
  if (typeof original === 'object' && original !== null) {
    if (original instanceof Uint8Array) return bytesTag(original)
    if (isNumericArray(original) || isNDArray(original)) return numpyTag(original)
    if (original instanceof Map) return Object.fromEntries(original)
    if (original instanceof Set) return Array.from(original)
  }
  switch (typeof value) {
    case 'bigint':
      if (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER))
        return Number(value)
      throw new TypeError(`bigint ${value} is beyond 2^53 and cannot travel exactly as JSON; use msgpack`)
    case 'function':
    case 'symbol':
      throw new TypeError(`a ${typeof value} cannot be sent as JSON`)
    default:
      return value
  }
}
