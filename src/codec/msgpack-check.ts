import { MalformedMessageError } from '../errors.js'

/**
 * Checks msgpack bytes before msgpackr turns them into values, without making any: one pass over
 * the tokens (string and bin contents are skipped, not read), so it costs a small fraction of the
 * decode it protects.
 *
 * msgpackr reads more than msgpack: its extensions make RegExp, Error, Set, `undefined`,
 * ArrayBuffer and records from wire bytes, and nothing bounds what a message may make. Only what
 * a Python peer (msgpack + msgpack-numpy) can write passes here, within bounds:
 * - plain msgpack values, msgpack-numpy maps (maps with bin keys), the timestamp extension
 *   (-1, as Python writes it) and the big-integer extension 0x42 that switchboard writes for a
 *   bigint beyond 64 bits (at most MAX_BIGINT_BYTES long). Any other extension type, 0xc1, and a
 *   map or array used as a map key, are refused.
 * - every length fits in the bytes that are left, there is exactly one value, containers nest at
 *   most MAX_DEPTH deep, and what the message would make costs at most its budget (see COST).
 */

/** How deep containers may nest: Python msgpack's packer refuses to write deeper (nest_limit 511). */
export const MAX_DEPTH = 512

/** The longest big-integer extension accepted: 8,192 bits, past what Python prints by default. */
export const MAX_BIGINT_BYTES = 1024

/**
 * What a value costs to decode, in units of roughly 100 ns and 40 bytes of heap (measured with
 * bench/decode-cost.ts): an empty map is about 60 bytes on the heap for one byte on the wire, a
 * Buffer view about 100. Scalars that make no object (ints, floats, nil, booleans, strings of
 * fewer than two bytes, which V8 shares) cost nothing beyond their slot.
 */
export const COST = {
  array: 1,
  map: 2,
  /**
   * Per entry of a map of at most WIDE_MAP entries: a property, its key from msgpackr's cache
   * (about 200 ns each in a list of 64-key records).
   */
  entry: 2,
  /**
   * Per entry of a wider map, up to HUGE_MAP entries: V8 then holds the object as a hash table,
   * and each key is a new string to intern (about 0.5 µs each at 10,000 keys).
   */
  wideEntry: 5,
  /** Per entry of a map of more than HUGE_MAP entries: about 1.5 µs each at 100,000 keys. */
  hugeEntry: 16,
  /** A str of two bytes or more: a new string, unless it is a key msgpackr has cached. */
  string: 1,
  /** A bin: a Buffer view, about 100 bytes. */
  bin: 3,
  /** A timestamp (a Date: about 0.5 µs and 100 bytes each) or a big integer (a bigint). */
  ext: 4,
  /** An int64 or uint64: msgpackr reads each through a BigInt. */
  int64: 1,
} as const

export const WIDE_MAP = 64
export const HUGE_MAP = 16_384

function entryCost(entries: number): number {
  return entries <= WIDE_MAP ? COST.entry : entries <= HUGE_MAP ? COST.wideEntry : COST.hugeEntry
}

/** The cost a message may reach: a base every message gets, then half a unit per byte. */
export function costBudget(bytes: number): number {
  return 16_384 + bytes / 2
}

// One scan at a time (decoding is synchronous), so the stacks of outer containers are shared.
const remaining = new Int32Array(MAX_DEPTH + 1)
const mapLevel = new Uint8Array(MAX_DEPTH + 1)

const TIMESTAMP = 0xff
const BIGINT = 0x42

