import { describe, expect, test } from 'vitest'
import { FingerprintSet } from '../../src/service/fingerprint-set.js'

describe('FingerprintSet (pure)', () => {
  test('holds what was added, and nothing else, up to its capacity', () => {
    const set = new FingerprintSet(50_000)
    const key = (i: number) =>
      `caller:6f1c0b2e-77aa-4d6c-9d2e-3b1f0c9a${i}\n${i.toString(16).padStart(12, '0')}`
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
    expect(set.add('one more')).toBe(false)
    expect(set.has('one more')).toBe(false)
  })

  test('clear() empties it; the empty string and non-ASCII keys are keys like any other', () => {
    const set = new FingerprintSet(4)
    for (const key of ['', 'é', '\u{1F600}', 'a\nb']) set.add(key)
    expect(['', 'é', '\u{1F600}', 'a\nb'].every((key) => set.has(key))).toBe(true)
    expect(set.has('e')).toBe(false)
    set.clear()
    expect(set.size).toBe(0)
    expect(set.has('')).toBe(false)
  })
})
