import { deepStrictEqual } from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import type { Codec } from '../../src/codec/codec.js'
import { jsonCodec } from '../../src/codec/json.js'
import { parsePythonJson } from '../../src/codec/json-python.js'
import { msgpackCodec } from '../../src/codec/msgpack.js'
import { rawCodec } from '../../src/codec/raw.js'
import { EncodeError, MalformedMessageError } from '../../src/errors.js'
import { fuzzProperty, serveProperties } from './fuzz-properties.js'
import { mutated, randomBytes } from './mutate.js'
import { assertPlainData } from './plain-data.js'

/**
 * Every codec's decode, fed what an attacker or a broken peer could send: it returns plain data
 * or throws MalformedMessageError, and nothing else. Run in workers by codecs-fuzz.test.ts.
 */

/** Decodes, and returns the value or the MalformedMessageError; any other throw fails the test. */
function decodeOrRefuse(
  codec: Codec,
  bytes: Uint8Array,
): { value: unknown } | { refused: MalformedMessageError } {
  try {
    return { value: codec.decode(bytes) }
  } catch (error) {
    if (error instanceof MalformedMessageError) return { refused: error }
    throw error
  }
}

// Values a sender may pass: JSON-like data, and what each codec carries beyond it.
const typedArray = fc.oneof(
  fc.float64Array({ maxLength: 8 }),
  fc.int32Array({ maxLength: 8 }),
  fc.int16Array({ maxLength: 8 }),
  fc.uint8Array({ maxLength: 8 }),
  fc.bigInt64Array({ maxLength: 4 }),
)
const leaf = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.bigInt(),
  fc.double(),
  fc.constantFrom(Number.NaN, Infinity, -Infinity),
  typedArray,
  fc.date({ noInvalidDate: true }),
)
// Map keys are what a Python dict key can be: a Map keyed by objects is written, but no one reads it.
const mapKey = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.integer(),
  fc.boolean(),
  fc.bigInt(),
  fc.date({ noInvalidDate: true }),
)
const value = fc.oneof(
  leaf,
  fc.array(leaf, { maxLength: 6 }),
  fc.dictionary(fc.string({ maxLength: 6 }), leaf, { maxKeys: 6 }),
  fc.array(fc.tuple(mapKey, leaf), { maxLength: 4 }).map((entries) => new Map(entries)),
  fc.anything({ maxDepth: 3, withSet: true, withBigInt: true, withTypedArray: true, withDate: true }),
)

/** msgpack-numpy maps as Python writes them: the golden vectors, to mutate. */
const vectors: { cases: Record<string, { hex: string }> } = JSON.parse(
  readFileSync(
    new URL('../codec/fixtures/msgpack-numpy-vectors.json', `file://${process.cwd()}/test/fuzz/`),
    'utf8',
  ),
)
const numpyBytes = fc.constantFrom(
  ...Object.values(vectors.cases).map((c) => Uint8Array.from(Buffer.from(c.hex, 'hex'))),
)

/** A value and its bytes, when the codec can encode it. */
function encodedBy(codec: Codec): fc.Arbitrary<Uint8Array> {
  return value.map((v) => {
    try {
      return codec.encode(v)
    } catch (error) {
      if (error instanceof EncodeError) return new Uint8Array(0)
      throw error
    }
  })
}

const MSGPACK_TOKENS = [
  0xc0, 0xc1, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xdc, 0xdd, 0xde, 0xdf,
  0x80, 0x81, 0x90, 0x91, 0xa1, 0xff, 0x72, 0x73, 0x74, 0x78, 0x65, 0x00, 0x42,
]

const msgpackBytes = fc.oneof(
  randomBytes(MSGPACK_TOKENS),
  mutated(encodedBy(msgpackCodec)),
  mutated(numpyBytes),
  // msgpackr's own JavaScript-only encodings, as a JS peer with its defaults would send them
  mutated(fc.constant(Uint8Array.from(Buffer.from('d4780092a75e28612b292b24a0', 'hex')))),
)

const msgpackProperties = {
  'msgpack: random and mutated bytes': fuzzProperty(
    fc.property(msgpackBytes, (b) => {
      const result = decodeOrRefuse(msgpackCodec, b)
      if ('value' in result) assertPlainData(result.value)
      else deepStrictEqual(result.refused.preview, b.subarray(0, 64))
    }),
  ),
  'msgpack: reads back what it writes': fuzzProperty(
    fc.property(value, (v) => {
      let bytes: Uint8Array
      try {
        bytes = msgpackCodec.encode(v)
      } catch (error) {
        if (error instanceof EncodeError) return
        throw error
      }
      assertPlainData(msgpackCodec.decode(bytes))
    }),
  ),
}

