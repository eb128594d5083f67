/**
 * Redis glob matching (the rules of Redis's stringmatchlen): `*` any run, `?` any one character,
 * `[abc]` a set, `[^a]` a negated set, `[a-z]` a range (either order), and `\x` the literal x,
 * inside or outside a set. Compiled once to a RegExp, because a pattern is matched far more often
 * than it is created.
 */

const GLOB_CHARS = /[*?[]/

/** True when the name holds a glob character, so that switchboard treats it as a pattern. */
export function isGlobPattern(name: string): boolean {
  return GLOB_CHARS.test(name)
}

function escapeForRegex(ch: string): string {
  return ch.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')
}

function compileSet(pattern: string, start: number): { source: string; end: number } {
  let i = start
  let negate = false
  if (pattern[i] === '^') {
    negate = true
    i += 1
  }
  const parts: string[] = []
  while (i < pattern.length && pattern[i] !== ']') {
    let ch = pattern[i] as string
    if (ch === '\\' && i + 1 < pattern.length) {
      i += 1
      ch = pattern[i] as string
      parts.push(escapeForRegex(ch))
    } else if (pattern[i + 1] === '-' && i + 2 < pattern.length && pattern[i + 2] !== ']') {
      let lo = ch
      let hi = pattern[i + 2] as string
      if (hi === '\\' && i + 3 < pattern.length) {
        hi = pattern[i + 3] as string
        i += 1
      }
      if (lo > hi) [lo, hi] = [hi, lo]
      parts.push(`${escapeForRegex(lo)}-${escapeForRegex(hi)}`)
      i += 2
    } else {
      parts.push(escapeForRegex(ch))
    }
    i += 1
  }
  // An empty set matches nothing, and an empty negated set matches any character, as in Redis.
  if (parts.length === 0) return { source: negate ? '[\\s\\S]' : '(?!)', end: i }
  return { source: `[${negate ? '^' : ''}${parts.join('')}]`, end: i }
}

export function globToRegExp(pattern: string): RegExp {
  let source = ''
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string
    if (ch === '*') {
      source += '[\\s\\S]*'
    } else if (ch === '?') {
      source += '[\\s\\S]'
    } else if (ch === '[') {
      const set = compileSet(pattern, i + 1)
      source += set.source
      i = set.end
    } else if (ch === '\\' && i + 1 < pattern.length) {
      i += 1
      source += escapeForRegex(pattern[i] as string)
    } else {
      source += escapeForRegex(ch)
    }
  }
  return new RegExp(`^${source}$`)
}

/** A compiled matcher for one pattern. */
export function compileGlob(pattern: string): (name: string) => boolean {
  const re = globToRegExp(pattern)
  return (name) => re.test(name)
}
