/**
 * Redis's glob rules as (pattern, channel, matches) cases. glob.test.ts holds the matcher to them
 * without a server; memory-redis-differential.test.ts checks every case on a real redis-server, so
 * that each expectation here is what Redis does, not what we believe it does.
 */
export interface GlobRule {
  readonly rule: string
  readonly cases: ReadonlyArray<readonly [pattern: string, channel: string, matches: boolean]>
}

const many = (text: string, times: number): string => text.repeat(times)

export const GLOB_RULES: readonly GlobRule[] = [
  {
    rule: 'bytes, not UTF-16 units: ? is one byte, é two, 😀 four',
    cases: [
      ['?', 'é', false],
      ['??', 'é', true],
      ['é', 'é', true],
      ['?', '😀', false],
      ['??', '😀', false],
      ['????', '😀', true],
      ['[é]', 'é', false],
      ['[é][é]', 'é', true],
      ['a?c', 'abc', true],
    ],
  },
  {
    rule: 'the empty channel: only the empty pattern matches it',
    cases: [
      ['*', '', false],
      ['**', '', false],
      ['?', '', false],
      ['[^]', '', false],
      ['', '', true],
      ['', 'a', false],
      ['*', 'a', true],
      ['a*', 'a', true],
      ['*a', 'a', true],
      ['a**', 'a', true],
    ],
  },
  {
    rule: '[a-] is the range ] … a (a range may end at ])',
    cases: [
      ['[a-]', ']', true],
      ['[a-]', '^', true],
      ['[a-]', '_', true],
      ['[a-]', 'a', true],
      ['[a-]', '-', false],
      ['[a-]', 'b', false],
      ['[a-]', '\\', false],
      ['[a-]x', ']', true],
      ['[a-]x', 'x', true],
      ['[a-]x', ']x', false],
    ],
  },
  {
    rule: '[a-\\z] is the range a … \\ plus z (a range may end at \\)',
    cases: [
      ['[a-\\z]', 'a', true],
      ['[a-\\z]', '\\', true],
      ['[a-\\z]', ']', true],
      ['[a-\\z]', 'z', true],
      ['[a-\\z]', 'b', false],
      ['[a-\\z]', '[', false],
    ],
  },
  {
    rule: 'ranges go either way and compare bytes as signed chars',
    cases: [
      ['h[b-a]llo', 'hallo', true],
      ['h[b-a]llo', 'hcllo', false],
      ['[a-é]', 'a', true],
      ['[a-é]', '\u0001', true],
      ['[a-é]', 'b', false],
      ['[a-é]', 'é', false],
      ['[a-é]?', 'é', true],
      ['[\u0001-é]', 'a', false],
      ['[\u0001-é]?', 'é', true],
    ],
  },
  {
    rule: 'sets: empty, negated, and unterminated',
    cases: [
      ['[]', 'a', false],
      ['[]a]', 'a]', false],
      ['[]a]', ']', false],
      ['[^]', 'a', true],
      ['[^]', 'ab', false],
      ['[', 'a', false],
      ['[', '[', false],
      ['[^', 'x', true],
      ['[abc', 'b', true],
      ['[abc', 'bc', false],
      ['a*[', 'ab', false],
      ['h[^e]llo', 'hallo', true],
      ['h[^e]llo', 'hello', false],
      ['[*]', '*', true],
      ['[*]', 'x', false],
    ],
  },
  {
    rule: 'backslash: escapes the next byte, in a set too; at the end it is itself',
    cases: [
      ['a\\*b', 'a*b', true],
      ['a\\*b', 'axb', false],
      ['a\\b', 'ab', true],
      ['a\\b', 'a\\b', false],
      ['\\', '\\', true],
      ['a\\', 'a\\', true],
      ['[\\', '\\', true],
      ['[\\', '\u0000', false],
      ['a[\\]]b', 'a]b', true],
      ['a[\\]]b', 'a\\b', false],
    ],
  },
  {
    rule: 'stars: each part between two stars takes its own bytes, never shared with the next',
    cases: [
      ['*aa*aa*', 'aaa', false],
      ['*aa*aa*', 'aaaa', true],
      ['*ab*ba*', 'aba', false],
      ['*ab*ba*', 'abba', true],
      ['a*a', 'a', false],
      ['a*a', 'aa', true],
      ['*:orders:*', 'app:orders:1', true],
      ['*:orders:*', 'app:orders', false],
    ],
  },
  {
    rule: 'past 1001 stars Redis stops recursing: the pattern matches nothing',
    cases: [
      [many('*a', 1000), many('a', 1000), true],
      [many('*a', 1001), many('a', 1001), false],
      [`${many('*a', 1000)}*`, `${many('a', 1000)}b`, true],
      [`${many('*a', 1001)}*`, `${many('a', 1001)}b`, false],
      [many('a*', 1001), many('a', 1001), true],
      [many('a*', 1002), many('a', 1002), false],
      [many('a**', 1001), many('a', 1001), true],
    ],
  },
  {
    rule: 'the pathological pattern of issue 9 (it backtracked for 26 s)',
    cases: [
      ['*a*a*a*a*b', many('a', 200), false],
      ['*a*a*a*a*b', `${many('a', 200)}b`, true],
      ['*a*a*a*a*b', `b${many('a', 199)}`, false],
    ],
  },
]