/** JSON text with Python's spacing, or none, or a lot. */
const jsonText = fc
  .tuple(fc.jsonValue({ maxDepth: 4 }), fc.constantFrom(undefined, 1, '\t'), fc.boolean())
  .map(([v, indent, python]) => {
    const text = JSON.stringify(v, null, indent)
    return python && indent === undefined ? text.replaceAll(',', ', ').replaceAll(':', ': ') : text
  })

/** Where JSON.parse rounds an integer, the codec gives the exact bigint: compare as numbers. */
function asNumbers(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value)
  if (Array.isArray(value)) return value.map(asNumbers)
  // Own properties, "__proto__" included, as JSON.parse makes them (see asWritten).
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, asNumbers(item)]))
  return value
}

/**
 * What JSON gives back for a value: no -0; an integer within 2^53 as a number, and one beyond it
 * as a bigint, unless JSON.stringify writes it with an exponent (from 1e21).
 */
function asWritten(value: unknown): unknown {
  if (Object.is(value, -0)) return 0
  if (typeof value === 'bigint') return value >= -(2n ** 53n) && value <= 2n ** 53n ? Number(value) : value
  if (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    Math.abs(value) > 2 ** 53 &&
    Math.abs(value) < 1e21
  )
    return BigInt(String(value)) // the digits on the wire, which is what Python reads too
  if (Array.isArray(value)) return value.map(asWritten)
  // fromEntries makes own properties, as JSON.parse does: `out[key] =` would set the prototype for
  // a "__proto__" key instead (fast-check found it).
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, asWritten(item)]))
  return value
}

const JSON_BYTES = [...'{}[],:"\\0123456789-+.eENaIfinity_ tn'].map((c) => c.charCodeAt(0))

const taggedText = fc
  .record({
    __type__: fc.constantFrom('int', 'float', 'bool', 'str', 'bytes', 'list', 'tuple', 'dict', 'numpy'),
    __data__: fc.jsonValue({ maxDepth: 2 }),
    __dtype__: fc.constantFrom('float64', 'int8', 'uint64', 'bool', '>u2', 'object', 'complex128'),
    __shape__: fc.array(fc.integer({ min: -1, max: 3 }), { maxLength: 3 }),
  })
  .map((tag) => {
    const { __dtype__, __shape__, ...plain } = tag
    return Buffer.from(JSON.stringify(tag.__type__ === 'numpy' ? tag : plain)) as Uint8Array
  })

const jsonBytes = fc.oneof(
  randomBytes(JSON_BYTES),
  mutated(jsonText.map((t) => Buffer.from(t) as Uint8Array)),
  mutated(encodedBy(jsonCodec)),
  mutated(taggedText),
  taggedText,
)

const exact = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.array(fc.oneof(fc.double(), fc.bigInt(), fc.constantFrom(Number.NaN, Infinity, -Infinity)), {
    maxLength: 8,
  }),
)

const jsonProperties = {
  'json: random and mutated bytes': fuzzProperty(
    fc.property(jsonBytes, (b) => {
      const result = decodeOrRefuse(jsonCodec, b)
      if ('value' in result) assertPlainData(result.value)
    }),
  ),
  'json: reads JSON as JSON.parse does': fuzzProperty(
    fc.property(jsonText, (text) => {
      const expected: unknown = JSON.parse(text)
      deepStrictEqual(asNumbers(jsonCodec.decode(Buffer.from(text))), expected)
      deepStrictEqual(asNumbers(parsePythonJson(text)), expected)
    }),
  ),
  'json: reads back what it writes': fuzzProperty(
    fc.property(exact, (v) => {
      deepStrictEqual(jsonCodec.decode(jsonCodec.encode(v)), asWritten(v))
    }),
    [[[JSON.parse('{"__proto__":null}')]]],
  ),
}

serveProperties({
  ...msgpackProperties,
  ...jsonProperties,
  'raw: gives back the bytes': fuzzProperty(
    fc.property(randomBytes(), (b) => {
      const decoded = rawCodec.decode(b)
      if (!Buffer.isBuffer(decoded)) throw new Error('the raw codec gave no Buffer')
      deepStrictEqual(Buffer.compare(decoded, b), 0)
    }),
  ),
})
