import { InvalidArgumentError } from '../errors.js'

/** The TypedArrays that travel as numpy arrays. */
export type NumericArray =
  | Float64Array
  | Float32Array
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint32Array
  | Uint16Array
  | Uint8Array
  | Uint8ClampedArray

/** The numpy dtype strings switchboard writes: always little-endian. */
export type NumpyDtype = '<f8' | '<f4' | '<i8' | '<i4' | '<i2' | '|i1' | '<u8' | '<u4' | '<u2' | '|u1' | '|b1'

/** What `new NDArray()` takes: the shape, the data in C order, and the numpy dtype if not implied. */
export interface NDArrayInit<T extends NumericArray> {
  /** Dimensions in C (row-major) order; `[]` is a 0-d array holding one element. */
  shape: readonly number[]
  /** The elements, flattened in C order. */
  data: T
  /**
   * Overrides the dtype the data would otherwise travel as. Only `'|b1'` (numpy bool) over a
   * Uint8Array makes sense today.
   * @defaultValue the dtype matching `data` (`'|u1'` for a Uint8Array)
   */
  dtype?: NumpyDtype
}

/**
 * A numpy array that a bare TypedArray cannot express: 0-d or multi-dimensional, a `'|u1'`
 * array (a bare Uint8Array travels as msgpack bin, i.e. Python bytes), or a `'|b1'` array.
 */
export class NDArray<T extends NumericArray = NumericArray> {
  readonly shape: readonly number[]
  readonly data: T
  /** The dtype this array is written as. Decoded big-endian and `<f2` arrays report the native form. */
  readonly dtype: NumpyDtype

  constructor(init: NDArrayInit<T>) {
    const size = shapeSize(init.shape)
    if (size === undefined) {
      throw new InvalidArgumentError(
        `NDArray shape must be non-negative integers, got [${init.shape.join(', ')}]`,
      )
    }
    if (size !== init.data.length) {
      throw new InvalidArgumentError(
        `NDArray shape [${init.shape.join(', ')}] holds ${size} elements but data has ${init.data.length}`,
      )
    }
    const natural = naturalDtype(init.data)
    const dtype = init.dtype ?? natural
    if (dtype !== natural && !(dtype === '|b1' && natural === '|u1')) {
      throw new InvalidArgumentError(`NDArray dtype ${dtype} does not fit ${init.data.constructor.name} data`)
    }
    this.shape = Object.freeze([...init.shape])
    this.data = init.data
    this.dtype = dtype
  }
}

/** True for an NDArray, including one made by another copy of switchboard. */
export function isNDArray(value: unknown): value is NDArray {
  return value instanceof NDArray
}

/** Checks a value is a TypedArray switchboard can send as a numpy array. */
export function isNumericArray(value: unknown): value is NumericArray {
  return ArrayBuffer.isView(value) && !(value instanceof DataView) && dtypeOfOrUndefined(value) !== undefined
}

/** Element count of a shape, or undefined if the shape is not a list of non-negative safe integers. */
export function shapeSize(shape: readonly unknown[]): number | undefined {
  let size = 1
  for (const dim of shape) {
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) return undefined
    size *= dim
    if (!Number.isSafeInteger(size)) return undefined
  }
  return size
}

const DTYPE_BY_CONSTRUCTOR = new Map<abstract new (...args: never[]) => NumericArray, NumpyDtype>([
  [Float64Array, '<f8'],
  [Float32Array, '<f4'],
  [BigInt64Array, '<i8'],
  [Int32Array, '<i4'],
  [Int16Array, '<i2'],
  [Int8Array, '|i1'],
  [BigUint64Array, '<u8'],
  [Uint32Array, '<u4'],
  [Uint16Array, '<u2'],
  [Uint8Array, '|u1'],
  [Uint8ClampedArray, '|u1'],
])

function dtypeOfOrUndefined(value: ArrayBufferView): NumpyDtype | undefined {
  const direct = DTYPE_BY_CONSTRUCTOR.get(value.constructor as new () => NumericArray)
  if (direct !== undefined) return direct
  // Subclasses (Node's Buffer, user classes) match their base class.
  for (const [base, dtype] of DTYPE_BY_CONSTRUCTOR) {
    if (value instanceof base) return dtype
  }
  return undefined
}

/** The dtype a TypedArray travels as; throws TypeError for one numpy has no match for (Float16Array). */
export function naturalDtype(value: ArrayBufferView): NumpyDtype {
  const dtype = dtypeOfOrUndefined(value)
  if (dtype === undefined)
    throw new TypeError(`${value.constructor.name} has no numpy dtype switchboard can write`)
  return dtype
}
