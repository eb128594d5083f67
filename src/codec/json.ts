import { randomBytes } from 'node:crypto'
import { EncodeError, MalformedMessageError } from '../errors.js'
import type { Codec } from './codec.js'
import { parsePythonJson } from './json-python.js'
import { checkJsonCost, mayHoldLongInteger, SCAN_FROM_BYTES } from './json-scan.js'
import { isNDArray, isNumericArray } from './ndarray.js'
import { bytesTag, numpyTag, untag } from './tagged-json.js'

const NAME = 'json'
const utf8 = new TextDecoder('utf-8', { fatal: true })
// What Redis Toolkit stores for None: bare bytes, not a JSON string.
const TOOLKIT_NONE = '__NONE__'

/**
 * UTF-8 JSON, compatible with Daebus, with Python's `json` module and with Redis Toolkit's
 * tagged JSON.
 *
 * - Encode is plain `JSON.stringify`, except: Uint8Array/Buffer become a Toolkit `bytes` tag
 *   (base64), other TypedArrays and NDArray a Toolkit `numpy` tag, Map an object, Set an array.
 *   NaN, Infinity and -Infinity are written as the bare tokens `NaN`, `Infinity`, `-Infinity`
 *   and a bigint as its exact integer literal, as Python's `json.dumps` writes them and
 *   `json.loads` reads them (JSON.parse reads neither; this codec does). A function or a symbol
 *   gives EncodeError. Top-level `undefined` encodes as `null`.
 * - Decode reads what Python's `json.loads` reads: `NaN`, `Infinity`, `-Infinity`, and integers
 *   beyond 2^53 exactly, as bigints (within 2^53 they stay numbers). Ordinary JSON goes through
 *   `JSON.parse`; only text it cannot read exactly takes a slower parser (json-python.ts). Then,
 *   only if the text holds `"__type__"`, Toolkit tags are replaced (int, float, bool, str, bytes,
 *   bytearray, list, tuple, dict, numpy). The bare text `__NONE__` decodes as null. Invalid
 *   UTF-8 or JSON gives MalformedMessageError, and so does a message of 64 KiB or more that would
 *   make more arrays and objects than its size allows (see json-scan.ts).
 */
export const jsonCodec: Codec = {
  name: NAME,
  encode(value: unknown): Uint8Array {
    return Buffer.from(toJsonText(value), 'utf8')
  },
  decode(bytes: Uint8Array): unknown {
    const text = utf8Text(bytes)
    if (text === TOOLKIT_NONE) return null
    const value = parseText(text, bytes)
    // Unquoted: a search starting on '_' skips ahead far faster than one starting on '"'.
    if (!text.includes('__type__')) return value
    try {
      return untag(value)
    } catch (error) {
      // A tag that does not hold what it says, or nesting too deep for the walk.
      const detail = error instanceof Error ? error.message : String(error)
      throw new MalformedMessageError(`cannot decode JSON message: ${detail}`, { cause: error, bytes })
    }
  },
}

/**
 * The value of UTF-8 JSON bytes as Python's `json.loads` reads it, without replacing Toolkit
 * tags: for envelopes whose tagged payload failed but whose reply address may still be read.
 * Throws MalformedMessageError.
 */
export function parseJson(bytes: Uint8Array): unknown {
  return parseText(utf8Text(bytes), bytes)
}

function utf8Text(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes)
  } catch (error) {
    throw malformed(error, bytes)
  }
}

function parseText(text: string, bytes: Uint8Array): unknown {
  if (bytes.length >= SCAN_FROM_BYTES) checkJsonCost(bytes)
  if (!mayHoldLongInteger(bytes)) {
    try {
      return JSON.parse(text)
    } catch {
      // Python's NaN and Infinity, or invalid JSON: the exact parser reads the first and says
      // what is wrong with the second.
    }
  }
  try {
    return parsePythonJson(text)
  } catch (error) {
    throw malformed(error, bytes)
  }
}

function malformed(error: unknown, bytes: Uint8Array): MalformedMessageError {
  const detail = error instanceof Error ? error.message : String(error)
  return new MalformedMessageError(`cannot decode JSON message: ${detail}`, { cause: error, bytes })
}

/**
 * JSON.stringify cannot write NaN, the infinities or a bigint: the replacer writes each as a
 * string made of MARK and the token, and the quotes around those are then taken off. MARK ends in
 * a random part, so no string a caller sends is taken for one (and a count makes sure).
 */
const MARK = `\u2063switchboard-${randomBytes(8).toString('hex')}:`
const MARKED = new RegExp(`"${MARK}([^"]*)"`, 'g')
let marks = 0

/**
 * The JSON text jsonCodec.encode writes for a value, as a string: for envelopes that are written
 * around a payload's text. Throws EncodeError for what JSON cannot carry.
 */
export function toJsonText(value: unknown): string {
  let text: string | undefined
  marks = 0
  try {
    text = needsReplacer(value) ? JSON.stringify(value, replacer) : JSON.stringify(value)
  } catch (error) {
    throw new EncodeError(NAME, { cause: error })
  }
  if (text === undefined) {
    if (value === undefined) return 'null'
    throw new EncodeError(NAME, { cause: new TypeError(`a ${typeof value} cannot be sent as JSON`) })
  }
  if (marks > 0) text = unmark(text, marks)
  return text
}

function unmark(text: string, expected: number): string {
  let found = 0
  const out = text.replace(MARKED, (_, token: string) => {
    found++
    return token
  })
  if (found !== expected) {
    throw new EncodeError(NAME, {
      cause: new TypeError('a string holds the marker this codec uses internally'),
    })
  }
  return out
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
  if (type === 'number') return !Number.isFinite(value)
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

function mark(token: string): string {
  marks++
  return MARK + token
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
    case 'number':
      return Number.isFinite(value) ? value : mark(String(value))
    case 'bigint':
      return mark(value.toString())
    case 'function':
    case 'symbol':
      throw new TypeError(`a ${typeof value} cannot be sent as JSON`)
    default:
      return value
  }
}