// Every token byte by what the check does with it. A "scalar" is skipped whole: its size and cost
// are in SKIP and WEIGHT. fixstr is one too: its length is in its token.
const SCALAR = 0
const FIXMAP = 1
const FIXARRAY = 2
const MAP = 3
const ARRAY = 4
const STR = 5
const BIN = 6
const FIXEXT = 7
const EXT = 8
const INVALID = 9
const KIND = new Uint8Array(256)
const SKIP = new Uint8Array(256)
const WEIGHT = new Uint8Array(256)
/** For the tokens followed by a length: how many bytes the length takes. */
const LENGTH_BYTES = new Uint8Array(256)
for (let token = 0; token < 256; token++) {
  if (token < 0x80 || token >= 0xe0) KIND[token] = SCALAR
  else if (token < 0x90) KIND[token] = FIXMAP
  else if (token < 0xa0) KIND[token] = FIXARRAY
  else if (token < 0xc0) {
    SKIP[token] = token & 0x1f
    WEIGHT[token] = (token & 0x1f) > 1 ? COST.string : 0
  } else KIND[token] = INVALID
}
const scalar = (token: number, skip: number, weight = 0): void => {
  KIND[token] = SCALAR
  SKIP[token] = skip
  WEIGHT[token] = weight
}
for (const token of [0xc0, 0xc2, 0xc3]) scalar(token, 0) // nil, false, true
for (const token of [0xcc, 0xd0]) scalar(token, 1) // (u)int 8
for (const token of [0xcd, 0xd1]) scalar(token, 2) // (u)int 16
for (const token of [0xca, 0xce, 0xd2]) scalar(token, 4) // float 32, (u)int 32
scalar(0xcb, 8) // float 64
for (const token of [0xcf, 0xd3]) scalar(token, 8, COST.int64) // (u)int 64
const lengthed = (kind: number, tokens: number[], sizes: number[]): void => {
  tokens.forEach((token, i) => {
    KIND[token] = kind
    LENGTH_BYTES[token] = sizes[i] ?? 0
  })
}
lengthed(STR, [0xd9, 0xda, 0xdb], [1, 2, 4])
lengthed(BIN, [0xc4, 0xc5, 0xc6], [1, 2, 4])
lengthed(EXT, [0xc7, 0xc8, 0xc9], [1, 2, 4])
lengthed(ARRAY, [0xdc, 0xdd], [2, 4])
lengthed(MAP, [0xde, 0xdf], [2, 4])
for (const token of [0xd4, 0xd5, 0xd6, 0xd7, 0xd8]) KIND[token] = FIXEXT

/** For each scalar token, (bytes to skip + 1) << 8 | cost; 0 for every other token. */
const SCALARS = new Int32Array(256)
for (let token = 0; token < 256; token++) {
  if (KIND[token] === SCALAR)
    SCALARS[token] = (((SKIP[token] as number) + 1) << 8) | (WEIGHT[token] as number)
}

/**
 * Checks one msgpack message; throws MalformedMessageError saying what is wrong. Returns true
 * when a map has a bin or timestamp key (msgpack-numpy's maps all have bin keys), which
 * msgpackr's object path refuses.
 */
export function checkMsgpack(bytes: Uint8Array): boolean {
  const end = bytes.length
  // Counts of values left are kept in 32 bits.
  if (end > 0x7fffffff) throw malformed(bytes, 'it is larger than 2 GiB')
  let pos = 0
  let cost = 0
  let mapKeys = false
  const budget = costBudget(end)
  // The container being read: how many values it has left, and whether it is a map (whose
  // values left are an even count when the next one is a key). Outer ones wait on the stacks.
  let depth = 0
  let left = 1
  let inMap = false
  for (;;) {
    // Past the end, token is undefined and so is what the tables give: the default case says so.
    const token = bytes[pos++] as number
    const scalar = SCALARS[token] as number
    if (scalar > 0) {
      // One load for the common case: the size to skip and the cost, packed in SCALARS.
      pos += (scalar >> 8) - 1
      cost += scalar & 0xff
    } else {
      const kind = KIND[token]
      const key = inMap && (left & 1) === 0
      let length = 0
      switch (kind) {
        case FIXMAP:
        case MAP:
        case FIXARRAY:
        case ARRAY: {
          const isMap = kind === FIXMAP || kind === MAP
          if (kind === FIXMAP || kind === FIXARRAY) length = token & 0x0f
          else {
            length = readLength(bytes, pos, LENGTH_BYTES[token] as number)
            pos += LENGTH_BYTES[token] as number
            if (pos > end) throw truncated(bytes)
          }
          if (key) throw malformed(bytes, `a map key is ${isMap ? 'a map' : 'an array'}`)
          if (isMap) {
            if (length * 2 > end - pos) {
              throw malformed(bytes, `a map of ${length} entries is longer than the message`)
            }
            cost += COST.map + length * entryCost(length)
          } else {
            if (length > end - pos) {
              throw malformed(bytes, `an array of ${length} items is longer than the message`)
            }
            cost += COST.array
          }
          // Checked here, not only at the end, so that a message made to cost too much is
          // refused before all of it is scanned.
          if (cost > budget) throw tooCostly(bytes, cost)
          if (length > 0) {
            if (depth === MAX_DEPTH) throw malformed(bytes, `containers nest deeper than ${MAX_DEPTH} levels`)
            remaining[depth] = left
            mapLevel[depth] = inMap ? 1 : 0
            depth++
            left = isMap ? length * 2 : length
            inMap = isMap
            continue
          }
          break
        }
        case STR:
          length = readLength(bytes, pos, LENGTH_BYTES[token] as number)
          pos += (LENGTH_BYTES[token] as number) + length
          if (length > 1) cost += COST.string
          break
        case BIN:
          length = readLength(bytes, pos, LENGTH_BYTES[token] as number)
          pos += (LENGTH_BYTES[token] as number) + length
          cost += COST.bin
          if (key) mapKeys = true
          break
        case FIXEXT:
        case EXT: {
          const at = kind === FIXEXT ? pos : pos + (LENGTH_BYTES[token] as number)
          length =
            kind === FIXEXT ? 1 << (token - 0xd4) : readLength(bytes, pos, LENGTH_BYTES[token] as number)
          pos = checkExt(bytes, at, length)
          cost += COST.ext
          // A timestamp key (a Python datetime, a JS Date in a Map) needs the path through Maps.
          if (key && bytes[at] === TIMESTAMP) mapKeys = true
          break
        }
        default:
          if (pos > end) throw truncated(bytes)
          // 0xc1: "never used" in the msgpack spec
          throw malformed(bytes, `byte 0x${token.toString(16)} at ${pos - 1} is not msgpack`)
      }
    }
    // A value is complete: count it off its container, and close every container it fills.
    while (--left === 0) {
      if (depth === 0) {
        if (pos > end) throw truncated(bytes)
        if (pos < end) throw malformed(bytes, `${end - pos} bytes follow the message's value`)
        if (cost > budget) throw tooCostly(bytes, cost)
        return mapKeys
      }
      depth--
      left = remaining[depth] as number
      inMap = mapLevel[depth] === 1
    }
  }
}

