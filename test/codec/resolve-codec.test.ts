import { describe, expect, it } from 'vitest'
import type { Codec } from '../../src/codec/codec.js'
import { jsonCodec } from '../../src/codec/json.js'
import { msgpackCodec } from '../../src/codec/msgpack.js'
import { rawCodec } from '../../src/codec/raw.js'
import { resolveCodec } from '../../src/codec/resolve-codec.js'
import { InvalidArgumentError } from '../../src/errors.js'

describe('resolveCodec', () => {
  it('defaults to msgpack', () => {
    expect(resolveCodec(undefined)).toBe(msgpackCodec)
  })

  it('finds the built-in codecs by name', () => {
    expect(resolveCodec('msgpack')).toBe(msgpackCodec)
    expect(resolveCodec('json')).toBe(jsonCodec)
    expect(resolveCodec('raw')).toBe(rawCodec)
  })

  it('returns a custom codec as is', () => {
    const custom: Codec = { name: 'upper', encode: () => new Uint8Array(0), decode: () => 'x' }
    expect(resolveCodec(custom)).toBe(custom)
  })

  it('refuses an unknown name, listing the valid ones', () => {
    const attempt = () => resolveCodec('yaml' as never)
    expect(attempt).toThrow(InvalidArgumentError)
    expect(attempt).toThrow(/"yaml".*msgpack, json, raw/)
    expect(() => resolveCodec('toString' as never)).toThrow(InvalidArgumentError)
  })

  it('refuses an object that is not a codec', () => {
    const notCodecs = [
      { name: 'x', encode: () => new Uint8Array(0) },
      { name: 'x', decode: () => 1 },
      { encode: () => new Uint8Array(0), decode: () => 1 },
      { name: 'x', encode: 'no', decode: () => 1 },
      null,
      42,
    ]
    for (const value of notCodecs) {
      expect(() => resolveCodec(value as never), JSON.stringify(value)).toThrow(InvalidArgumentError)
    }
  })
})
