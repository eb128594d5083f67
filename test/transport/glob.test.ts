import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { channelBytes, compileGlob, isGlobPattern } from '../../src/transport/glob.js'
import { ANY, type ParsedGlob, parseGlob, SET, STAR } from '../../src/transport/glob-parse.js'
import { GLOB_RULES } from './glob-rules.js'

const matches = (pattern: string, channel: string): boolean => compileGlob(pattern)(channelBytes(channel))

/**
 * The textbook meaning of a glob over tokens, by dynamic programming: tokens i… match bytes p… .
 * Slow and obviously right, it checks the segment search (leftmost placement, Shift-And) of
 * compileGlob; the grammar itself is checked against a real Redis in the differential test.
 */
function reference({ tokens, sets, byteLength }: ParsedGlob, channel: Uint8Array): boolean {
  const n = channel.length
  if (n === 0) return byteLength === 0
  const accepts = (token: number, byte: number): boolean =>
    token < ANY ? token === byte : token === ANY || sets[token - SET + byte] === 1
  let after = new Uint8Array(n + 1)
  after[n] = 1
  for (let i = tokens.length - 1; i >= 0; i--) {
    const token = tokens[i] as number
    const here = new Uint8Array(n + 1)
    for (let p = n; p >= 0; p--) {
      const ok =
        token === STAR
          ? after[p] === 1 || (p < n && here[p + 1] === 1)
          : p < n && accepts(token, channel[p] as number) && after[p + 1] === 1
      here[p] = ok ? 1 : 0
    }
    after = here
  }
  return after[0] === 1
}

const text = (alphabet: string[], maxLength: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...alphabet), { maxLength }).map((parts) => parts.join(''))

describe('Redis glob matching', () => {
  for (const { rule, cases } of GLOB_RULES) {
    it(rule, () => {
      for (const [pattern, channel, expected] of cases) {
        expect(matches(pattern, channel), `${pattern.slice(0, 40)} ~ ${channel.slice(0, 40)}`).toBe(expected)
      }
    })
  }

  it('agrees with the textbook meaning on random patterns of every glob character', () => {
    const glob = ['*', '?', '[', ']', '^', '-', '\\', 'a', 'b', 'é', '😀']
    fc.assert(
      fc.property(text(glob, 12), text(['a', 'b', ']', '-', '\\', 'é', '😀'], 10), (pattern, channel) => {
        const bytes = channelBytes(channel)
        expect(compileGlob(pattern)(bytes)).toBe(reference(parseGlob(channelBytes(pattern)), bytes))
      }),
      { numRuns: 3000 },
    )
  })

  it('agrees with it on long segments between stars, searched bit-parallel (over 16 and 32 tokens)', () => {
    // Each token comes with bytes it matches, so that about half the channels match, then one byte
    // of the channel may change: a search that finds too little or too much both show.
    const piece = (glob: string, bytes: fc.Arbitrary<string>) => bytes.map((channel) => ({ glob, channel }))
    const ab = fc.constantFrom('a', 'b')
    const token = fc.oneof(
      { weight: 12, arbitrary: fc.oneof(piece('a', fc.constant('a')), piece('b', fc.constant('b'))) },
      { weight: 3, arbitrary: fc.oneof(piece('?', ab), piece('[ab]', ab), piece('[^b]', fc.constant('a'))) },
      { weight: 1, arbitrary: piece('*', text(['a', 'b'], 6)) },
    )
    const pair = fc
      .tuple(fc.array(token, { minLength: 20, maxLength: 90 }), fc.nat(), fc.boolean())
      .map(([pieces, at, change]) => {
        const channel = pieces.map((p) => p.channel).join('')
        const i = at % Math.max(channel.length, 1)
        const changed = `${channel.slice(0, i)}${channel[i] === 'a' ? 'b' : 'a'}${channel.slice(i + 1)}`
        return { glob: `*${pieces.map((p) => p.glob).join('')}*`, channel: change ? changed : channel }
      })
    let matched = 0
    fc.assert(
      fc.property(pair, ({ glob, channel }) => {
        const bytes = channelBytes(channel)
        const expected = reference(parseGlob(channelBytes(glob)), bytes)
        if (expected) matched += 1
        expect(compileGlob(glob)(bytes)).toBe(expected)
      }),
      { numRuns: 500 },
    )
    expect(matched).toBeGreaterThan(100)
  })

  it('finds a long segment that does fit (so the bit-parallel search is not vacuously false)', () => {
    const segment = `${'a'.repeat(40)}b${'a'.repeat(30)}`
    expect(matches(`x*${segment}*y`, `x${'a'.repeat(500)}${segment}y`)).toBe(true)
    expect(matches(`x*${segment}*y`, `x${'a'.repeat(500)}${segment.slice(0, -1)}y`)).toBe(false)
  })

  it('stays linear on hostile pairs: each of these answers without backtracking', () => {
    const long = 'a'.repeat(100_000)
    // No duration is asserted: the per-test timeout bounds these, where backtracking would not end.
    expect(matches('*a*a*a*a*b', long)).toBe(false)
    expect(matches('*a*a*a*a*b', `${long}b`)).toBe(true)
    expect(matches(`*${'a*'.repeat(500)}b`, long)).toBe(false)
    expect(matches(`*${'a'.repeat(500)}b*`, long)).toBe(false)
    expect(matches(`*${'?'.repeat(500)}b*`, long)).toBe(false)
  })

  it('matches the bytes node sends for a name that is not well-formed UTF-16 (U+FFFD)', () => {
    expect([...channelBytes('\uD800')]).toEqual([0xef, 0xbf, 0xbd])
    expect(compileGlob('\uD800*')(channelBytes('\uFFFDx'))).toBe(true)
  })

  it('tells patterns from plain names', () => {
    expect(isGlobPattern('user:*')).toBe(true)
    expect(isGlobPattern('a?')).toBe(true)
    expect(isGlobPattern('a[b]')).toBe(true)
    expect(isGlobPattern('orders.updates')).toBe(false)
    expect(isGlobPattern('a\\b')).toBe(false)
    expect(isGlobPattern('é😀')).toBe(false)
  })
})
