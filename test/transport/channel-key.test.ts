import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '../../src/errors.js'
import {
  channelKey,
  isNotUtf8,
  keyBytes,
  keyName,
  keyOfBytes,
  keyText,
  nameText,
  releasedKey,
  showKey,
} from '../../src/transport/channel-key.js'
import { isGlobPattern } from '../../src/transport/glob.js'

const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8')

/**
 * Bytes that are often not UTF-8, and near one another: continuation bytes alone, a lead byte
 * cut short, an encoded surrogate (ED A0 80), é split (C3 A9), U+FFFD itself (EF BF BD), glob
 * characters and letters.
 */
const nearBytes = fc
  .array(
    fc.constantFrom(0x80, 0x81, 0xbf, 0xc3, 0xa9, 0xed, 0xa0, 0xef, 0xbd, 0xff, 0x2a, 0x3f, 0x61, 0x00),
    {
      maxLength: 6,
    },
  )
  .map((bytes) => Uint8Array.from(bytes))
const anyBytes = fc.oneof(nearBytes, fc.uint8Array({ maxLength: 12 }))

describe('channel keys: one string per byte sequence', () => {
  it('give back the exact bytes they were made from', () => {
    fc.assert(
      fc.property(anyBytes, (bytes) => {
        expect([...keyBytes(keyOfBytes(bytes))]).toEqual([...bytes])
        expect([...Buffer.from(keyName(keyOfBytes(bytes)))]).toEqual([...bytes])
      }),
      { numRuns: 2000 },
    )
  })

  it('are equal exactly when the bytes are', () => {
    fc.assert(
      fc.property(anyBytes, anyBytes, (a, b) => {
        expect(keyOfBytes(a) === keyOfBytes(b)).toBe(Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0)
      }),
      { numRuns: 5000 },
    )
    // Different bytes that read as the same text (U+FFFD) still have different keys.
    const lossy = [[0x80], [0x81], [0xef, 0xbf, 0xbd], [0xff]].map((b) => keyOfBytes(Uint8Array.from(b)))
    expect(new Set(lossy).size).toBe(4)
    expect(new Set(lossy.map(keyText)).size).toBe(1)
  })

  it('of a well-formed string is the string itself, and so is the key of its UTF-8 bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 12 }), (text) => {
        expect(channelKey(text)).toBe(text)
        expect(keyOfBytes(utf8(text))).toBe(text)
        expect(isNotUtf8(text)).toBe(false)
        expect(keyText(text)).toBe(text)
      }),
      { numRuns: 2000 },
    )
    expect(keyOfBytes(utf8('\uFFFD'))).toBe('\uFFFD')
  })

  it('reads part of a buffer, as the RESP reader hands it', () => {
    const frame = Buffer.from([0x24, 0x80, 0x81, 0x0d])
    expect(keyOfBytes(frame, 1, 3)).toBe(keyOfBytes(Uint8Array.from([0x80, 0x81])))
    expect(keyOfBytes(Buffer.from('xcafé\r'), 1, 6)).toBe('café')
  })

  it('cannot be forged from text: a name with a lone surrogate is refused, not taken for bytes', () => {
    const bytesKey = keyOfBytes(Uint8Array.from([0x80]))
    expect(isNotUtf8(bytesKey)).toBe(true)
    expect(() => channelKey(bytesKey)).toThrow(InvalidArgumentError)
    expect(() => channelKey('orders:\uD800')).toThrow(InvalidArgumentError)
    // Letting go of such a name is a no-op, as it cannot have been subscribed.
    expect(releasedKey(bytesKey)).toBeUndefined()
    expect(releasedKey(Uint8Array.from([0x80]))).toBe(bytesKey)
  })

  it('keep glob characters visible, so that bytes with * ? [ are patterns as text is', () => {
    expect(isGlobPattern(keyOfBytes(Uint8Array.from([0x80, 0x2a])))).toBe(true)
    expect(isGlobPattern(keyOfBytes(Uint8Array.from([0xff, 0x3f])))).toBe(true)
    expect(isGlobPattern(keyOfBytes(Uint8Array.from([0x80, 0x5b, 0x5d])))).toBe(true)
    expect(isGlobPattern(keyOfBytes(Uint8Array.from([0x80, 0x81, 0x82])))).toBe(false)
  })

  it('show bytes that are not UTF-8 as \\xNN in messages, and as U+FFFD in text', () => {
    const key = keyOfBytes(Uint8Array.from([0x6a, 0x3a, 0x80, 0x5c, 0x0a]))
    expect(showKey(key)).toBe('j:\\x80\\x5c\\x0a')
    expect(keyText(key)).toBe('j:\uFFFD\\\n')
    expect(nameText(Uint8Array.from([0x80]))).toBe('\uFFFD')
    expect(nameText('é')).toBe('é')
  })
})
