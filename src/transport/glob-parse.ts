/**
 * Reads a Redis glob pattern the way Redis 7.0's stringmatchlen (util.c) does, over the pattern's
 * bytes, into tokens that each match one byte, or a star. How Redis walks a pattern never depends
 * on the string it matches, so the pattern can be read once, and every quirk settled here:
 * - `\x` is the byte x; a `\` that ends the pattern is itself.
 * - `[` opens a set; `^` right after it negates the set. In a set, `\x` is x, and `a-b` is the
 *   range between the two bytes (either order), whatever they are: `[a-]` is the range `]`…`a`,
 *   and in `[a-\z]` the range ends at `\`, so `z` is a member of its own.
 * - Ranges compare bytes as C's signed `char` on x86-64: a byte from 0x80 up counts below 0x00,
 *   so `[a-é]` (é is 0xC3 0xA9) holds 0xC3…0xFF and 0x00…`a`, and the byte 0xA9.
 * - A set that the pattern ends before `]` closes takes the rest of the pattern as members; `[`
 *   alone is an empty set (no byte), `[^` the full one, and so is `[^]`; `[]` matches nothing.
 * - Consecutive stars are one star.
 */

/** A token that matches any run of bytes. */
export const STAR = -1
/** A token that matches any one byte (`?`). */
export const ANY = 256
/**
 * A token from SET up is a set: its members are `sets[token - SET + byte] === 1`. Tokens 0 to 255
 * are literal bytes.
 */
export const SET = 512

export interface ParsedGlob {
  /** STAR, ANY, a byte, or a set (see SET), in pattern order, with stars never adjacent. */
  readonly tokens: readonly number[]
  /** The membership tables of the sets, 256 entries each, one after another. */
  readonly sets: Uint8Array
  /** How many bytes the pattern has: only the empty pattern matches the empty channel. */
  readonly byteLength: number
}

const BACKSLASH = 0x5c
const CARET = 0x5e
const CLOSE = 0x5d
const DASH = 0x2d
const OPEN = 0x5b
const QUESTION = 0x3f
const ASTERISK = 0x2a

/** A byte as C's signed char (x86-64), which is how Redis compares range bounds. */
function signed(byte: number): number {
  return byte >= 0x80 ? byte - 0x100 : byte
}

export function parseGlob(pattern: Uint8Array): ParsedGlob {
  const tokens: number[] = []
  const tables: Uint8Array[] = []
  const end = pattern.length
  let i = 0
  while (i < end) {
    const byte = pattern[i] as number
    if (byte === ASTERISK) {
      if (tokens[tokens.length - 1] !== STAR) tokens.push(STAR)
      i += 1
    } else if (byte === QUESTION) {
      tokens.push(ANY)
      i += 1
    } else if (byte === OPEN) {
      const set = readSet(pattern, i + 1)
      tokens.push(setToken(set.members, tables))
      i = set.next
    } else if (byte === BACKSLASH && end - i >= 2) {
      tokens.push(pattern[i + 1] as number)
      i += 2
    } else {
      tokens.push(byte)
      i += 1
    }
  }
  const sets = new Uint8Array(tables.length * 256)
  for (const [k, table] of tables.entries()) sets.set(table, k * 256)
  return { tokens, sets, byteLength: end }
}

/** Reads a set whose members start at `start` (after the `[`); `next` is where the pattern resumes. */
function readSet(pattern: Uint8Array, start: number): { members: Uint8Array; next: number } {
  const end = pattern.length
  const members = new Uint8Array(256)
  let i = start
  const negate = i < end && pattern[i] === CARET
  if (negate) i += 1
  while (i < end) {
    const byte = pattern[i] as number
    if (byte === BACKSLASH && end - i >= 2) {
      members[pattern[i + 1] as number] = 1
      i += 2
    } else if (byte === CLOSE) {
      i += 1
      break
    } else if (end - i >= 3 && pattern[i + 1] === DASH) {
      let low = signed(byte)
      let high = signed(pattern[i + 2] as number)
      if (low > high) [low, high] = [high, low]
      for (let c = low; c <= high; c++) members[c & 0xff] = 1
      i += 3
    } else {
      members[byte] = 1
      i += 1
    }
  }
  if (negate) for (let b = 0; b < 256; b++) members[b] = members[b] === 1 ? 0 : 1
  return { members, next: i }
}

/** The token of a set: a literal or ANY where the set is one of those, so matching stays cheap. */
function setToken(members: Uint8Array, tables: Uint8Array[]): number {
  let count = 0
  let last = 0
  for (let b = 0; b < 256; b++) {
    if (members[b] === 1) {
      count += 1
      last = b
    }
  }
  if (count === 1) return last
  if (count === 256) return ANY
  tables.push(members)
  return SET + (tables.length - 1) * 256
}
