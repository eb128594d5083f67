import { describe, expect, it } from 'vitest'
import { rawCodec } from '../../src/codec/raw.js'
import { EncodeError } from '../../src/errors.js'

describe('rawCodec', () => {
  it('is named raw', () => {
    expect(rawCodec.name).toBe('raw')
  })

  it('writes a string as UTF-8 and a Uint8Array unchanged', () => {
    expect(Array.from(rawCodec.encode('hé'))).toEqual([0x68, 0xc3, 0xa9])
    const bytes = Uint8Array.of(0, 255)
    expect(rawCodec.encode(bytes)).toBe(bytes)
  })

  it('refuses anything else with EncodeError', () => {
    for (const value of [1, null, undefined, { a: 1 }, [1], new Float64Array(1), true, 1n]) {
      expect(() => rawCodec.encode(value), String(value)).toThrow(EncodeError)
    }
  })

  it('always decodes to the bytes, as a Buffer over the same memory, whatever they hold', () => {
    const text = Uint8Array.from(Buffer.from('hello'))
    const decoded = rawCodec.decode(text)
    expect(decoded).toBeInstanceOf(Buffer)
    expect((decoded as Buffer).toString()).toBe('hello')
    expect((decoded as Buffer).buffer).toBe(text.buffer)
    const binary = Uint8Array.of(0xff, 0xfe)
    expect(Array.from(rawCodec.decode(binary) as Uint8Array)).toEqual([0xff, 0xfe])
    const offset = Buffer.from('xxabc').subarray(2)
    expect((rawCodec.decode(offset) as Buffer).toString()).toBe('abc')
  })
})
