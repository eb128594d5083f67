import { describe, expect, it } from 'vitest'
import { msgpackCodec } from '../../src/codec/msgpack.js'
import { isNDArray, isNumericArray, NDArray } from '../../src/codec/ndarray.js'
import { InvalidArgumentError, MalformedMessageError } from '../../src/errors.js'
import { hex, toHex } from './hex.js'

// The fixed head of every msgpack-numpy array map, written out from the format by hand:
// a 5-entry map whose keys are bin, in msgpack-numpy's order.
const HEAD = `
  85                      # map, 5 entries
  c4 02 6e 64  c3         # bin 'nd'    -> true
  c4 04 74 79 70 65       # bin 'type'  -> (dtype str follows)
`
const KIND_AND_SHAPE_KEY = `
  c4 04 6b 69 6e 64  c4 00   # bin 'kind'  -> bin b''
  c4 05 73 68 61 70 65       # bin 'shape' -> (list follows)
`
// bin 'data' -> (bin follows)
const DATA_KEY = 'c4 04 64 61 74 61'

const F8_1D = hex(`${HEAD}
  a3 3c 66 38             # str '<f8'
  ${KIND_AND_SHAPE_KEY}
  91 02                   # [2]
  ${DATA_KEY}
  c4 10                   # bin, 16 bytes
  00 00 00 00 00 00 f8 3f # 1.5  (0x3ff8000000000000, little-endian)
  00 00 00 00 00 00 00 c0 # -2.0 (0xc000000000000000)
`)

const I4_1D = hex(`${HEAD}
  a3 3c 69 34             # str '<i4'
  ${KIND_AND_SHAPE_KEY}
  91 03                   # [3]
  ${DATA_KEY}
  c4 0c                   # bin, 12 bytes
  01 00 00 00             # 1
  fe ff ff ff             # -2
  00 00 01 00             # 65536
`)

const F8_2X3 = hex(`${HEAD}
  a3 3c 66 38             # str '<f8'
  ${KIND_AND_SHAPE_KEY}
  92 02 03                # [2, 3]
  ${DATA_KEY}
  c4 30                   # bin, 48 bytes, C order
  00 00 00 00 00 00 f0 3f # 1
  00 00 00 00 00 00 00 40 # 2
  00 00 00 00 00 00 08 40 # 3
  00 00 00 00 00 00 10 40 # 4
  00 00 00 00 00 00 14 40 # 5
  00 00 00 00 00 00 18 40 # 6
`)

function numpyMap(dtype: string, shape: string, data: string, kind = 'c4 00'): Uint8Array {
  const dtypeHex = toHex(Buffer.from(dtype))
  return hex(`${HEAD} a${dtype.length} ${dtypeHex}
    c4 04 6b 69 6e 64 ${kind} c4 05 73 68 61 70 65 ${shape} ${DATA_KEY}
    c4 ${(data.replace(/\s+/g, '').length / 2).toString(16).padStart(2, '0')} ${data}`)
}

describe('golden bytes written by hand from the msgpack-numpy format', () => {
  it('1-D <f8', () => {
    expect(toHex(msgpackCodec.encode(new Float64Array([1.5, -2])))).toBe(toHex(F8_1D))
    const decoded = msgpackCodec.decode(F8_1D)
    expect(decoded).toBeInstanceOf(Float64Array)
    expect(Array.from(decoded as Float64Array)).toEqual([1.5, -2])
  })

  it('1-D <i4', () => {
    expect(toHex(msgpackCodec.encode(new Int32Array([1, -2, 65_536])))).toBe(toHex(I4_1D))
    const decoded = msgpackCodec.decode(I4_1D)
    expect(decoded).toBeInstanceOf(Int32Array)
    expect(Array.from(decoded as Int32Array)).toEqual([1, -2, 65_536])
  })

  it('2x3 <f8', () => {
    const value = new NDArray({ shape: [2, 3], data: new Float64Array([1, 2, 3, 4, 5, 6]) })
    expect(toHex(msgpackCodec.encode(value))).toBe(toHex(F8_2X3))
    const decoded = msgpackCodec.decode(F8_2X3)
    expect(decoded).toBeInstanceOf(NDArray)
    const nd = decoded as NDArray<Float64Array>
    expect(nd.shape).toEqual([2, 3])
    expect(nd.data).toBeInstanceOf(Float64Array)
    expect(Array.from(nd.data)).toEqual([1, 2, 3, 4, 5, 6])
    expect(nd.dtype).toBe('<f8')
  })
})

