/**
 * JSON as Python's `json.loads` reads it, for the text `JSON.parse` cannot read exactly: the
 * tokens `NaN`, `Infinity` and `-Infinity` (which `json.dumps` writes), and integers beyond 2^53,
 * which become bigints instead of rounding. Everything else follows JSON.parse: the same values,
 * `__proto__` as an own property, the last of duplicate keys wins.
 *
 * It is several times slower than JSON.parse, so the json codec takes it only when JSON.parse
 * fails or the text holds a long integer literal. Throws SyntaxError, as JSON.parse does.
 */

/** Python's json module stops at its recursion limit (1,000), so it never writes deeper. */
export const MAX_JSON_DEPTH = 1000

// As in the msgpack codec: up to 2^53 an integer is a number, beyond it a bigint.
const LARGEST_NUMBER = 2n ** 53n

export function parsePythonJson(text: string): unknown {
  const parser = new Parser(text)
  parser.skipSpace()
  const value = parser.value(0)
  parser.skipSpace()
  if (parser.at < text.length) parser.fail('unexpected text after the value')
  return value
}

class Parser {
  readonly text: string
  at = 0

  constructor(text: string) {
    this.text = text
  }

  fail(reason: string): never {
    throw new SyntaxError(`${reason} at position ${this.at}`)
  }

  skipSpace(): void {
    const text = this.text
    let at = this.at
    for (;;) {
      const c = text.charCodeAt(at)
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break
      at++
    }
    this.at = at
  }

  value(depth: number): unknown {
    const c = this.text.charCodeAt(this.at)
    switch (c) {
      case 0x7b: // {
        return this.object(depth + 1)
      case 0x5b: // [
        return this.array(depth + 1)
      case 0x22: // "
        return this.string()
      case 0x74: // t
        return this.word('true', true)
      case 0x66: // f
        return this.word('false', false)
      case 0x6e: // n
        return this.word('null', null)
      case 0x4e: // N
        return this.word('NaN', Number.NaN)
      case 0x49: // I
        return this.word('Infinity', Number.POSITIVE_INFINITY)
      case 0x2d: // -
        if (this.text.charCodeAt(this.at + 1) === 0x49) {
          this.at++
          return this.word('Infinity', Number.NEGATIVE_INFINITY)
        }
        return this.number()
      default:
        if (c >= 0x30 && c <= 0x39) return this.number()
        return this.fail(Number.isNaN(c) ? 'unexpected end of JSON' : 'unexpected character')
    }
  }

  word<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.at)) this.fail('unexpected character')
    this.at += word.length
    return value
  }

  number(): number | bigint {
    const text = this.text
    const start = this.at
    let at = start
    if (text.charCodeAt(at) === 0x2d) at++
    const intStart = at
    at = digits(text, at)
    if (at === intStart) this.failAt(at, 'a number needs digits')
    if (text.charCodeAt(intStart) === 0x30 && at - intStart > 1)
      this.failAt(intStart, 'a number has a leading zero')
    let integer = true
    if (text.charCodeAt(at) === 0x2e) {
      integer = false
      const fraction = at + 1
      at = digits(text, fraction)
      if (at === fraction) this.failAt(at, 'a number needs digits after "."')
    }
    const e = text.charCodeAt(at)
    if (e === 0x65 || e === 0x45) {
      integer = false
      at++
      const sign = text.charCodeAt(at)
      if (sign === 0x2b || sign === 0x2d) at++
      const exponent = at
      at = digits(text, exponent)
      if (at === exponent) this.failAt(at, 'a number needs digits in its exponent')
    }
    this.at = at
    const literal = text.slice(start, at)
    // 15 digits always fit a double exactly; past that, only a bigint keeps every digit.
    if (integer && at - intStart > 15) {
      const big = BigInt(literal)
      return big > LARGEST_NUMBER || big < -LARGEST_NUMBER ? big : Number(big)
    }
    return Number(literal)
  }

  failAt(at: number, reason: string): never {
    this.at = at
    return this.fail(reason)
  }

  string(): string {
    const text = this.text
    const start = this.at
    let at = start + 1
    let plain = true
    for (;;) {
      const c = text.charCodeAt(at)
      if (c === 0x22) break
      if (c === 0x5c) {
        plain = false
        at += 2
        continue
      }
      if (Number.isNaN(c)) this.failAt(start, 'unterminated string')
      if (c < 0x20) this.failAt(at, 'control character in a string')
      at++
    }
    this.at = at + 1
    if (plain) return text.slice(start + 1, at)
    // Escapes are JSON.parse's business: it reads them, and refuses bad ones, exactly.
    return JSON.parse(text.slice(start, at + 1)) as string
  }

  array(depth: number): unknown[] {
    if (depth > MAX_JSON_DEPTH) this.fail(`arrays and objects nest deeper than ${MAX_JSON_DEPTH} levels`)
    this.at++
    const out: unknown[] = []
    this.skipSpace()
    if (this.text.charCodeAt(this.at) === 0x5d) {
      this.at++
      return out
    }
    for (;;) {
      this.skipSpace()
      out.push(this.value(depth))
      this.skipSpace()
      const c = this.text.charCodeAt(this.at++)
      if (c === 0x5d) return out
      if (c !== 0x2c) this.failAt(this.at - 1, 'expected "," or "]"')
    }
  }

  object(depth: number): Record<string, unknown> {
    if (depth > MAX_JSON_DEPTH) this.fail(`arrays and objects nest deeper than ${MAX_JSON_DEPTH} levels`)
    this.at++
    const out: Record<string, unknown> = {}
    this.skipSpace()
    if (this.text.charCodeAt(this.at) === 0x7d) {
      this.at++
      return out
    }
    for (;;) {
      this.skipSpace()
      if (this.text.charCodeAt(this.at) !== 0x22) this.fail('expected a string key')
      const key = this.string()
      this.skipSpace()
      if (this.text.charCodeAt(this.at++) !== 0x3a) this.failAt(this.at - 1, 'expected ":"')
      this.skipSpace()
      const value = this.value(depth)
      // As JSON.parse does: an own property, never the prototype.
      if (key === '__proto__') {
        Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true })
      } else {
        out[key] = value
      }
      this.skipSpace()
      const c = this.text.charCodeAt(this.at++)
      if (c === 0x7d) return out
      if (c !== 0x2c) this.failAt(this.at - 1, 'expected "," or "}"')
    }
  }
}

function digits(text: string, from: number): number {
  let at = from
  for (;;) {
    // Written so that NaN, past the end of the text, stops it too.
    const c = text.charCodeAt(at)
    if (!(c >= 0x30 && c <= 0x39)) return at
    at++
  }
}
