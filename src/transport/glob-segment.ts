import { ANY, SET } from './glob-parse.js'

/**
 * A star-free run of glob tokens: a fixed-width pattern, one token per byte. It answers two
 * questions: does it match at a given place, and where does it first fit in a range.
 */
export interface Segment {
  readonly width: number
  matchesAt(channel: Uint8Array, at: number): boolean
  /** The first place from `from` where the segment fits wholly before `end`, or -1. */
  leftmost(channel: Uint8Array, from: number, end: number): number
}

/**
 * Up to this width, a search tries each place in turn: at most this many steps per byte. A wider
 * segment is searched bit-parallel (Shift-And), one step per byte per 32 tokens, so that a long
 * segment against a long channel stays linear instead of costing their product.
 */
const TRY_EACH_PLACE_UP_TO = 16

export function segment(tokens: readonly number[], sets: Uint8Array): Segment {
  const run = Int32Array.from(tokens)
  const matchesAt = (channel: Uint8Array, at: number): boolean => tokensMatch(run, sets, channel, at)
  const leftmost =
    run.length <= TRY_EACH_PLACE_UP_TO
      ? (channel: Uint8Array, from: number, end: number): number => {
          for (let at = from; at + run.length <= end; at++) if (tokensMatch(run, sets, channel, at)) return at
          return -1
        }
      : shiftAnd(run, sets)
  return { width: run.length, matchesAt, leftmost }
}

function tokenMatches(token: number, sets: Uint8Array, byte: number): boolean {
  if (token < ANY) return token === byte
  return token === ANY || sets[token - SET + byte] === 1
}

function tokensMatch(run: Int32Array, sets: Uint8Array, channel: Uint8Array, at: number): boolean {
  for (let j = 0; j < run.length; j++) {
    if (!tokenMatches(run[j] as number, sets, channel[at + j] as number)) return false
  }
  return true
}

/**
 * The Shift-And search: bit j of the state is set when the first j + 1 tokens match the bytes
 * just read, so each byte advances every partial match at once. The state spans `words` 32-bit
 * words, and `masks[byte * words + w]` holds which of tokens 32w … 32w + 31 accept the byte.
 */
function shiftAnd(run: Int32Array, sets: Uint8Array): Segment['leftmost'] {
  const width = run.length
  const words = Math.ceil(width / 32)
  const masks = new Int32Array(256 * words)
  for (let byte = 0; byte < 256; byte++) {
    for (let j = 0; j < width; j++) {
      const k = byte * words + (j >>> 5)
      if (tokenMatches(run[j] as number, sets, byte)) masks[k] = (masks[k] as number) | (1 << (j & 31))
    }
  }
  const state = new Int32Array(words)
  const last = words - 1
  const done = 1 << ((width - 1) & 31)
  return (channel, from, end) => {
    state.fill(0)
    for (let i = from; i < end; i++) {
      const row = (channel[i] as number) * words
      // A new partial match may start at every byte: the carry into bit 0 is 1.
      let carry = 1
      for (let w = 0; w < words; w++) {
        const bits = state[w] as number
        state[w] = ((bits << 1) | carry) & (masks[row + w] as number)
        carry = bits >>> 31
      }
      if (((state[last] as number) & done) !== 0) return i - width + 1
    }
    return -1
  }
}
