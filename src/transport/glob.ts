import { parseGlob, STAR } from './glob-parse.js'
import { type Segment, segment } from './glob-segment.js'

/**
 * Redis glob matching, exactly as Redis 7.0 matches a PSUBSCRIBE pattern or PUBSUB CHANNELS: over
 * the UTF-8 bytes of pattern and channel (`?` is one byte, so it never matches `é`), with the
 * grammar of glob-parse.ts, and with Redis's edge cases:
 * - only the empty pattern matches the empty channel (`*` does not);
 * - a pattern with more than 1001 stars (runs of `*`), or 1001 of which the last is not the
 *   pattern's end, matches nothing: Redis gives up past that depth of recursion.
 *
 * Redis backtracks (bounded since 7.0 to O(channel × pattern)); this matcher does not. Stars cut
 * the pattern into fixed-width segments: the first must start the channel, the last must end it,
 * and each one between goes at its leftmost place after the one before, which is where it leaves
 * the most room for the rest. The places tried for one segment never overlap those of the next,
 * so each channel byte costs a bounded number of steps (at most 16, or one per 32 tokens of a
 * wider segment: see glob-segment.ts): linear in the channel. `*a*a*a*a*b` against 200 bytes is
 * a few hundred steps, where the old RegExp took 26 s.
 */

/** Tells whether a channel, given as its UTF-8 bytes, matches the pattern. */
export type GlobMatcher = (channel: Uint8Array) => boolean

/** Beyond this many stars Redis's recursion stops, and the pattern matches nothing. */
const MAX_STARS = 1001

const GLOB_CHARS = /[*?[]/

/**
 * True when the name holds a glob character, so that switchboard treats it as a pattern. UTF-8
 * writes `*`, `?` and `[` only as themselves (every byte of a multi-byte character is 0x80 or
 * more), so looking at the string's characters finds what Redis would find in its bytes. The
 * same holds for a channel key (channel-key.ts) of bytes that are not UTF-8: one character per
 * byte, after a mark that is no glob character.
 */
export function isGlobPattern(name: string): boolean {
  return GLOB_CHARS.test(name)
}

/** The bytes Redis sees for a name, as node's clients send it: UTF-8. */
export function channelBytes(name: string): Uint8Array {
  return Buffer.from(name, 'utf8')
}

/**
 * A compiled matcher for one pattern, given as text (matched as its UTF-8 bytes) or as its exact
 * bytes; read once, as a pattern is matched far more often than made.
 */
export function compileGlob(pattern: string | Uint8Array): GlobMatcher {
  const { tokens, sets, byteLength } = parseGlob(
    typeof pattern === 'string' ? channelBytes(pattern) : pattern,
  )
  if (byteLength === 0) return (channel) => channel.length === 0
  if (isDead(tokens)) return () => false
  const segments = splitAtStars(tokens).map((run) => segment(run, sets))
  const head = segments[0] as Segment
  if (segments.length === 1) {
    return (channel) => channel.length === head.width && head.matchesAt(channel, 0)
  }
  const tail = segments[segments.length - 1] as Segment
  const middle = segments.slice(1, -1)
  const fixed = head.width + tail.width
  return (channel) => {
    const n = channel.length
    if (n === 0 || n < fixed) return false
    if (!head.matchesAt(channel, 0) || !tail.matchesAt(channel, n - tail.width)) return false
    const end = n - tail.width
    let from = head.width
    for (const run of middle) {
      const at = run.leftmost(channel, from, end)
      if (at < 0) return false
      from = at + run.width
    }
    return true
  }
}

/** Redis's recursion limit: see MAX_STARS. A star that ends the pattern matches without recursing. */
function isDead(tokens: readonly number[]): boolean {
  let stars = 0
  for (const token of tokens) if (token === STAR) stars += 1
  return stars > MAX_STARS || (stars === MAX_STARS && tokens[tokens.length - 1] !== STAR)
}

/** The star-free runs of tokens: before the first star, between stars, after the last (maybe empty). */
function splitAtStars(tokens: readonly number[]): number[][] {
  const runs: number[][] = [[]]
  for (const token of tokens) {
    if (token === STAR) runs.push([])
    else runs[runs.length - 1]?.push(token)
  }
  return runs
}
