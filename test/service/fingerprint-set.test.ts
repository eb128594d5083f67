import { describe, expect, test } from 'vitest'
import { Fingerprinter, FingerprintSet, fingerprint } from '../../src/service/fingerprint-set.js'

describe('FingerprintSet (pure)', () => {
  test('holds what was added, and nothing else, up to its capacity', () => {
    const set = new FingerprintSet(50_000)
    const key = (i: number) =>
      fingerprint(`caller:6f1c0b2e-77aa-4d6c-9d2e-3b1f0c9a${i % 7}`, i.toString(16).padStart(12, '0'))
    for (let i = 0; i < 50_000; i++) expect(set.add(key(i))).toBe(true)
    expect(set.size).toBe(50_000)
    expect(set.add(key(7))).toBe(false)
    let found = 0
    let strays = 0
    for (let i = 0; i < 50_000; i++) if (set.has(key(i))) found++
    for (let i = 50_000; i < 150_000; i++) if (set.has(key(i))) strays++
    expect(found).toBe(50_000)
    expect(strays).toBe(0)
    // Full: a new key is refused rather than filling the table past its probing bound.
    expect(set.add(fingerprint('caller', 'one more'))).toBe(false)
    expect(set.has(fingerprint('caller', 'one more'))).toBe(false)
  })

  test('clear() empties it; empty and non-ASCII parts are keys like any other; parts never run together', () => {
    const set = new FingerprintSet(8)
    const keys = [fingerprint('', ''), fingerprint('é', '\u{1F600}'), fingerprint('ab', 'c')]
    for (const key of keys) set.add(key)
    expect(keys.every((key) => set.has(key))).toBe(true)
    expect(set.has(fingerprint('a', 'bc'))).toBe(false)
    expect(set.has(fingerprint('e', '\u{1F600}'))).toBe(false)
    set.clear()
    expect(set.size).toBe(0)
    expect(set.has(fingerprint('', ''))).toBe(false)
  })
})

describe('Fingerprinter', () => {
  test('gives what a fresh fingerprint gives, whichever reply channel came before', () => {
    const fingerprints = new Fingerprinter()
    const pairs: [string, string][] = [
      ['caller:a', '1'],
      ['caller:a', '2'],
      ['caller:b', '1'],
      ['', '1'],
      ['caller:a', '1'],
      ['caller:ab', ''],
      ['caller:a', 'b'],
    ]
    for (const [replyTo, requestId] of pairs) {
      expect(fingerprints.of(replyTo, requestId)).toEqual(fingerprint(replyTo, requestId))
    }
    expect(fingerprints.of('caller:ab', '')).not.toEqual(fingerprints.of('caller:a', 'b'))
  })
})
