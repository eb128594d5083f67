import { MalformedMessageError } from '../errors.js'
import { NDArray, type NumericArray, type NumpyDtype, naturalDtype, shapeSize } from './ndarray.js'
import { type Dtype, HOST_LITTLE_ENDIAN, parseDtype } from './numpy-dtype.js'

/** A numpy array as it travels: a dtype string, a shape and little-endian C-order bytes. */
export interface NumpyLayout {
  readonly dtype: NumpyDtype
  readonly shape: readonly number[]
  readonly bytes: Uint8Array
}

/**
 * Builds the JS value for a numpy array: a TypedArray when 1-D, otherwise an NDArray. Aligned
 * host-order data is viewed in place (it shares memory with `bytes`); anything else is copied.
 */
export function arrayFromNumpy(dtype: string, shape: unknown, bytes: Uint8Array): NumericArray | NDArray {
  const parsed = parseDtype(dtype)
  if (!Array.isArray(shape)) throw new MalformedMessageError('numpy array shape is not a list')
  const length = shapeSize(shape)
  if (length === undefined)
    throw new MalformedMessageError(`numpy array shape [${shape.join(', ')}] is invalid`)
  const size = parsed.element.size
  if (bytes.length !== length * size) {
    throw new MalformedMessageError(
      `numpy ${dtype} array of shape [${shape.join(', ')}] needs ${length * size} bytes, got ${bytes.length}`,
    )
  }
  const data = readElements(parsed, bytes, length)
  if (shape.length === 1) return data
  return new NDArray({
    shape: shape as number[],
    data,
    dtype: parsed.element.code === 'b1' ? '|b1' : undefined,
  })
}

/** Decodes a numpy scalar (`{nd: false}`): a number, a boolean for '|b1', a bigint for 64-bit ints beyond 2^53. */
export function scalarFromNumpy(dtype: string, bytes: Uint8Array): number | bigint | boolean {
  const parsed = parseDtype(dtype)
  if (bytes.length !== parsed.element.size) {
    throw new MalformedMessageError(
      `numpy ${dtype} scalar needs ${parsed.element.size} bytes, got ${bytes.length}`,
    )
  }
  const value = readElements(parsed, bytes, 1)[0]
  if (parsed.element.code === 'b1') return value !== 0
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value
  }
  return value ?? Number.NaN
}

function readElements(dtype: Dtype, bytes: Uint8Array, length: number): NumericArray {
  const { element, littleEndian } = dtype
  if (element.code === 'f2') return readHalfFloats(bytes, length, littleEndian)
  const sameOrder = element.size === 1 || littleEndian === HOST_LITTLE_ENDIAN
  if (sameOrder && bytes.byteOffset % element.size === 0)
    return new element.type(bytes.buffer, bytes.byteOffset, length)
  const out = new element.type(length)
  const outBytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
  if (sameOrder) outBytes.set(bytes)
  else swapInto(outBytes, bytes, element.size)
  return out
}

function swapInto(out: Uint8Array, bytes: Uint8Array, size: number): void {
  for (let start = 0; start < bytes.length; start += size) {
    for (let i = 0; i < size; i++) out[start + i] = bytes[start + size - 1 - i] ?? 0
  }
}

function readHalfFloats(bytes: Uint8Array, length: number, littleEndian: boolean): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out = new Float32Array(length)
  for (let i = 0; i < length; i++) out[i] = halfToFloat(view.getUint16(i * 2, littleEndian))
  return out
}

function halfToFloat(half: number): number {
  const sign = half & 0x8000 ? -1 : 1
  const exponent = (half >> 10) & 0x1f
  const fraction = half & 0x3ff
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024)
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024)
}

/** The wire form of a TypedArray or NDArray. Throws TypeError for an array numpy has no dtype for. */
export function numpyLayout(value: NumericArray | NDArray): NumpyLayout {
  if (value instanceof NDArray)
    return { dtype: value.dtype, shape: value.shape, bytes: littleEndianBytes(value.data) }
  return { dtype: naturalDtype(value), shape: [value.length], bytes: littleEndianBytes(value) }
}

function littleEndianBytes(data: NumericArray): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  if (HOST_LITTLE_ENDIAN || data.BYTES_PER_ELEMENT === 1) return bytes
  const out = new Uint8Array(bytes.length)
  swapInto(out, bytes, data.BYTES_PER_ELEMENT)
  return out
}
