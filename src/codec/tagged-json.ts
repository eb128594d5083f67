import { MalformedMessageError } from '../errors.js'
import { NDArray, type NumericArray, shapeSize } from './ndarray.js'
import { numpyLayout } from './numpy-array.js'
import { type ElementCode, NAME_OF_CODE, parseDtypeName } from './numpy-dtype.js'

/**
 * Redis Toolkit's tagged JSON: `{"__type__": tag, "__data__": value}`, and for numpy
 * `{"__type__": "numpy", "__dtype__": "float64", "__shape__": [2, 3], "__data__": [[...], [...]]}`
 * (nested lists, as numpy's `tolist()` gives). Only an object whose keys are exactly a known
 * tag's keys counts as a tag; any other object with a `__type__` key is left alone.
 */

type Json = Record<string, unknown>

const PLAIN_TAGS = new Set(['int', 'float', 'bool', 'str', 'bytes', 'bytearray', 'list', 'tuple', 'dict'])

/** Replaces every tag inside a parsed JSON value, in place where it can. */
export function untag(value: unknown): unknown {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = untag(value[i])
    return value
  }
  if (value === null || typeof value !== 'object') return value
  const object = value as Json
  const tag = object.__type__
  if (typeof tag === 'string' && isTag(tag, object)) return fromTag(tag, object)
  for (const key in object) object[key] = untag(object[key])
  return object
}

function isTag(tag: string, object: Json): boolean {
  let keys = 0
  for (const key in object) {
    keys++
    if (
      key !== '__type__' &&
      key !== '__data__' &&
      (tag !== 'numpy' || (key !== '__dtype__' && key !== '__shape__'))
    ) {
      return false
    }
  }
  return tag === 'numpy' ? keys === 4 : keys === 2 && PLAIN_TAGS.has(tag)
}

function fromTag(tag: string, object: Json): unknown {
  const data = object.__data__
  switch (tag) {
    case 'int':
      // Redis Toolkit turns 0 and 1 into booleans here; an int stays a number (a bigint past 2^53).
      if ((typeof data === 'number' && Number.isInteger(data)) || typeof data === 'bigint') return data
      break
    case 'float':
      if (typeof data === 'number') return data
      break
    case 'bool':
      if (typeof data === 'boolean') return data
      break
    case 'str':
      if (typeof data === 'string') return data
      break
    case 'bytes':
    case 'bytearray':
      if (typeof data === 'string') return fromBase64(data)
      break
    case 'list':
    case 'tuple':
      if (Array.isArray(data)) return untag(data)
      break
    case 'dict':
      if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
        const dict = data as Json
        for (const key in dict) dict[key] = untag(dict[key])
        return dict
      }
      break
    case 'numpy':
      return fromNumpyTag(object)
  }
  throw new MalformedMessageError(`tagged JSON "${tag}" holds a ${data === null ? 'null' : typeof data}`)
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

function fromBase64(text: string): Uint8Array {
  // Buffer.from skips characters it does not know; a corrupt value must not pass as bytes.
  if (!BASE64.test(text)) throw new MalformedMessageError('tagged JSON bytes are not valid base64')
  const buffer = Buffer.from(text, 'base64')
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
}

function fromNumpyTag(object: Json): NumericArray | NDArray {
  const { __dtype__: dtype, __shape__: shape, __data__: data } = object
  if (typeof dtype !== 'string') throw new MalformedMessageError('tagged numpy array has no __dtype__ string')
  const { element } = parseDtypeName(dtype)
  const length = Array.isArray(shape) ? shapeSize(shape) : undefined
  if (length === undefined || !Array.isArray(shape))
    throw new MalformedMessageError('tagged numpy __shape__ is invalid')
  const values: Array<number | bigint> = []
  flatten(values, element.code, data, shape, 0)
  if (values.length !== length)
    throw new MalformedMessageError('tagged numpy __data__ does not match __shape__')
  const out = new element.type(length)
  if (out instanceof BigInt64Array || out instanceof BigUint64Array) {
    for (let i = 0; i < length; i++) {
      const value = BigInt(values[i] ?? 0)
      out[i] = value
      if (out[i] !== value)
        throw new MalformedMessageError(`tagged numpy ${dtype} element ${value} is out of range`)
    }
  } else {
    for (let i = 0; i < length; i++) {
      const value = Number(values[i])
      out[i] = value
      if (element.code !== 'f8' && element.code !== 'f4' && element.code !== 'f2' && out[i] !== value)
        throw new MalformedMessageError(`tagged numpy ${dtype} element ${values[i]} is out of range`)
    }
  }
  if (shape.length === 1) return out
  return new NDArray({
    shape: shape as number[],
    data: out,
    dtype: element.code === 'b1' ? '|b1' : undefined,
  })
}

/** Appends the elements of nested lists to `out`, checking each level against the shape. */
function flatten(
  out: Array<number | bigint>,
  code: ElementCode,
  data: unknown,
  shape: unknown[],
  depth: number,
): void {
  if (depth === shape.length) {
    out.push(elementValue(code, data))
    return
  }
  if (!Array.isArray(data) || data.length !== shape[depth]) {
    throw new MalformedMessageError('tagged numpy __data__ does not match __shape__')
  }
  for (const item of data) flatten(out, code, item, shape, depth + 1)
}

function elementValue(code: ElementCode, value: unknown): number | bigint {
  if (code === 'b1') {
    if (typeof value === 'boolean') return value ? 1 : 0
  } else if (code === 'f8' || code === 'f4' || code === 'f2') {
    // NaN arrives as Python's bare token; earlier switchboard versions wrote null for it.
    if (value === null) return Number.NaN
    if (typeof value === 'number') return value
    if (typeof value === 'bigint') return Number(value)
  } else if ((typeof value === 'number' && Number.isInteger(value)) || typeof value === 'bigint') {
    return value
  }
  throw new MalformedMessageError(
    `tagged numpy element ${String(value)} does not fit dtype ${NAME_OF_CODE[code]}`,
  )
}

/** The tag a TypedArray or NDArray is written as. */
export function numpyTag(value: NumericArray | NDArray): Json {
  const layout = numpyLayout(value)
  const data = value instanceof NDArray ? value.data : value
  const code = layout.dtype.slice(1) as ElementCode
  const flat: unknown[] = Array.from(data as ArrayLike<number | bigint>, (item) => jsonNumber(code, item))
  return {
    __type__: 'numpy',
    __dtype__: NAME_OF_CODE[code],
    __shape__: [...layout.shape],
    __data__: nest(flat, layout.shape, 0, 0),
  }
}

/** An element as the json codec writes it: NaN, the infinities and int64s exactly, as Python does. */
function jsonNumber(code: ElementCode, item: number | bigint): unknown {
  if (code === 'b1') return item !== 0
  if (typeof item === 'bigint' && item >= MIN_SAFE && item <= MAX_SAFE) return Number(item)
  return item
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER)
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

function nest(flat: unknown[], shape: readonly number[], depth: number, at: number): unknown {
  if (depth === shape.length) return flat[at]
  const size = shape[depth] ?? 0
  let stride = 1
  for (let d = depth + 1; d < shape.length; d++) stride *= shape[d] ?? 0
  const out: unknown[] = new Array(size)
  for (let i = 0; i < size; i++) out[i] = nest(flat, shape, depth + 1, at + i * stride)
  return out
}

export function bytesTag(bytes: Uint8Array): Json {
  return {
    __type__: 'bytes',
    __data__: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
  }
}
