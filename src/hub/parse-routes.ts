import { Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, visit } from 'yaml'
import type { RoutesProblem } from '../errors.js'
import { readRetry, readStep, readTimeout, type StepDefaults } from './read-step.js'
import { ROUTE_DEFAULTS, type Route, type Routes, type Step } from './routes-model.js'
import { checkKeys, entriesOf, expectMap, ProblemList, valueAt } from './routes-problems.js'

const TOP_KEYS = ['name', 'defaults', 'routes'] as const
const DEFAULTS_KEYS = ['retry', 'timeout'] as const
const EXAMPLE = 'routes:\n  user.signed_up:\n    - call: email.send_welcome'
const GLOB = /[*?[\]]/

/** A routes file read: the routes when it has no errors, and every problem found either way. */
export interface RoutesReading {
  readonly routes: Routes | undefined
  readonly problems: readonly RoutesProblem[]
}

/**
 * Reads a routes file (YAML, or JSON, which is YAML too) or a routes object, and checks all of it:
 * every problem comes back with its line and column (text only) and what to write instead.
 * Nothing in it is ever evaluated.
 */
export function parseRoutes(source: string | object): RoutesReading {
  let root: Node | null
  let problems: ProblemList
  if (typeof source === 'string') {
    const lines = new LineCounter()
    const doc = parseDocument(source, { lineCounter: lines, uniqueKeys: true, prettyErrors: false })
    problems = new ProblemList(lines)
    for (const error of doc.errors) {
      const position = lines.linePos(error.pos[0])
      problems.syntax(
        error.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '') ?? error.message,
        position.line,
        position.col,
      )
    }
    // The yaml package reads an unknown tag (!!js/function) as plain text, only warning: say that
    // the file holds no code. An alias (*steps) would reach the readers below as a node of no
    // shape, reported as the wrong one: name it instead.
    for (const warning of doc.warnings) {
      if (warning.code !== 'TAG_RESOLVE_FAILED') continue
      const position = lines.linePos(warning.pos[0])
      const tag = warning.message.replace(/^Unresolved tag: /, '').replace(/^tag:yaml\.org,2002:/, '!!')
      problems.syntax(
        `the tag ${tag} is not read: a routes file holds plain values, never code`,
        position.line,
        position.col,
        'remove the tag and write the value itself',
      )
    }
    visit(doc, {
      Alias(_key, alias) {
        const position = lines.linePos(alias.range?.[0] ?? 0)
        problems.syntax(
          `the alias *${alias.source} is not read in a routes file`,
          position.line,
          position.col,
          'write the value out where it is used (each route lists its own steps)',
        )
      },
    })
    if (problems.hasErrors) return { routes: undefined, problems: problems.problems }
    root = doc.contents as Node | null
  } else {
    problems = new ProblemList(undefined)
    root = new Document(source).contents as Node | null
  }
  const routes = readTop(root, problems)
  return { routes: problems.hasErrors ? undefined : routes, problems: problems.problems }
}

function readDefaults(node: Node | null, problems: ProblemList): StepDefaults | undefined {
  const path = ['defaults']
  if (!expectMap(node, path, problems, '{ retry: { attempts: 5 }, timeout: 10s }')) return undefined
  if (!checkKeys(node, DEFAULTS_KEYS, 'defaults', path, problems)) return undefined
  const retryNode = valueAt(node, 'retry')
  const retry =
    retryNode === undefined
      ? ROUTE_DEFAULTS.retry
      : readRetry(retryNode, ROUTE_DEFAULTS.retry, [...path, 'retry'], problems)
  const timeoutNode = valueAt(node, 'timeout')
  const timeoutMs =
    timeoutNode === undefined
      ? ROUTE_DEFAULTS.timeoutMs
      : readTimeout(timeoutNode, [...path, 'timeout'], problems)
  return retry && timeoutMs !== undefined ? { retry, timeoutMs } : undefined
}

function readRoute(
  event: string,
  node: Node | null,
  keyNode: Node,
  defaults: StepDefaults,
  problems: ProblemList,
): Route | undefined {
  const path = ['routes', event]
  if (GLOB.test(event)) {
    problems.error(
      keyNode,
      path,
      `"${event}" has a glob character (* ? [ ])`,
      'name one event per route; list the same steps under each event',
    )
    return undefined
  }
  // One step may stand alone; a list is the rule.
  const items = isSeq(node) ? (node.items as Array<Node | null>) : isMap(node) ? [node] : undefined
  if (!items || items.length === 0) {
    problems.error(
      node ?? keyNode,
      path,
      `the route of ${event} has no steps`,
      `write its steps as a list:\n${EXAMPLE}`,
    )
    return undefined
  }
  const steps: Step[] = []
  const names = new Map<string, number>()
  let ok = true
  items.forEach((item, index) => {
    const step = readStep(item, [...path, `step ${index + 1}`], defaults, problems)
    if (!step) {
      ok = false
      return
    }
    const seen = names.get(step.name) ?? 0
    names.set(step.name, seen + 1)
    if (seen > 0 && isMap(item) && valueAt(item, 'name') !== undefined) {
      problems.error(
        valueAt(item, 'name'),
        [...path, `step ${index + 1}`, 'name'],
        `two steps of ${event} are named "${step.name}"`,
        'give each step its own name',
      )
      ok = false
    }
    // Two unnamed steps doing the same thing keep apart in stats and schedules by their rank.
    steps.push(seen > 0 ? { ...step, name: `${step.name} #${seen + 1}` } : step)
  })
  return ok ? { event, steps } : undefined
}

function readTop(root: Node | null, problems: ProblemList): Routes | undefined {
  if (!isMap(root)) {
    problems.error(root, [], 'a routes file is a map with a routes: key', `start it like\n${EXAMPLE}`)
    return undefined
  }
  checkKeys(root, TOP_KEYS, 'the top of a routes file', [], problems)
  const nameNode = valueAt(root, 'name')
  let name: string = ROUTE_DEFAULTS.name
  if (nameNode !== undefined) {
    const value = isScalar(nameNode) ? nameNode.value : undefined
    if (typeof value === 'string' && /^[\w.:-]+$/.test(value)) name = value
    else
      problems.error(
        nameNode,
        ['name'],
        'name is a word (letters, digits, . _ : -)',
        'write name: onboarding',
      )
  }
  const defaultsNode = valueAt(root, 'defaults')
  const defaults = defaultsNode === undefined ? ROUTE_DEFAULTS : readDefaults(defaultsNode, problems)
  const routesNode = valueAt(root, 'routes')
  if (routesNode === undefined) {
    problems.error(root, [], 'a routes file needs routes:', `add\n${EXAMPLE}`)
    return undefined
  }
  if (!expectMap(routesNode, ['routes'], problems, EXAMPLE)) return undefined
  const routes: Route[] = []
  for (const { key, keyNode, value } of entriesOf(routesNode, ['routes'], problems)) {
    const route = readRoute(key, value, keyNode, defaults ?? ROUTE_DEFAULTS, problems)
    if (route) routes.push(route)
  }
  return defaults ? { name, routes } : undefined
}
