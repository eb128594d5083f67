import { MalformedMessageError } from '../errors.js'
import { MAX_JSON_DEPTH } from './json-python.js'

/**
 * Byte scans the json codec makes before it parses: both cost far less than the parse, and the
 * second runs only on large messages.
 */

/**
 * Whether JSON bytes may hold an integer literal of 16 digits or more, which JSON.parse would
 * round. Looks at every 16th byte only (any run of 16 digits covers one of them), then at the
 * run around it: digits after "." or in an exponent are a float's and do not count. Digits in a
 * string may count: that only costs the slower, exact parse.
 */
export function mayHoldLongInteger(bytes: Uint8Array): boolean {
  const length = bytes.length
  for (let at = 15; at < length; at += 16) {
    const c = bytes[at] as number
    if (c < 0x30 || c > 0x39) continue
    let start = at
    while (start > 0 && isDigit(bytes[start - 1] as number)) start--
    let end = at + 1
    while (end < length && isDigit(bytes[end] as number)) end++
    if (end - start < 16) continue
    const before = start > 0 ? (bytes[start - 1] as number) : 0
    const after = end < length ? (bytes[end] as number) : 0
    const signedExponent =
      (before === 0x2d || before === 0x2b) &&
      start > 1 &&
      (bytes[start - 2] === 0x65 || bytes[start - 2] === 0x45)
    if (before === 0x2e || before === 0x65 || before === 0x45 || signedExponent) continue
    if (after === 0x2e || after === 0x65 || after === 0x45) continue
    return true
  }
  return false
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

/** Below this size a message cannot make enough objects to matter, and is not scanned. */
export const SCAN_FROM_BYTES = 64 * 1024

/**
 * The arrays and objects a message may make: a base, then one per 6 bytes. An empty object costs
 * about 60 bytes of heap for its 3 bytes of text (`{},`); this keeps the worst to about what the
 * densest ordinary data (lists of small lists, as Python writes them) costs.
 */
export function containerBudget(bytes: number): number {
  return 4096 + bytes / 6
}

const QUOTE = 0x22
const BACKSLASH = 0x5c

/**
 * Counts the arrays and objects in JSON bytes, and how deep they nest, outside strings; throws
 * MalformedMessageError when there are more than containerBudget allows, or deeper than
 * MAX_JSON_DEPTH. It does not check the syntax: JSON.parse does that next.
 */
export function checkJsonCost(bytes: Uint8Array): void {
  const length = bytes.length
  const budget = containerBudget(length)
  let containers = 0
  let depth = 0
  for (let at = 0; at < length; at++) {
    const c = bytes[at] as number
    if (c === QUOTE) {
      // Skip the string: a backslash escapes the byte after it.
      for (at++; at < length; at++) {
        const s = bytes[at] as number
        if (s === QUOTE) break
        if (s === BACKSLASH) at++
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++containers > budget) {
        throw new MalformedMessageError(
          `cannot decode JSON message: it would make more than ${Math.floor(budget)} arrays and objects for its ${length} bytes; send large tables as lists of numbers or split them`,
          { bytes },
        )
      }
      if (++depth > MAX_JSON_DEPTH) {
        throw new MalformedMessageError(
          `cannot decode JSON message: arrays and objects nest deeper than ${MAX_JSON_DEPTH} levels`,
          { bytes },
        )
      }
    } else if (c === 0x5d || c === 0x7d) {
      depth--
    }
  }
}
