import { describe, expect, it } from 'vitest'
import { compileGlob, isGlobPattern } from '../../src/transport/glob.js'

const cases: Array<[pattern: string, matches: string[], rejects: string[]]> = [
  ['user:*', ['user:', 'user:1', 'user:a:b'], ['users:1', 'use']],
  ['h?llo', ['hello', 'hallo'], ['hllo', 'heello']],
  ['h[ae]llo', ['hello', 'hallo'], ['hillo', 'hllo']],
  ['h[^e]llo', ['hallo', 'hbllo'], ['hello', 'hllo']],
  ['h[a-b]llo', ['hallo', 'hbllo'], ['hcllo']],
  ['h[b-a]llo', ['hallo', 'hbllo'], ['hcllo']],
  ['a\\*b', ['a*b'], ['axb', 'a\\*b']],
  ['a[\\]]b', ['a]b'], ['a\\b']],
  ['a.b', ['a.b'], ['axb']],
  ['(x)+', ['(x)+'], ['xx']],
  ['*', ['', 'anything'], []],
]

describe('Redis glob matching', () => {
  for (const [pattern, matches, rejects] of cases) {
    it(`${pattern} matches ${matches.join(', ') || 'nothing listed'} and rejects ${rejects.join(', ') || 'nothing'}`, () => {
      const match = compileGlob(pattern)
      for (const name of matches) expect(match(name), `${pattern} ~ ${name}`).toBe(true)
      for (const name of rejects) expect(match(name), `${pattern} !~ ${name}`).toBe(false)
    })
  }

  it('tells patterns from plain names', () => {
    expect(isGlobPattern('user:*')).toBe(true)
    expect(isGlobPattern('a?')).toBe(true)
    expect(isGlobPattern('a[b]')).toBe(true)
    expect(isGlobPattern('orders.updates')).toBe(false)
  })
})
