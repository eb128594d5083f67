import { describe, expect, it } from 'vitest'
import { jsonCodec } from '../../src/codec/json.js'
import { NDArray } from '../../src/codec/ndarray.js'
import { EncodeError, MalformedMessageError } from '../../src/errors.js'

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8')
const decodeText = (json: string): unknown => jsonCodec.decode(Buffer.from(json, 'utf8'))
const roundTrip = (value: unknown): unknown => jsonCodec.decode(jsonCodec.encode(value))

describe('jsonCodec: plain JSON', () => {
  it('is named json and writes UTF-8 JSON', () => {
    expect(jsonCodec.name).toBe('json')
    expect(text(jsonCodec.encode({ a: 1, b: 'é✓', c: [true, null] }))).toBe(
      '{"a":1,"b":"é✓","c":[true,null]}',
    )
    expect(decodeText('{"a":1,"b":"é✓","c":[true,null]}')).toEqual({ a: 1, b: 'é✓', c: [true, null] })
  })

  it('round-trips what Daebus sends', () => {
    const envelope = {
      action: 'get',
      payload: { id: 7 },
      reply_to: 'caller:1',
      request_id: 'r1',
      service: 's',
    }
    expect(roundTrip(envelope)).toEqual(envelope)
  })

  it('leaves objects with a __type__ key of their own alone', () => {
    expect(decodeText('{"__type__":"user","name":"x"}')).toEqual({ __type__: 'user', name: 'x' })
    expect(decodeText('{"__type__":"int","__data__":5,"extra":1}')).toEqual({
      __type__: 'int',
      __data__: 5,
      extra: 1,
    })
    expect(decodeText('{"__type__":"unknown","__data__":5}')).toEqual({ __type__: 'unknown', __data__: 5 })
  })

  it('refuses invalid JSON and invalid UTF-8 with MalformedMessageError', () => {
    for (const bytes of [
      Buffer.from('{"a":'),
      Buffer.from(''),
      Buffer.from('NaN'),
      Uint8Array.of(0x22, 0xff, 0x22),
    ]) {
      expect(() => jsonCodec.decode(bytes)).toThrow(MalformedMessageError)
    }
    try {
      jsonCodec.decode(Buffer.from('{oops'))
    } catch (error) {
      expect((error as MalformedMessageError).preview).toEqual(Buffer.from('{oops'))
    }
  })
})

