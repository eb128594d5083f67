import { MalformedMessageError } from '../errors.js'
import type { NumericArray } from './ndarray.js'

/** numpy kind letter plus item size: the part of a dtype string that is not byte order. */
export type ElementCode = 'f8' | 'f4' | 'f2' | 'i8' | 'i4' | 'i2' | 'i1' | 'u8' | 'u4' | 'u2' | 'u1' | 'b1'

export interface ElementType {
  readonly code: ElementCode
  readonly size: number
  /** A zeroed array of `length` elements, in the JS type this dtype decodes to. */
  alloc(length: number): NumericArray
  /** A view over bytes already in host order and aligned to `size`. */
  view(buffer: ArrayBufferLike, byteOffset: number, length: number): NumericArray
}

function element(
  code: ElementCode,
  size: number,
  alloc: (length: number) => NumericArray,
  view: (buffer: ArrayBufferLike, byteOffset: number, length: number) => NumericArray,
): ElementType {
  return { code, size, alloc, view }
}

// '<f2' has no JS array to land in, so it widens into Float32Array (see readHalfFloats).
const ELEMENTS: Readonly<Record<ElementCode, ElementType>> = {
  f8: element(
    'f8',
    8,
    (n) => new Float64Array(n),
    (b, o, n) => new Float64Array(b, o, n),
  ),
  f4: element(
    'f4',
    4,
    (n) => new Float32Array(n),
    (b, o, n) => new Float32Array(b, o, n),
  ),
  f2: element(
    'f2',
    2,
    (n) => new Float32Array(n),
    (b, o, n) => new Float32Array(b, o, n),
  ),
  i8: element(
    'i8',
    8,
    (n) => new BigInt64Array(n),
    (b, o, n) => new BigInt64Array(b, o, n),
  ),
  i4: element(
    'i4',
    4,
    (n) => new Int32Array(n),
    (b, o, n) => new Int32Array(b, o, n),
  ),
  i2: element(
    'i2',
    2,
    (n) => new Int16Array(n),
    (b, o, n) => new Int16Array(b, o, n),
  ),
  i1: element(
    'i1',
    1,
    (n) => new Int8Array(n),
    (b, o, n) => new Int8Array(b, o, n),
  ),
  u8: element(
    'u8',
    8,
    (n) => new BigUint64Array(n),
    (b, o, n) => new BigUint64Array(b, o, n),
  ),
  u4: element(
    'u4',
    4,
    (n) => new Uint32Array(n),
    (b, o, n) => new Uint32Array(b, o, n),
  ),
  u2: element(
    'u2',
    2,
    (n) => new Uint16Array(n),
    (b, o, n) => new Uint16Array(b, o, n),
  ),
  u1: element(
    'u1',
    1,
    (n) => new Uint8Array(n),
    (b, o, n) => new Uint8Array(b, o, n),
  ),
  b1: element(
    'b1',
    1,
    (n) => new Uint8Array(n),
    (b, o, n) => new Uint8Array(b, o, n),
  ),
}

/** numpy's `str(dtype)` names, which Redis Toolkit's tagged JSON uses. */
const NAMES: Readonly<Record<string, ElementCode>> = {
  float64: 'f8',
  float32: 'f4',
  float16: 'f2',
  int64: 'i8',
  int32: 'i4',
  int16: 'i2',
  int8: 'i1',
  uint64: 'u8',
  uint32: 'u4',
  uint16: 'u2',
  uint8: 'u1',
  bool: 'b1',
}

export const NAME_OF_CODE: Readonly<Record<ElementCode, string>> = Object.fromEntries(
  Object.entries(NAMES).map(([name, code]) => [code, name]),
) as Record<ElementCode, string>

export interface Dtype {
  readonly element: ElementType
  readonly littleEndian: boolean
}

export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/**
 * Parses a numpy dtype string such as '<f8', '>i4' or '|u1'. Anything else (object, structured,
 * complex, datetime, native '=' order) is refused: guessing would decode garbage.
 */
export function parseDtype(dtype: string): Dtype {
  const order = dtype[0]
  const found = Object.hasOwn(ELEMENTS, dtype.slice(1)) ? ELEMENTS[dtype.slice(1) as ElementCode] : undefined
  if (found === undefined || (order !== '<' && order !== '>' && order !== '|')) {
    throw new MalformedMessageError(`unsupported numpy dtype "${dtype}"`)
  }
  if (order === '|' && found.size !== 1) {
    throw new MalformedMessageError(`numpy dtype "${dtype}" lacks a byte order`)
  }
  return { element: found, littleEndian: order !== '>' }
}

/** Accepts a numpy dtype name ('float64', 'bool') as well as a dtype string ('<f8'). */
export function parseDtypeName(name: string): Dtype {
  const code = Object.hasOwn(NAMES, name) ? NAMES[name] : undefined
  if (code !== undefined) return { element: ELEMENTS[code], littleEndian: true }
  return parseDtype(name)
}
