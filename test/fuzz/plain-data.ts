import { NDArray } from '../../src/codec/ndarray.js'

const PLAIN_ARRAYS = [
  Uint8Array,
  Int8Array,
  Uint16Array,
  Int16Array,
  Uint32Array,
  Int32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
]

/** What a decoded message may hold: JSON-like data, bytes, numpy arrays, Dates and bigints. */
export function assertPlainData(value: unknown, path = '$'): void {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
      return
    case 'object':
      break
    default:
      throw new Error(`${path} is a ${typeof value}`)
  }
  if (value === null || value instanceof Date) return
  if (PLAIN_ARRAYS.some((type) => value.constructor === type) || Buffer.isBuffer(value)) return
  if (value instanceof NDArray) {
    assertPlainData(value.data, `${path}.data`)
    return
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      assertPlainData(item, `${path}[${i}]`)
    })
    return
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) {
    throw new Error(`${path} is a ${Object.prototype.toString.call(value)}`)
  }
  for (const [key, item] of Object.entries(value)) assertPlainData(item, `${path}.${key}`)
}