describe('jsonCodec: Redis Toolkit tagged JSON', () => {
  it('decodes the scalar tags, keeping 0 and 1 as numbers', () => {
    expect(decodeText('{"__type__": "int", "__data__": 5}')).toBe(5)
    expect(decodeText('{"__type__": "int", "__data__": 1}')).toBe(1)
    expect(decodeText('{"__type__": "int", "__data__": 0}')).toBe(0)
    expect(decodeText('{"__type__": "float", "__data__": 2.5}')).toBe(2.5)
    expect(decodeText('{"__type__": "bool", "__data__": false}')).toBe(false)
    expect(decodeText('{"__type__": "str", "__data__": "hi"}')).toBe('hi')
  })

  it('decodes the bare __NONE__ marker as null, but not the JSON string', () => {
    expect(jsonCodec.decode(Buffer.from('__NONE__'))).toBeNull()
    expect(decodeText('"__NONE__"')).toBe('__NONE__')
  })

  it('decodes bytes and bytearray from base64, also nested in containers', () => {
    expect(decodeText('{"__type__": "bytes", "__data__": "AAH/"}')).toEqual(Uint8Array.of(0, 1, 255))
    expect(decodeText('{"__type__": "bytearray", "__data__": ""}')).toEqual(new Uint8Array(0))
    const nested =
      '{"__type__": "dict", "__data__": {"k": {"__type__": "bytes", "__data__": "aGk="}, "n": 1}}'
    expect(decodeText(nested)).toEqual({ k: Uint8Array.from(Buffer.from('hi')), n: 1 })
    const list = '{"__type__": "tuple", "__data__": [1, {"__type__": "bytes", "__data__": "aGk="}]}'
    expect(decodeText(list)).toEqual([1, Uint8Array.from(Buffer.from('hi'))])
    expect(decodeText('{"__type__": "list", "__data__": []}')).toEqual([])
  })

  it('decodes numpy tags as Redis Toolkit writes them', () => {
    const f8 = '{"__type__": "numpy", "__dtype__": "float64", "__shape__": [3], "__data__": [1.5, -2.0, 0.0]}'
    expect(decodeText(f8)).toEqual(new Float64Array([1.5, -2, 0]))
    const i4 =
      '{"__type__": "numpy", "__dtype__": "int32", "__shape__": [2, 2], "__data__": [[1, 2], [3, -4]]}'
    expect(decodeText(i4)).toEqual(new NDArray({ shape: [2, 2], data: new Int32Array([1, 2, 3, -4]) }))
    const bools = '{"__type__": "numpy", "__dtype__": "bool", "__shape__": [2], "__data__": [true, false]}'
    expect(decodeText(bools)).toEqual(Uint8Array.of(1, 0))
    const i8 = '{"__type__": "numpy", "__dtype__": "int64", "__shape__": [], "__data__": 7}'
    expect(decodeText(i8)).toEqual(new NDArray({ shape: [], data: new BigInt64Array([7n]) }))
    const f2 = '{"__type__": "numpy", "__dtype__": "float16", "__shape__": [1], "__data__": [0.5]}'
    expect(decodeText(f2)).toEqual(new Float32Array([0.5]))
    const be = '{"__type__": "numpy", "__dtype__": ">u2", "__shape__": [1], "__data__": [513]}'
    expect(decodeText(be)).toEqual(new Uint16Array([513]))
    const nested = `{"frame": ${f8}, "list": [${bools}]}`
    expect(decodeText(nested)).toEqual({ frame: new Float64Array([1.5, -2, 0]), list: [Uint8Array.of(1, 0)] })
  })

  it('refuses malformed tags', () => {
    const bad = {
      'int that is not an integer': '{"__type__": "int", "__data__": 1.5}',
      'str holding a number': '{"__type__": "str", "__data__": 1}',
      'invalid base64': '{"__type__": "bytes", "__data__": "a$b="}',
      'unknown dtype': '{"__type__": "numpy", "__dtype__": "complex128", "__shape__": [1], "__data__": [1]}',
      'object dtype': '{"__type__": "numpy", "__dtype__": "object", "__shape__": [1], "__data__": [1]}',
      'data shorter than shape':
        '{"__type__": "numpy", "__dtype__": "int8", "__shape__": [3], "__data__": [1, 2]}',
      'ragged data':
        '{"__type__": "numpy", "__dtype__": "int8", "__shape__": [2, 2], "__data__": [[1, 2], [3]]}',
      'value out of range': '{"__type__": "numpy", "__dtype__": "int8", "__shape__": [1], "__data__": [300]}',
      'fraction in an int array':
        '{"__type__": "numpy", "__dtype__": "int32", "__shape__": [1], "__data__": [1.5]}',
      'string in a float array':
        '{"__type__": "numpy", "__dtype__": "float32", "__shape__": [1], "__data__": ["1"]}',
    }
    for (const [label, json] of Object.entries(bad)) {
      expect(() => decodeText(json), label).toThrow(MalformedMessageError)
    }
  })
})

