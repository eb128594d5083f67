import { Packr, Unpackr } from 'msgpackr'
import { describe, expect, it } from 'vitest'
import { msgpackCodec } from '../../src/codec/msgpack.js'
import { COST, costBudget, MAX_BIGINT_BYTES, MAX_DEPTH } from '../../src/codec/msgpack-check.js'
import { EncodeError, MalformedMessageError } from '../../src/errors.js'
import { hex, toHex } from './hex.js'

// What msgpackr itself writes with its JavaScript-only features on, and reads back as such.
const moreTypes = new Packr({ useRecords: false, moreTypes: true })
const trusting = new Unpackr({ useRecords: false, moreTypes: true })

function refusal(bytes: Uint8Array): MalformedMessageError {
  try {
    msgpackCodec.decode(bytes)
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedMessageError)
    return error as MalformedMessageError
  }
  throw new Error(`decoded ${toHex(bytes)}`)
}

/** `dd <count>` then `count` copies of `item`. */
function arrayOf(item: number[], count: number): Buffer {
  const out = Buffer.alloc(5 + count * item.length)
  out[0] = 0xdd
  out.writeUInt32BE(count, 1)
  for (let i = 0; i < count; i++) out.set(item, 5 + i * item.length)
  return out
}

describe('msgpack from the wire never becomes a JavaScript-only object', () => {
  const cyclic: Record<string, unknown> = { name: 'loop' }
  cyclic.self = cyclic
  const jsOnly: Array<[label: string, bytes: Uint8Array, check: (value: unknown) => boolean]> = [
    ['RegExp (a ReDoS waiting for input)', moreTypes.pack({ re: /^(a+)+$/ }), (v) => hasInstance(v, RegExp)],
    ['Error', moreTypes.pack([new TypeError('boom')]), (v) => hasInstance(v, Error)],
    ['Set', moreTypes.pack(new Set([1, 2])), (v) => v instanceof Set],
    ['undefined (ext 0)', new Packr({ useRecords: false }).pack({ a: undefined }), (v) => hasUndefined(v)],
    ['ArrayBuffer', moreTypes.pack(new ArrayBuffer(8)), (v) => v instanceof ArrayBuffer],
    ['DataView', moreTypes.pack(new DataView(new ArrayBuffer(8))), (v) => v instanceof DataView],
    ['typed array (ext 0x74)', moreTypes.pack(new Float64Array([1.5])), (v) => v instanceof Float64Array],
    [
      'a structured clone with a cycle',
      new Packr({ useRecords: false, structuredClone: true }).pack(cyclic),
      (v) => valuesOf(v).includes(v),
    ],
    [
      'record definitions (ext 0x72), which change what later bytes mean',
      new Packr({ useRecords: true }).pack([{ kind: 'a' }, { kind: 'b' }]),
      (v) => Array.isArray(v) && v.length === 2,
    ],
  ]

  it.each(jsOnly)('refuses msgpackr bytes for %s', (_, bytes, check) => {
    // msgpackr would build it: these are the bytes its extensions read.
    const trustingValue: unknown = new Unpackr({
      useRecords: true,
      moreTypes: true,
      structuredClone: true,
    }).unpack(bytes)
    expect(check(trustingValue)).toBe(true)
    const error = refusal(bytes)
    expect(error.message).toMatch(/^cannot decode msgpack message: /)
    expect(error.preview).toEqual(bytes.subarray(0, 64))
  })

  it('refuses 0xc1, which msgpack never uses and msgpackr reads as an object of its own', () => {
    expect(trusting.unpack(hex('91 c1'))).toEqual([expect.any(Object)])
    expect(refusal(hex('91 c1')).message).toContain('0xc1')
  })

  it('refuses bundled strings (ext 0x62) and every unknown extension type', () => {
    expect(refusal(hex('d6 62 00 00 00 00')).message).toContain('extension type 98')
    for (const type of [0x01, 0x10, 0x7f, 0x80, 0xfe]) {
      expect(refusal(Uint8Array.of(0xd4, type, 0)).message).toContain('is not accepted')
    }
  })

  it('reads msgpack timestamps as Dates, as Python writes them (32, 64 and 96 bits)', () => {
    expect(msgpackCodec.decode(hex('d6 ff 00 00 00 00'))).toEqual(new Date(0))
    // 1 s and 500,000,000 ns
    expect(msgpackCodec.decode(hex('d7 ff 77 35 94 00 00 00 00 01'))).toEqual(new Date(1500))
    // -1 s: only the 96-bit form holds a time before 1970
    expect(msgpackCodec.decode(hex('c7 0c ff 00 00 00 00 ff ff ff ff ff ff ff ff'))).toEqual(new Date(-1000))
  })

  it('refuses a timestamp of another length, or with a second or more of nanoseconds', () => {
    expect(refusal(hex('d4 ff ff')).message).toContain('timestamp has 1 bytes')
    expect(refusal(hex('d8 ff 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00')).message).toContain(
      'timestamp has 16 bytes',
    )
    expect(refusal(hex('d7 ff ee 6b 28 00 00 00 00 00')).message).toContain('1000000000 nanoseconds')
  })

  it('reads the big integers switchboard writes beyond 64 bits, up to MAX_BIGINT_BYTES', () => {
    const big = -(2n ** 8000n) + 12345n
    expect(msgpackCodec.decode(msgpackCodec.encode(big))).toBe(big)
    const tooLong = Buffer.alloc(4 + MAX_BIGINT_BYTES + 1, 0x11)
    tooLong.set([0xc8, (MAX_BIGINT_BYTES + 1) >> 8, (MAX_BIGINT_BYTES + 1) & 0xff, 0x42])
    expect(refusal(tooLong).message).toContain('big integer')
  })

  it('refuses maps and arrays as map keys (Python cannot hash them), and reads every other key', () => {
    expect(refusal(hex('81 80 01')).message).toContain('a map key is a map')
    expect(refusal(hex('81 90 01')).message).toContain('a map key is an array')
    // A datetime key: its ISO string, as a Date in a Map is written.
    expect(msgpackCodec.decode(hex('81 d6 ff 00 00 00 00 01'))).toEqual({ '1970-01-01T00:00:00.000Z': 1 })
    expect(msgpackCodec.decode(msgpackCodec.encode(new Map([[2n ** 70n, 'big']])))).toEqual({
      [String(2n ** 70n)]: 'big',
    })
    expect(msgpackCodec.decode(hex('84 c4 01 61 01 07 02 c3 03 c0 04'))).toEqual({
      a: 1,
      '7': 2,
      true: 3,
      null: 4,
    })
  })
})

