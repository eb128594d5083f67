import { isMap, isScalar, isSeq, type Node } from 'yaml'
import { type Condition, type FieldTest, type Scalar, TEST_OPERATORS } from './routes-model.js'
import { checkKeys, entriesOf, type ProblemList } from './routes-problems.js'

const EXAMPLE =
  '{ plan: pro }, { plan: { in: [pro, team] } }, { seats: { gte: 10 } } or { coupon: { exists: true } }'

function isScalarValue(value: unknown): value is Scalar {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value)
}

function scalarList(node: Node | null, path: string[], problems: ProblemList): Scalar[] | undefined {
  if (!isSeq(node)) {
    problems.error(node, path, `${path.at(-1)} needs a list`, 'write it like [pro, team]')
    return undefined
  }
  const values: Scalar[] = []
  for (const item of node.items as Array<Node | null>) {
    const value = isScalar(item) ? item.value : undefined
    if (!isScalarValue(value)) {
      problems.error(item, path, 'a list in a condition holds plain values', 'write it like [pro, team]')
      return undefined
    }
    values.push(value)
  }
  return values
}

/** Reads one field's test: a plain value (equals), or a map of operators. */
function readTest(node: Node | null, path: string[], problems: ProblemList): FieldTest | undefined {
  if (isScalar(node) || node === null) {
    const value = node === null ? null : node.value
    if (isScalarValue(value)) return { equals: value }
  }
  if (isSeq(node)) {
    problems.error(
      node,
      path,
      'a list here is ambiguous',
      'to match any of several values write { in: [a, b] }',
    )
    return undefined
  }
  if (!isMap(node)) {
    problems.error(node, path, 'a condition compares with a value', `write it like ${EXAMPLE}`)
    return undefined
  }
  if (!checkKeys(node, TEST_OPERATORS, 'a condition', path, problems)) return undefined
  const test: Record<string, unknown> = {}
  for (const { key, value } of entriesOf(node, path, problems)) {
    const where = [...path, key]
    const scalar = isScalar(value) ? value.value : value === null ? null : undefined
    if (key === 'in' || key === 'not_in') {
      test[key] = scalarList(value, where, problems)
    } else if (key === 'exists') {
      if (typeof scalar !== 'boolean')
        problems.error(value, where, 'exists is true or false', 'write exists: true')
      else test[key] = scalar
    } else if (key === 'equals' || key === 'not') {
      if (!isScalarValue(scalar))
        problems.error(value, where, `${key} compares with one value`, `write ${key}: pro`)
      else test[key] = scalar
    } else if (typeof scalar !== 'number' || !Number.isFinite(scalar)) {
      problems.error(
        value,
        where,
        `${key} compares numbers; got ${JSON.stringify(scalar) ?? 'a list or map'}`,
        `write ${key}: 10`,
      )
    } else {
      test[key] = scalar
    }
  }
  return Object.values(test).includes(undefined) ? undefined : (test as FieldTest)
}

/** Reads `when:`: every field of the map must pass its test. */
export function readCondition(
  node: Node | null,
  path: string[],
  problems: ProblemList,
): Condition | undefined {
  if (!isMap(node) || node.items.length === 0) {
    problems.error(node, path, 'when needs a map of fields and what they must be', `write it like ${EXAMPLE}`)
    return undefined
  }
  const condition: Record<string, FieldTest> = {}
  let ok = true
  for (const { key, value } of entriesOf(node, path, problems)) {
    const test = readTest(value, [...path, key], problems)
    if (test) condition[key] = test
    else ok = false
  }
  return ok ? condition : undefined
}