describe('jsonCodec: encoding binary data the way Redis Toolkit does', () => {
  it('writes a TypedArray as a numpy tag and reads it back', () => {
    const bytes = jsonCodec.encode({ v: new Float64Array([1.5, 2]) })
    expect(text(bytes)).toBe(
      '{"v":{"__type__":"numpy","__dtype__":"float64","__shape__":[2],"__data__":[1.5,2]}}',
    )
    expect(jsonCodec.decode(bytes)).toEqual({ v: new Float64Array([1.5, 2]) })
  })

  it('round-trips every TypedArray and NDArray', () => {
    const values = [
      new Float32Array([0.5, -1]),
      new Int32Array([-5, 6]),
      new Int16Array([7]),
      new Int8Array([-8]),
      new Uint32Array([2 ** 32 - 1]),
      new Uint16Array([9]),
      new BigInt64Array([-(2n ** 53n) + 1n, 3n]),
      new BigUint64Array([2n ** 53n - 1n]),
      new NDArray({ shape: [2, 3], data: new Float64Array([1, 2, 3, 4, 5, 6]) }),
      new NDArray({ shape: [], data: new Int16Array([4]) }),
      new NDArray({ shape: [2, 1], data: Uint8Array.of(1, 0), dtype: '|b1' }),
    ]
    for (const value of values) expect(roundTrip(value)).toEqual(value)
    // a 1-D uint8 array arrives as a bare Uint8Array, like any 1-D array
    expect(roundTrip(new NDArray({ shape: [2], data: Uint8Array.of(1, 200) }))).toEqual(Uint8Array.of(1, 200))
    expect(text(jsonCodec.encode(values[8]))).toBe(
      '{"__type__":"numpy","__dtype__":"float64","__shape__":[2,3],"__data__":[[1,2,3],[4,5,6]]}',
    )
    expect(text(jsonCodec.encode(values[10]))).toBe(
      '{"__type__":"numpy","__dtype__":"bool","__shape__":[2,1],"__data__":[[true],[false]]}',
    )
  })

  it('writes Uint8Array and Buffer as a bytes tag', () => {
    expect(text(jsonCodec.encode(Uint8Array.of(0, 1, 255)))).toBe('{"__type__":"bytes","__data__":"AAH/"}')
    expect(text(jsonCodec.encode({ b: Buffer.from('hi') }))).toBe(
      '{"b":{"__type__":"bytes","__data__":"aGk="}}',
    )
    expect(roundTrip({ b: Buffer.from('hi') })).toEqual({ b: Uint8Array.from(Buffer.from('hi')) })
  })

  it('writes NaN in a float array as null and reads it back as NaN; refuses infinities', () => {
    const bytes = jsonCodec.encode(new Float64Array([1, Number.NaN]))
    expect(text(bytes)).toContain('"__data__":[1,null]')
    const back = jsonCodec.decode(bytes) as Float64Array
    expect(back[0]).toBe(1)
    expect(back[1]).toBeNaN()
    expect(() => jsonCodec.encode(new Float32Array([Number.POSITIVE_INFINITY]))).toThrow(EncodeError)
  })

  it('writes Map as an object, Set as a list, and a safe bigint as a number', () => {
    expect(text(jsonCodec.encode({ m: new Map([['a', 1]]), s: new Set([1, 2]), n: 5n }))).toBe(
      '{"m":{"a":1},"s":[1,2],"n":5}',
    )
  })

  it('encodes top-level undefined as null and Dates as ISO strings', () => {
    expect(text(jsonCodec.encode(undefined))).toBe('null')
    expect(text(jsonCodec.encode({ at: new Date(0) }))).toBe('{"at":"1970-01-01T00:00:00.000Z"}')
  })

  it('refuses what JSON cannot carry with EncodeError', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    const bad = {
      function: () => 1,
      'nested function': { a: { f() {} } },
      symbol: Symbol('s'),
      'nested symbol': [Symbol('s')],
      'huge bigint': { n: 2n ** 60n },
      'huge int64 in an array': new BigInt64Array([2n ** 60n]),
      cycle: cyclic,
    }
    for (const [label, value] of Object.entries(bad)) {
      expect(() => jsonCodec.encode(value), label).toThrow(EncodeError)
    }
  })
})
