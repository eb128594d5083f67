import { Packr } from 'msgpackr'
import { describe, expect, it } from 'vitest'
import { msgpackCodec } from '../../src/codec/msgpack.js'
import { NDArray } from '../../src/codec/ndarray.js'
import { EncodeError, MalformedMessageError } from '../../src/errors.js'
import { hex, toHex } from './hex.js'

const roundTrip = (value: unknown): unknown => msgpackCodec.decode(msgpackCodec.encode(value))

describe('msgpackCodec', () => {
  it('is named msgpack', () => {
    expect(msgpackCodec.name).toBe('msgpack')
  })

  it('round-trips scalars', () => {
    for (const value of [
      '',
      'héllo ✓',
      0,
      1,
      -1,
      127,
      -33,
      65_535,
      2 ** 31 - 1,
      -(2 ** 31),
      true,
      false,
      null,
    ]) {
      expect(roundTrip(value)).toBe(value)
    }
  })

  it('round-trips integers beyond 32 bits and floats, including NaN and infinities', () => {
    for (const value of [2 ** 32, 2 ** 32 + 5, -(2 ** 40) - 3, Number.MAX_SAFE_INTEGER, 1.5, -0.1, 1e300]) {
      expect(roundTrip(value)).toBe(value)
    }
    expect(roundTrip(Number.NaN)).toBeNaN()
    expect(roundTrip(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY)
    expect(roundTrip(Number.NEGATIVE_INFINITY)).toBe(Number.NEGATIVE_INFINITY)
  })

  it('decodes int64 and uint64 as numbers when within 2^53, else as bigint', () => {
    expect(msgpackCodec.decode(hex('d3 00 00 01 00 00 00 00 00'))).toBe(2 ** 40)
    expect(msgpackCodec.decode(hex('cf 00 00 01 00 00 00 00 00'))).toBe(2 ** 40)
    expect(msgpackCodec.decode(hex('d3 ff ff ff ff ff ff ff fe'))).toBe(-2)
    expect(msgpackCodec.decode(hex('cf ff ff ff ff ff ff ff ff'))).toBe(2n ** 64n - 1n)
    expect(msgpackCodec.decode(hex('d3 80 00 00 00 00 00 00 00'))).toBe(-(2n ** 63n))
  })

  it('writes a bigint as int64 (a small one comes back as a number) and a huge one losslessly', () => {
    expect(toHex(msgpackCodec.encode(2n ** 60n))).toBe('d31000000000000000')
    expect(roundTrip(2n ** 60n)).toBe(2n ** 60n)
    expect(roundTrip(5n)).toBe(5)
    expect(roundTrip(2n ** 70n + 1n)).toBe(2n ** 70n + 1n)
  })

  it('round-trips nested objects and arrays, and decodes maps as plain objects', () => {
    const value = { a: [1, 'two', { three: [3, null, true] }], b: { c: { d: 'e' } }, empty: {}, list: [] }
    const decoded = roundTrip(value)
    expect(decoded).toEqual(value)
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype)
    const fromMap = roundTrip(
      new Map<unknown, unknown>([
        ['k', 1],
        [2, 'two'],
      ]),
    )
    expect(fromMap).toEqual({ k: 1, '2': 'two' })
    expect(fromMap).not.toBeInstanceOf(Map)
  })

  it('decodes a Python dict with bytes or int keys as an object with string keys', () => {
    // {b'a': 1, 7: 'x'} from Python msgpack (use_bin_type=True)
    expect(msgpackCodec.decode(hex('82 c4 01 61 01 07 a1 78'))).toEqual({ a: 1, '7': 'x' })
    // nested under a str-keyed dict, next to a list
    expect(msgpackCodec.decode(hex('82 a1 6b 81 c4 01 62 02 a1 6c 92 01 81 c4 01 63 03'))).toEqual({
      k: { b: 2 },
      l: [1, { c: 3 }],
    })
  })

  it('writes Uint8Array and Buffer as msgpack bin and reads bin as a Uint8Array', () => {
    expect(toHex(msgpackCodec.encode(Uint8Array.of(1, 2, 255)))).toBe('c4030102ff')
    expect(toHex(msgpackCodec.encode(Buffer.from([1, 2, 255])))).toBe('c4030102ff')
    const decoded = msgpackCodec.decode(hex('c4 03 01 02 ff'))
    expect(decoded).toBeInstanceOf(Uint8Array)
    expect(Array.from(decoded as Uint8Array)).toEqual([1, 2, 255])
    const big = new Uint8Array(70_000).fill(7)
    const back = roundTrip(big) as Uint8Array
    expect(back).toBeInstanceOf(Uint8Array)
    expect(Buffer.compare(back, big)).toBe(0)
  })

  it('round-trips a Date through the timestamp extension', () => {
    const date = new Date('2026-11-23T12:34:56.789Z')
    const decoded = roundTrip({ at: date }) as { at: Date }
    expect(decoded.at).toBeInstanceOf(Date)
    expect(decoded.at.getTime()).toBe(date.getTime())
  })

  it('encodes undefined as nil', () => {
    expect(toHex(msgpackCodec.encode(undefined))).toBe('c0')
    expect(roundTrip({ a: undefined, b: [undefined] })).toEqual({ a: null, b: [null] })
  })

  it('refuses a function, a symbol and a cycle with EncodeError, and keeps working after', () => {
    expect(() => msgpackCodec.encode({ f() {} })).toThrow(EncodeError)
    expect(() => msgpackCodec.encode(() => 1)).toThrow(EncodeError)
    expect(() => msgpackCodec.encode(Symbol('s'))).toThrow(EncodeError)
    expect(() => msgpackCodec.encode({ s: Symbol('s') })).toThrow(EncodeError)
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(() => msgpackCodec.encode(cyclic)).toThrow(EncodeError)
    expect(roundTrip({ still: 'fine' })).toEqual({ still: 'fine' })
  })

  it('refuses undecodable bytes with MalformedMessageError carrying a preview', () => {
    const whole = msgpackCodec.encode({ name: 'order', qty: 3 })
    const cases = {
      truncated: whole.subarray(0, whole.length - 1),
      empty: new Uint8Array(0),
      'trailing bytes': Uint8Array.from([...whole, 0x01]),
      'unknown ext type 0x20': hex('d4 20 00'),
      'unknown ext type 0x21 (ext8)': hex('c7 01 21 00'),
      'truncated numpy map': hex('85 c4 02 6e 64 c3 c4 04 74 79 70'),
    }
    for (const [label, bytes] of Object.entries(cases)) {
      let caught: unknown
      try {
        msgpackCodec.decode(bytes)
      } catch (error) {
        caught = error
      }
      expect(caught, label).toBeInstanceOf(MalformedMessageError)
      expect((caught as MalformedMessageError).preview, label).toEqual(bytes.subarray(0, 64))
    }
  })

  it('refuses a map key that cannot become a property', () => {
    // {[1, 2]: 'x', b'a': 1}: a list key next to a bin key
    expect(() => msgpackCodec.decode(hex('82 92 01 02 a1 78 c4 01 61 01'))).toThrow(MalformedMessageError)
  })
})

