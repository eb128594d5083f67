import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { msgpackCodec } from '../../src/codec/msgpack.js'
import { NDArray, type NumericArray } from '../../src/codec/ndarray.js'
import { toHex } from './hex.js'

/** Golden bytes written by the real Python msgpack-numpy (see the file's "producer"). */
interface Vectors {
  producer: string
  cases: Record<string, { hex: string; decoded: unknown }>
}
// A copy of shared/interop/msgpack-numpy-vectors.json (bytes made by the real Python
// msgpack-numpy), kept in the repo so that the suite runs from any checkout.
const VECTORS_URL = new URL('./fixtures/msgpack-numpy-vectors.json', import.meta.url)
const vectors: Vectors = JSON.parse(readFileSync(VECTORS_URL, 'utf8'))

interface ArrayDescription {
  dtype: string
  shape: number[]
  values: Array<number | boolean>
}

// What each dtype decodes to; '<f2' widens into Float32Array and '|b1' lands in a Uint8Array.
const ARRAY_TYPES: Record<string, abstract new (...args: never[]) => NumericArray> = {
  f8: Float64Array,
  f4: Float32Array,
  f2: Float32Array,
  i8: BigInt64Array,
  i4: Int32Array,
  u2: Uint16Array,
  u1: Uint8Array,
  b1: Uint8Array,
}

function isArrayDescription(value: unknown): value is ArrayDescription {
  return typeof value === 'object' && value !== null && 'dtype' in value && 'values' in value
}

/** Asserts a decoded value against the case's description of it. */
function expectMatches(actual: unknown, expected: unknown, path: string): void {
  if (isArrayDescription(expected)) {
    const type = ARRAY_TYPES[expected.dtype.slice(1)]
    if (type === undefined) throw new Error(`no expectation for dtype ${expected.dtype}`)
    let data: unknown = actual
    if (expected.shape.length !== 1) {
      expect(actual, path).toBeInstanceOf(NDArray)
      expect((actual as NDArray).shape, path).toEqual(expected.shape)
      data = (actual as NDArray).data
    }
    expect(data, path).toBeInstanceOf(type)
    expect(Array.from(data as NumericArray, Number), path).toEqual(expected.values.map(Number))
  } else if (typeof expected === 'object' && expected !== null && 'numpy_scalar' in expected) {
    expect(actual, path).toBe((expected as { numpy_scalar: unknown; value: unknown }).value)
  } else if (typeof expected === 'object' && expected !== null) {
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(expected).sort())
    for (const [key, value] of Object.entries(expected)) {
      expectMatches((actual as Record<string, unknown>)[key], value, `${path}.${key}`)
    }
  } else {
    expect(actual, path).toBe(expected)
  }
}

describe('golden vectors from Python msgpack-numpy', () => {
  it('has every kind of case the design lists', () => {
    expect(Object.keys(vectors.cases).length).toBeGreaterThanOrEqual(11)
  })

  for (const [name, vector] of Object.entries(vectors.cases)) {
    it(`decodes ${name}`, () => {
      expectMatches(msgpackCodec.decode(Buffer.from(vector.hex, 'hex')), vector.decoded, name)
    })
  }

  // Re-encoding gives Python's exact bytes for each little-endian array Python wrote. Left out:
  // - f8_be_1d: decodes to native order, so it comes back '<f8' (the same numbers, other bytes);
  // - scalar_i4: a numpy scalar becomes a plain number, which travels as a msgpack int;
  // - mixed: its '<f2' array widens into Float32Array, which goes back as '<f4';
  // - u1_1d, b1_1d: these decode to a Uint8Array, which switchboard sends as bytes (bin), so
  //   they are re-sent as NDArrays with the matching dtype instead (second test below).
  const EXACT = ['f8_1d', 'i4_1d', 'f8_2x3', 'f4_empty', 'i8_0d', 'f8_noncontig']
  // Every single-array case is the dict {'v': array}: fixmap(1), str 'v', then the array map.
  const WRAPPER = '81a176'

  for (const name of EXACT) {
    it(`re-encodes ${name} to Python's bytes`, () => {
      const vector = vectors.cases[name]
      if (vector === undefined) throw new Error(`missing case ${name}`)
      expect(vector.hex.startsWith(WRAPPER)).toBe(true)
      const decoded = msgpackCodec.decode(Buffer.from(vector.hex, 'hex')) as { v: unknown }
      expect(toHex(msgpackCodec.encode(decoded.v))).toBe(vector.hex.slice(WRAPPER.length))
      // msgpackr writes every object as a map16 ('de 00 01'), where Python writes a fixmap;
      // both read the same everywhere, only the header differs.
      expect(toHex(msgpackCodec.encode(decoded))).toBe(`de0001${vector.hex.slice(2)}`)
    })
  }

  it('re-encodes the |u1 and |b1 cases to Python bytes when sent as NDArrays', () => {
    const u1 = vectors.cases.u1_1d
    const b1 = vectors.cases.b1_1d
    if (u1 === undefined || b1 === undefined) throw new Error('missing u1_1d or b1_1d')
    const u1Data = (msgpackCodec.decode(Buffer.from(u1.hex, 'hex')) as { v: Uint8Array }).v
    const b1Data = (msgpackCodec.decode(Buffer.from(b1.hex, 'hex')) as { v: Uint8Array }).v
    expect(toHex(msgpackCodec.encode(new NDArray({ shape: [u1Data.length], data: u1Data })))).toBe(
      u1.hex.slice(WRAPPER.length),
    )
    expect(
      toHex(msgpackCodec.encode(new NDArray({ shape: [b1Data.length], data: b1Data, dtype: '|b1' }))),
    ).toBe(b1.hex.slice(WRAPPER.length))
  })

  it('is described by the README as it is tested: the same exact cases, every other case named', () => {
    const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8')
    const exact =
      /\*\*Re-encoding exactly\*\*:\s+the\s+arrays\s+of\s+([^;]*?) encode back to Python's bytes/.exec(readme)
    expect([...(exact?.[1] ?? '').matchAll(/`(\w+)`/g)].map((m) => m[1])).toEqual(EXACT)
    expect(readme).toContain(`The tests hold switchboard to the ${Object.keys(vectors.cases).length} cases`)
    for (const name of Object.keys(vectors.cases)) expect(readme).toContain(`\`${name}\``)
  })
})
