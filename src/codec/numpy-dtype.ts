import { MalformedMessageError } from '../errors.js'
import type { NumericArray } from './ndarray.js'

/** numpy kind letter plus item size: the part of a dtype string that is not byte order. */
export type ElementCode = 'f8' | 'f4' | 'f2' | 'i8' | 'i4' | 'i2' | 'i1' | 'u8' | 'u4' | 'u2' | 'u1' | 'b1'

/** The JS array a dtype decodes into; the TypedArray constructors all fit. */
export interface ArrayType {
  /** A zeroed array of `length` elements. */
  new (length: number): NumericArray
  /** A view over bytes already in host order and aligned to the element size. */
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): NumericArray
}

export interface ElementType {
  readonly code: ElementCode
  /** Bytes per element on the wire. */
  readonly size: number
  readonly type: ArrayType
}

// '<f2' has no JS array to land in, so it widens into Float32Array (see readHalfFloats).
const ELEMENTS: Readonly<Record<ElementCode, ElementType>> = {
  f8: { code: 'f8', size: 8, type: Float64Array },
  f4: { code: 'f4', size: 4, type: Float32Array },
  f2: { code: 'f2', size: 2, type: Float32Array },
  i8: { code: 'i8', size: 8, type: BigInt64Array },
  i4: { code: 'i4', size: 4, type: Int32Array },
  i2: { code: 'i2', size: 2, type: Int16Array },
  i1: { code: 'i1', size: 1, type: Int8Array },
  u8: { code: 'u8', size: 8, type: BigUint64Array },
  u4: { code: 'u4', size: 4, type: Uint32Array },
  u2: { code: 'u2', size: 2, type: Uint16Array },
  u1: { code: 'u1', size: 1, type: Uint8Array },
  b1: { code: 'b1', size: 1, type: Uint8Array },
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
