/**
 * Finds where a JSON text goes wrong, to name the line and column: JSON.parse's messages differ
 * between Node versions and often give no position at all ("Unexpected end of JSON input").
 */

export interface JsonErrorLocation {
  /** Offset of the offending character in the text, from 0. */
  offset: number
  /** From 1. */
  line: number
  /** From 1. */
  column: number
  /** What was expected and what was found, e.g. "expected ',' or '}' but found 'x'". */
  reason: string
}

class Fail {
  constructor(
    readonly offset: number,
    readonly expected: string,
  ) {}
}

/** Returns where `text` stops being valid JSON, or undefined when it is valid. */
export function locateJsonError(text: string): JsonErrorLocation | undefined {
  let i = 0
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i += 1
  }
  const fail = (expected: string): never => {
    throw new Fail(i, expected)
  }
  const literal = (word: string): void => {
    for (const ch of word) {
      if (text[i] !== ch) fail(`'${word}'`)
      i += 1
    }
  }
  const digits = (): void => {
    if (!/[0-9]/.test(text[i] ?? '')) fail('a digit')
    while (/[0-9]/.test(text[i] ?? '')) i += 1
  }
  const number = (): void => {
    if (text[i] === '-') i += 1
    if (text[i] === '0') i += 1
    else digits()
    if (text[i] === '.') {
      i += 1
      digits()
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i += 1
      if (text[i] === '+' || text[i] === '-') i += 1
      digits()
    }
  }
  const string = (): void => {
    i += 1
    for (;;) {
      const ch = text[i]
      if (ch === undefined) fail("a closing '\"'")
      if (ch === '"') {
        i += 1
        return
      }
      if ((ch as string) < ' ') fail('no control character inside a string (escape it, e.g. \\n)')
      if (ch === '\\') {
        i += 1
        const esc = text[i]
        if (esc === 'u') {
          for (let k = 1; k <= 4; k += 1) {
            if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) {
              i += k
              fail('4 hex digits after \\u')
            }
          }
          i += 5
          continue
        }
        if (esc === undefined || !'"\\/bfnrt'.includes(esc))
          fail('an escape: \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX')
      }
      i += 1
    }
  }
  const value = (depth: number): void => {
    ws()
    const ch = text[i]
    if (ch === '{') {
      i += 1
      ws()
      if (text[i] === '}') {
        i += 1
        return
      }
      for (;;) {
        ws()
        if (text[i] !== '"') fail('a property name in double quotes')
        string()
        ws()
        if (text[i] !== ':') fail("':' after the property name")
        i += 1
        value(depth + 1)
        ws()
        if (text[i] === ',') {
          i += 1
          continue
        }
        if (text[i] === '}') {
          i += 1
          return
        }
        fail("',' or '}'")
      }
    }
    if (ch === '[') {
      i += 1
      ws()
      if (text[i] === ']') {
        i += 1
        return
      }
      for (;;) {
        value(depth + 1)
        ws()
        if (text[i] === ',') {
          i += 1
          continue
        }
        if (text[i] === ']') {
          i += 1
          return
        }
        fail("',' or ']'")
      }
    }
    if (ch === '"') {
      string()
      return
    }
    if (ch === 't' || ch === 'f' || ch === 'n') {
      literal(ch === 't' ? 'true' : ch === 'f' ? 'false' : 'null')
      return
    }
    if (ch === '-' || /[0-9]/.test(ch ?? '')) {
      number()
      return
    }
    fail('a JSON value (object, array, "string", number, true, false or null)')
  }
  try {
    value(0)
    ws()
    if (i < text.length) fail('the end of the input after the JSON value')
    return undefined
  } catch (error) {
    if (!(error instanceof Fail)) throw error
    const before = text.slice(0, error.offset)
    const line = before.split('\n').length
    const column = error.offset - (before.lastIndexOf('\n') + 1) + 1
    const found =
      error.offset >= text.length ? 'the end of the input' : describeChar(text[error.offset] as string)
    return { offset: error.offset, line, column, reason: `expected ${error.expected} but found ${found}` }
  }
}

function describeChar(ch: string): string {
  if (ch === '\n') return 'a line break'
  if (ch === '\t') return 'a tab'
  if (ch < ' ') return `control character U+${ch.charCodeAt(0).toString(16).padStart(4, '0')}`
  return `'${ch}'`
}