/** Checks an extension whose type byte is at `at` and data `length` bytes; returns where it ends. */
function checkExt(bytes: Uint8Array, at: number, length: number): number {
  const end = at + 1 + length
  if (end > bytes.length) throw truncated(bytes)
  const type = bytes[at]
  if (type === TIMESTAMP) {
    if (length !== 4 && length !== 8 && length !== 12) {
      throw malformed(bytes, `a timestamp has ${length} bytes; msgpack timestamps have 4, 8 or 12`)
    }
    // Timestamp 64 and 96 begin with nanoseconds, which must be under a second.
    const nanoseconds = length === 8 ? read32(bytes, at + 1) >>> 2 : length === 12 ? read32(bytes, at + 1) : 0
    if (nanoseconds > 999_999_999) throw malformed(bytes, `a timestamp has ${nanoseconds} nanoseconds`)
    return end
  }
  if (type === BIGINT) {
    if (length > MAX_BIGINT_BYTES) {
      throw malformed(bytes, `a big integer of ${length} bytes is longer than ${MAX_BIGINT_BYTES}`)
    }
    return end
  }
  const signed = type === undefined ? 'missing' : type > 127 ? type - 256 : type
  throw malformed(
    bytes,
    `extension type ${signed} is not accepted: only plain msgpack, msgpack-numpy maps, timestamps and switchboard's big integers are`,
  )
}

/** A big-endian length of 1, 2 or 4 bytes at `at`; bytes past the end read as 0 (the caller checks). */
function readLength(bytes: Uint8Array, at: number, size: number): number {
  if (size === 1) return bytes[at] ?? 0
  if (size === 2) return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0)
  return read32(bytes, at)
}

function read32(bytes: Uint8Array, at: number): number {
  return (
    (bytes[at] ?? 0) * 0x1000000 +
    (((bytes[at + 1] ?? 0) << 16) | ((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0))
  )
}

function truncated(bytes: Uint8Array): MalformedMessageError {
  return malformed(bytes, 'it ends in the middle of a value (truncated?)')
}

function tooCostly(bytes: Uint8Array, cost: number): MalformedMessageError {
  const budget = Math.floor(costBudget(bytes.length))
  return malformed(
    bytes,
    `it would make too many objects for its ${bytes.length} bytes (cost over ${budget}, at ${cost} so far); send large tables as numpy arrays, or split them`,
  )
}

function malformed(bytes: Uint8Array, reason: string): MalformedMessageError {
  return new MalformedMessageError(`cannot decode msgpack message: ${reason}`, { bytes })
}