describe('msgpack encoding writes only what Python and the decoder read', () => {
  it('writes a Set as an array, as Python reads it', () => {
    expect(toHex(msgpackCodec.encode(new Set([1, 2])))).toBe('920102')
    expect(msgpackCodec.decode(msgpackCodec.encode({ s: new Set(['a']) }))).toEqual({ s: ['a'] })
  })

  it("writes Error, RegExp, ArrayBuffer and DataView in msgpackr's plain forms", () => {
    expect(msgpackCodec.decode(msgpackCodec.encode(new RangeError('too far')))).toEqual([
      'RangeError',
      'too far',
      null,
    ])
    expect(msgpackCodec.decode(msgpackCodec.encode(/a+/gi))).toEqual(['a+', 'gi'])
    expect(toHex(msgpackCodec.encode(Uint8Array.of(1, 2).buffer))).toBe('c4020102')
    expect(toHex(msgpackCodec.encode(new DataView(Uint8Array.of(3).buffer)))).toBe('c40103')
  })

  it('refuses an invalid Date with EncodeError rather than writing a timestamp nobody reads', () => {
    expect(() => msgpackCodec.encode({ at: new Date(Number.NaN) })).toThrow(EncodeError)
  })
})

describe('msgpack decoding cost is bounded by the message size', () => {
  it('refuses a container longer than the bytes that follow, before making it', () => {
    expect(refusal(hex('dd ff ff ff ff 00')).message).toContain('array of 4294967295 items')
    expect(refusal(hex('df 7f ff ff ff c0 c0')).message).toContain('map of 2147483647 entries')
    expect(refusal(hex('92 80 91 90 90')).message).toContain('bytes follow')
    expect(refusal(hex('dc 00')).message).toContain('truncated')
  })

  it(`reads containers nested ${MAX_DEPTH} deep (deeper than Python writes), and refuses one more`, () => {
    const nested = (depth: number) => Buffer.from([...new Array<number>(depth).fill(0x91), 0xc0])
    expect(msgpackCodec.decode(nested(MAX_DEPTH))).toBeInstanceOf(Array)
    expect(refusal(nested(MAX_DEPTH + 1)).message).toContain(`deeper than ${MAX_DEPTH}`)
  })

  it('refuses a message that would make far more objects than its size allows', () => {
    // The shape measured at 60 bytes of heap per byte: 26.7 MiB of these took 1.9 GB.
    const emptyMaps = arrayOf([0x80], 1 << 20)
    expect(refusal(emptyMaps).message).toContain('too many objects')
    expect(refusal(arrayOf([0xc4, 0x00], 1 << 19)).message).toContain('too many objects')
    // A bin key at the end used to make the whole message decode twice.
    const withBinKey = Buffer.concat([arrayOf([0x80], 1 << 20), hex('81 c4 01 61 c0')])
    withBinKey.writeUInt32BE((1 << 20) + 1, 1)
    expect(refusal(withBinKey).message).toContain('too many objects')
  })

  it('reads the same shapes when the message is small, and ordinary large data', () => {
    const some = costBudget(0) / COST.map - 16
    expect(msgpackCodec.decode(arrayOf([0x80], some))).toHaveLength(some)
    // Records as Python would send them (about 1 MiB), lists of small pairs, a wide dict: each
    // costs more than the base allowance, so its size is what lets it through.
    const records = Array.from({ length: 20_000 }, (_, i) => ({
      id: i,
      sku: `sku-${i}`,
      qty: i % 7,
      price: 9.99,
      tags: ['a', 'b'],
    }))
    expect(msgpackCodec.decode(msgpackCodec.encode(records))).toEqual(records)
    const pairs = Array.from({ length: 100_000 }, (_, i) => [i % 100, 1])
    expect(msgpackCodec.decode(msgpackCodec.encode(pairs))).toEqual(pairs)
    const dict = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`user:${i}`, i]))
    expect(msgpackCodec.decode(msgpackCodec.encode(new Map(Object.entries(dict))))).toEqual(dict)
    const frame = new Float64Array(1 << 17).fill(0.5)
    expect(msgpackCodec.decode(msgpackCodec.encode({ frame }))).toEqual({ frame })
  })
})

/** msgpackr builds Maps when its JavaScript-only features are on. */
function valuesOf(value: unknown): unknown[] {
  if (value instanceof Map) return [...value.values()]
  return value !== null && typeof value === 'object' ? Object.values(value) : []
}

function hasInstance(value: unknown, type: abstract new (...args: never[]) => object): boolean {
  return value instanceof type || valuesOf(value).some((item) => hasInstance(item, type))
}

function hasUndefined(value: unknown): boolean {
  return valuesOf(value).includes(undefined)
}
