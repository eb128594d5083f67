import { isMap, isScalar, type LineCounter, type Node, type Pair, type YAMLMap } from 'yaml'
import type { RoutesProblem } from '../errors.js'
import { closest } from './did-you-mean.js'

/** A problem as one line (and its hint on the next): `routes.yaml:4:7 error: … \n  → …`. */
export function formatProblem(problem: RoutesProblem, file = 'routes'): string {
  const where =
    problem.line === undefined ? `${file} (${problem.path})` : `${file}:${problem.line}:${problem.column}`
  const head = `${where} ${problem.severity}: ${problem.message}`
  return problem.hint ? `${head}\n  → ${problem.hint}` : head
}

/** Collects the problems of one reading, each placed at the node it is about. */
export class ProblemList {
  readonly problems: RoutesProblem[] = []
  readonly #lines: LineCounter | undefined

  constructor(lines: LineCounter | undefined) {
    this.#lines = lines
  }

  get hasErrors(): boolean {
    return this.problems.some((problem) => problem.severity === 'error')
  }

  /** Where `node` starts in the text, when the routes came as text. */
  positionOf(node: Node | null | undefined): { line: number; column: number } | undefined {
    const offset = node?.range?.[0]
    if (offset === undefined || !this.#lines) return undefined
    const { line, col } = this.#lines.linePos(offset)
    return { line, column: col }
  }

  error(node: Node | null | undefined, path: readonly string[], message: string, hint?: string): void {
    this.#add('error', node, path, message, hint)
  }

  warning(node: Node | null | undefined, path: readonly string[], message: string, hint?: string): void {
    this.#add('warning', node, path, message, hint)
  }

  /** A problem the yaml parser found, where it found it. */
  syntax(
    message: string,
    line: number,
    column: number,
    hint = 'check the indentation and the brackets on that line',
  ): void {
    this.problems.push({ severity: 'error', line, column, path: '(syntax)', message, hint })
  }

  #add(
    severity: RoutesProblem['severity'],
    node: Node | null | undefined,
    path: readonly string[],
    message: string,
    hint: string | undefined,
  ): void {
    const position = this.positionOf(node)
    this.problems.push({
      severity,
      ...position,
      path: path.join(' › '),
      message,
      ...(hint !== undefined && { hint }),
    })
  }
}

/** The entries of a YAML map with text keys; other keys are reported and left out. */
export function entriesOf(
  map: YAMLMap,
  path: readonly string[],
  problems: ProblemList,
): Array<{ key: string; keyNode: Node; value: Node | null; pair: Pair }> {
  const entries = []
  for (const pair of map.items) {
    const keyNode = pair.key as Node | null
    const key = isScalar(keyNode) ? keyNode.value : undefined
    if (typeof key !== 'string' && typeof key !== 'number') {
      problems.error(keyNode, path, 'a key must be a name', 'write name: value')
      continue
    }
    entries.push({ key: String(key), keyNode: keyNode as Node, value: pair.value as Node | null, pair })
  }
  return entries
}

/** Reports keys not in `known`, with the nearest known one as a suggestion. True when all are known. */
export function checkKeys(
  map: YAMLMap,
  known: readonly string[],
  what: string,
  path: readonly string[],
  problems: ProblemList,
): boolean {
  let ok = true
  for (const { key, keyNode } of entriesOf(map, path, problems)) {
    if (known.includes(key)) continue
    ok = false
    const suggestion = closest(key, known)
    problems.error(
      keyNode,
      path,
      `unknown key "${key}" in ${what}`,
      suggestion ? `did you mean ${suggestion}?` : `${what} takes ${known.join(', ')}`,
    )
  }
  return ok
}

/** The value of `key` in `map` as a node (undefined when absent). */
export function valueAt(map: YAMLMap, key: string): Node | null | undefined {
  for (const pair of map.items) {
    if (isScalar(pair.key) && String(pair.key.value) === key) return pair.value as Node | null
  }
  return undefined
}

/** Whether `node` is a map; if not, reports that one was expected. */
export function expectMap(
  node: Node | null | undefined,
  path: readonly string[],
  problems: ProblemList,
  example: string,
): node is YAMLMap {
  if (isMap(node)) return true
  problems.error(
    node,
    path,
    `${path.at(-1) ?? 'this'} must be a map of keys and values`,
    `write it like ${example}`,
  )
  return false
}

/** The scalar value of a node, or undefined (after reporting) when it is a list or a map. */
export function scalarOf(node: Node | null | undefined): unknown {
  return isScalar(node) ? node.value : node === null || node === undefined ? null : undefined
}