describe('TypedArrays as numpy arrays', () => {
  const arrays = [
    ['<f8', new Float64Array([0.5, Number.NaN, Number.POSITIVE_INFINITY, -1e308])],
    ['<f4', new Float32Array([0.25, -3])],
    ['<i8', new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n])],
    ['<i4', new Int32Array([-(2 ** 31), 2 ** 31 - 1])],
    ['<i2', new Int16Array([-32_768, 32_767])],
    ['|i1', new Int8Array([-128, 127])],
    ['<u8', new BigUint64Array([0n, 2n ** 64n - 1n])],
    ['<u4', new Uint32Array([0, 2 ** 32 - 1])],
    ['<u2', new Uint16Array([0, 65_535])],
  ] as const

  for (const [dtype, array] of arrays) {
    it(`${array.constructor.name} travels as ${dtype} and comes back as the same type`, () => {
      const bytes = msgpackCodec.encode(array)
      expect(toHex(bytes)).toContain(toHex(Buffer.from(`\xa3${dtype}`, 'latin1')))
      const decoded = msgpackCodec.decode(bytes)
      expect(decoded).toBeInstanceOf(array.constructor)
      expect(decoded).toEqual(array)
    })
  }

  it('travels inside objects and lists', () => {
    const value = {
      a: new Float32Array([1, 2]),
      list: [new Int16Array([3]), 'x'],
      deep: { b: new Float64Array(0) },
    }
    expect(msgpackCodec.decode(msgpackCodec.encode(value))).toEqual(value)
  })

  it('handles large arrays (bin32 data)', () => {
    const large = Float64Array.from({ length: 200_000 }, (_, i) => i / 3)
    const bytes = msgpackCodec.encode({ large })
    expect(bytes.length).toBeGreaterThan(1_600_000)
    expect(msgpackCodec.decode(bytes)).toEqual({ large })
  })

  it('writes a subarray view from its own offset only', () => {
    const whole = new Float64Array([9, 1, 2, 9])
    expect(msgpackCodec.decode(msgpackCodec.encode(whole.subarray(1, 3)))).toEqual(new Float64Array([1, 2]))
  })

  it('sends a Uint8ClampedArray as a |u1 array, since a Uint8Array means bytes', () => {
    const bytes = msgpackCodec.encode(new Uint8ClampedArray([0, 200, 255]))
    expect(toHex(bytes)).toBe(toHex(numpyMap('|u1', '91 03', '00 c8 ff')))
    expect(Array.from(msgpackCodec.decode(bytes) as Uint8Array)).toEqual([0, 200, 255])
  })
})

describe('NDArray', () => {
  it('sends |u1 and |b1 arrays, which a bare Uint8Array cannot', () => {
    const u1 = new NDArray({ shape: [3], data: Uint8Array.of(0, 1, 255) })
    expect(u1.dtype).toBe('|u1')
    expect(toHex(msgpackCodec.encode(u1))).toBe(toHex(numpyMap('|u1', '91 03', '00 01 ff')))
    const b1 = new NDArray({ shape: [2], data: Uint8Array.of(1, 0), dtype: '|b1' })
    expect(toHex(msgpackCodec.encode(b1))).toBe(toHex(numpyMap('|b1', '91 02', '01 00')))
  })

  it('decodes 0-d and multi-dimensional arrays as NDArray, keeping |b1', () => {
    const zeroD = msgpackCodec.decode(numpyMap('<i4', '90', '07 00 00 00')) as NDArray<Int32Array>
    expect(zeroD).toBeInstanceOf(NDArray)
    expect(zeroD.shape).toEqual([])
    expect(Array.from(zeroD.data)).toEqual([7])
    const bools = msgpackCodec.decode(numpyMap('|b1', '92 01 02', '01 00')) as NDArray
    expect(bools.dtype).toBe('|b1')
    expect(bools.data).toBeInstanceOf(Uint8Array)
    expect(msgpackCodec.decode(msgpackCodec.encode(bools))).toEqual(bools)
    const empty2d = msgpackCodec.decode(numpyMap('<f4', '92 00 03', '')) as NDArray
    expect(empty2d.shape).toEqual([0, 3])
    expect(empty2d.data).toEqual(new Float32Array(0))
  })

  it('validates its shape and dtype', () => {
    expect(() => new NDArray({ shape: [2, 2], data: new Float64Array(3) })).toThrow(InvalidArgumentError)
    expect(() => new NDArray({ shape: [-1], data: new Float64Array(0) })).toThrow(InvalidArgumentError)
    expect(() => new NDArray({ shape: [1.5], data: new Float64Array(1) })).toThrow(InvalidArgumentError)
    expect(() => new NDArray({ shape: [1], data: new Float64Array(1), dtype: '|b1' })).toThrow(
      InvalidArgumentError,
    )
    expect(() => new NDArray({ shape: [1], data: new Float64Array(1), dtype: '<f8' })).not.toThrow()
    expect(new NDArray({ shape: [], data: new Float64Array(1) }).shape).toEqual([])
  })

  it('has type guards', () => {
    expect(isNDArray(new NDArray({ shape: [1], data: new Int8Array(1) }))).toBe(true)
    expect(isNDArray({ shape: [1], data: new Int8Array(1) })).toBe(false)
    expect(isNumericArray(new Float32Array(1))).toBe(true)
    expect(isNumericArray(new DataView(new ArrayBuffer(1)))).toBe(false)
    expect(isNumericArray([1])).toBe(false)
  })
})