describe('the numpy hook and other msgpackr users', () => {
  it('leaves other Packr instances writing what msgpackr writes', () => {
    msgpackCodec.encode(new Float64Array(1)) // the hook is registered by now
    const moreTypes = new Packr({ useRecords: false, moreTypes: true })
    expect(toHex(moreTypes.pack(Uint8Array.of(1, 2, 3)))).toBe('c7047401010203')
    expect(toHex(moreTypes.pack(Buffer.from([1, 2, 3])))).toBe('c403010203')
    const floats = new Float64Array([1.5, -2])
    expect(toHex(moreTypes.pack(floats))).toBe('c7117408' + '000000000000f83f' + '00000000000000c0')
    expect(moreTypes.unpack(moreTypes.pack(floats))).toEqual(floats)
    // but msgpackr's typed-array extension is JS-only, and is not read from the wire here
    expect(() => msgpackCodec.decode(moreTypes.pack({ a: new Int16Array([1, -1]) }))).toThrow(
      MalformedMessageError,
    )
    const plain = new Packr({ useRecords: false })
    expect(toHex(plain.pack(Uint8Array.of(1, 2, 3)))).toBe('c403010203')
    // msgpackr's own forms of a DataView (measured without the hook), kept for other Packrs
    const view = new DataView(Uint8Array.of(1, 2).buffer)
    expect(toHex(moreTypes.pack(view))).toBe('c70374110102')
    expect(toHex(plain.pack(view))).toBe('c400')
    const foreign = plain.unpack(plain.pack(new NDArray({ shape: [1], data: Int8Array.of(-1) })))
    expect(foreign).toMatchObject({ shape: [1], dtype: '|i1' })
    expect(Array.from(foreign.data)).toEqual([255])
  })
})
