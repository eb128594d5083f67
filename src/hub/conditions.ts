import type { Condition, FieldTest, Scalar } from './routes-model.js'

/** A condition's verdict on an event: it holds, it does not (and why), or the data cannot be tested. */
export type Verdict =
  | { readonly holds: true }
  | { readonly holds: false; readonly because: string }
  | { readonly error: string }

const MISSING = Symbol('missing')

/** The value at `path` in `data`: the key itself first (`user.plan` may be one key), else the dotted path. */
export function fieldValue(data: unknown, path: string): unknown {
  if (typeof data !== 'object' || data === null) return MISSING
  const record = data as Record<string, unknown>
  if (Object.hasOwn(record, path)) return record[path]
  let value: unknown = data
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, part)) return MISSING
    value = (value as Record<string, unknown>)[part]
  }
  return value
}

/** Whether a value was found by fieldValue(). */
export function isPresent(value: unknown): boolean {
  return value !== MISSING && value !== undefined
}

function show(value: unknown): string {
  return value === MISSING ? 'missing' : (JSON.stringify(value) ?? String(value))
}

function sameScalar(value: unknown, expected: Scalar): boolean {
  // A routes file says `plan: pro` or `count: 3`; an event may carry 3 as "3": the file means the same.
  if (typeof expected === 'number' && typeof value === 'string')
    return value.trim() !== '' && Number(value) === expected
  return value === expected
}

type Check = (value: unknown, expected: never, field: string) => Verdict

const pass: Verdict = { holds: true }
const fail = (because: string): Verdict => ({ holds: false, because })

function numeric(op: string, compare: (a: number, b: number) => boolean): Check {
  return (value, expected: number, field) => {
    if (value === MISSING || value === undefined) return fail(`${field} is missing`)
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value
    if (typeof n !== 'number' || Number.isNaN(n)) {
      return { error: `${field} ${op} ${expected} needs a number; the event has ${show(value)}` }
    }
    return compare(n, expected) ? pass : fail(`${field} is ${show(value)}, not ${op} ${expected}`)
  }
}

/** One function per operator: a table, not a chain of ifs. */
const CHECKS: Readonly<Record<keyof FieldTest, Check>> = {
  equals: (value, expected: Scalar, field) =>
    sameScalar(value, expected) ? pass : fail(`${field} is ${show(value)}, not ${show(expected)}`),
  not: (value, expected: Scalar, field) =>
    sameScalar(value, expected) ? fail(`${field} is ${show(expected)}`) : pass,
  in: (value, expected: readonly Scalar[], field) =>
    expected.some((each) => sameScalar(value, each))
      ? pass
      : fail(`${field} is ${show(value)}, not one of ${expected.map(show).join(', ')}`),
  not_in: (value, expected: readonly Scalar[], field) =>
    expected.some((each) => sameScalar(value, each)) ? fail(`${field} is ${show(value)}`) : pass,
  exists: (value, expected: boolean, field) =>
    isPresent(value) === expected ? pass : fail(expected ? `${field} is missing` : `${field} is present`),
  gt: numeric('>', (a, b) => a > b),
  gte: numeric('≥', (a, b) => a >= b),
  lt: numeric('<', (a, b) => a < b),
  lte: numeric('≤', (a, b) => a <= b),
}

/** Tests every field of `condition` against the event's data; the first that fails decides. */
export function evaluate(condition: Condition, data: unknown): Verdict {
  for (const [field, test] of Object.entries(condition)) {
    const value = fieldValue(data, field)
    for (const [op, expected] of Object.entries(test) as Array<[keyof FieldTest, never]>) {
      if (expected === undefined) continue
      const verdict = CHECKS[op](value, expected, field)
      if (!('holds' in verdict) || !verdict.holds) return verdict
    }
  }
  return pass
}

/** A condition as a person reads it: `plan = "pro" and seats ≥ 10`. */
export function describeCondition(condition: Condition): string {
  const SYMBOLS: Record<keyof FieldTest, string> = {
    equals: '=',
    not: '≠',
    in: 'in',
    not_in: 'not in',
    exists: 'exists',
    gt: '>',
    gte: '≥',
    lt: '<',
    lte: '≤',
  }
  const parts: string[] = []
  for (const [field, test] of Object.entries(condition)) {
    for (const [op, expected] of Object.entries(test) as Array<[keyof FieldTest, unknown]>) {
      if (op === 'exists') parts.push(expected ? `${field} exists` : `${field} is missing`)
      else if (Array.isArray(expected))
        parts.push(`${field} ${SYMBOLS[op]} [${expected.map(show).join(', ')}]`)
      else parts.push(`${field} ${SYMBOLS[op]} ${show(expected)}`)
    }
  }
  return parts.join(' and ')
}