describe('decoding numpy maps', () => {
  it('byte-swaps big-endian data', () => {
    expect(msgpackCodec.decode(numpyMap('>i4', '92 01 02', '00 00 00 01 ff ff ff fe'))).toEqual(
      new NDArray({ shape: [1, 2], data: new Int32Array([1, -2]) }),
    )
    expect(msgpackCodec.decode(numpyMap('>u2', '91 02', '01 02 ff fe'))).toEqual(
      new Uint16Array([0x0102, 0xfffe]),
    )
    expect(msgpackCodec.decode(numpyMap('>i8', '91 01', 'ff ff ff ff ff ff ff fe'))).toEqual(
      new BigInt64Array([-2n]),
    )
  })

  it('widens <f2 into Float32Array, including subnormals, infinities and NaN', () => {
    // 1.0, -2.0, 65504 (max), 2^-24 (smallest subnormal), +inf, NaN
    const decoded = msgpackCodec.decode(numpyMap('<f2', '91 06', '00 3c 00 c0 ff 7b 01 00 00 7c 01 7e'))
    expect(decoded).toBeInstanceOf(Float32Array)
    const values = Array.from(decoded as Float32Array)
    expect(values.slice(0, 5)).toEqual([1, -2, 65_504, 2 ** -24, Number.POSITIVE_INFINITY])
    expect(values[5]).toBeNaN()
    expect(Array.from(msgpackCodec.decode(numpyMap('>f2', '91 01', '3c 00')) as Float32Array)).toEqual([1])
  })

  it('reads data at any byte offset, viewing it in place only when aligned', () => {
    for (let shift = 0; shift < 8; shift++) {
      const buffer = new Uint8Array(F8_1D.length + shift)
      buffer.set(F8_1D, shift)
      const decoded = msgpackCodec.decode(buffer.subarray(shift)) as Float64Array
      expect(Array.from(decoded), `shift ${shift}`).toEqual([1.5, -2])
      const dataOffset = shift + F8_1D.length - 16
      expect(decoded.buffer === buffer.buffer, `shift ${shift}`).toBe(dataOffset % 8 === 0)
    }
  })

  it('decodes numpy scalars to numbers, booleans and (beyond 2^53) bigints', () => {
    const scalar = (dtype: string, data: string) =>
      msgpackCodec.decode(
        hex(`83 c4 02 6e 64 c2 c4 04 74 79 70 65 a3 ${toHex(Buffer.from(dtype))}
             ${DATA_KEY} c4 ${(data.replace(/\s+/g, '').length / 2).toString(16).padStart(2, '0')} ${data}`),
      )
    expect(scalar('<i4', '05 00 00 00')).toBe(5)
    expect(scalar('<f8', '00 00 00 00 00 00 f8 3f')).toBe(1.5)
    expect(scalar('>f4', '3f c0 00 00')).toBe(1.5)
    expect(scalar('<f2', '00 3e')).toBe(1.5)
    expect(scalar('|b1', '01')).toBe(true)
    expect(scalar('<i8', 'ff ff ff ff ff ff ff ff')).toBe(-1)
    expect(scalar('<u8', 'ff ff ff ff ff ff ff ff')).toBe(2n ** 64n - 1n)
    expect(() => scalar('<i4', '05 00')).toThrow(MalformedMessageError)
  })

  it('refuses pickled object arrays (kind O) without unpickling', () => {
    // what msgpack-numpy writes for np.array([{}], dtype=object): pickle bytes in data
    const pickled = numpyMap('|O', '91 01', '80 04 95 00', 'c4 01 4f')
    expect(() => msgpackCodec.decode(pickled)).toThrow(MalformedMessageError)
    expect(() => msgpackCodec.decode(pickled)).toThrow(/kind "O"/)
    // kind O with an innocent-looking dtype is refused all the same
    expect(() => msgpackCodec.decode(numpyMap('<f8', '91 00', '', 'c4 01 4f'))).toThrow(/kind "O"/)
    expect(() => msgpackCodec.decode(numpyMap('<f8', '91 00', '', 'c4 01 56'))).toThrow(MalformedMessageError)
  })

  it('refuses unknown dtypes and data that does not fit the shape', () => {
    const bad = {
      'complex dtype': numpyMap('<c8', '91 01', '00 00 00 00 00 00 00 00'),
      'datetime dtype': numpyMap('<M8', '91 00', ''),
      'native byte order': numpyMap('=f8', '91 00', ''),
      'multi-byte without byte order': numpyMap('|f8', '91 00', ''),
      'too few bytes': numpyMap('<f8', '91 02', '00 00 00 00 00 00 f0 3f'),
      'too many bytes': numpyMap('<i2', '91 01', '01 00 02 00'),
      'negative dimension': numpyMap('<f8', '91 ff', ''),
      'shape not a list': numpyMap('<f8', '01', '00 00 00 00 00 00 f0 3f'),
    }
    for (const [label, bytes] of Object.entries(bad)) {
      expect(() => msgpackCodec.decode(bytes), label).toThrow(MalformedMessageError)
    }
  })
})
