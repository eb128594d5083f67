import { isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml'
import { MAX_TIMER_MS } from '../timers.js'
import { parseDuration } from './duration.js'
import { readCondition } from './read-condition.js'
import type { CancelRule, RetryPolicy, Step, StepAction } from './routes-model.js'
import { checkKeys, expectMap, type ProblemList, valueAt } from './routes-problems.js'

export const STEP_KEYS = [
  'call',
  'publish',
  'name',
  'when',
  'after',
  'retry',
  'timeout',
  'cancel_on',
] as const
const RETRY_KEYS = ['attempts', 'backoff', 'first', 'max'] as const
const CANCEL_KEYS = ['event', 'match'] as const
const MAX_ATTEMPTS = 100

/** What a step leaves out, from the file's `defaults:` or ROUTE_DEFAULTS. */
export interface StepDefaults {
  readonly retry: RetryPolicy
  readonly timeoutMs: number
}

/** Reads a duration at `node`, reporting what to write when it is not one. */
export function readDuration(node: Node | null, path: string[], problems: ProblemList): number | undefined {
  const reading = parseDuration(isScalar(node) ? node.value : undefined)
  if ('ms' in reading) return reading.ms
  problems.error(node, path, `${path.at(-1)}: ${reading.error}`, reading.hint)
  return undefined
}

/** The longest a call may wait for its reply: what a timer can wait (about 24 days). */
const MAX_TIMEOUT_DAYS = Math.floor(MAX_TIMER_MS / 86_400_000)

/** Reads `timeout:`: a duration above zero that a timer can wait, else reports what to write. */
export function readTimeout(node: Node | null, path: string[], problems: ProblemList): number | undefined {
  const ms = readDuration(node, path, problems)
  if (ms === undefined || (ms > 0 && ms <= MAX_TIMEOUT_DAYS * 86_400_000)) return ms
  problems.error(
    node,
    path,
    `timeout must be above zero and at most ${MAX_TIMEOUT_DAYS} days`,
    'write it like timeout: 10s',
  )
  return undefined
}

function readText(node: Node | null | undefined, path: string[], problems: ProblemList, example: string) {
  const value = isScalar(node) ? node.value : undefined
  if (typeof value === 'string' && value.trim() !== '') return value.trim()
  problems.error(node, path, `${path.at(-1)} needs a name`, `write it like ${example}`)
  return undefined
}

/** Reads `retry:` over `base`; undefined after reporting what is wrong. */
export function readRetry(
  node: Node | null,
  base: RetryPolicy,
  path: string[],
  problems: ProblemList,
): RetryPolicy | undefined {
  if (!expectMap(node, path, problems, '{ attempts: 5, backoff: exponential, first: 1s }')) return undefined
  if (!checkKeys(node, RETRY_KEYS, 'retry', path, problems)) return undefined
  const retry = { ...base }
  let ok = true
  const attempts = valueAt(node, 'attempts')
  if (attempts !== undefined) {
    const n = isScalar(attempts) ? attempts.value : undefined
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_ATTEMPTS) {
      problems.error(
        attempts,
        [...path, 'attempts'],
        `attempts must be a whole number from 1 to ${MAX_ATTEMPTS}; got ${JSON.stringify(n) ?? 'a list or map'}`,
        'write attempts: 5 (tries in all, the first included)',
      )
      ok = false
    } else retry.attempts = n
  }
  const backoff = valueAt(node, 'backoff')
  if (backoff !== undefined) {
    const kind = isScalar(backoff) ? backoff.value : undefined
    if (kind !== 'fixed' && kind !== 'exponential') {
      problems.error(
        backoff,
        [...path, 'backoff'],
        `backoff is fixed or exponential; got ${JSON.stringify(kind)}`,
        'write backoff: exponential',
      )
      ok = false
    } else retry.backoff = kind
  }
  for (const [key, field] of [
    ['first', 'firstMs'],
    ['max', 'maxMs'],
  ] as const) {
    const given = valueAt(node, key)
    if (given === undefined) continue
    const ms = readDuration(given, [...path, key], problems)
    if (ms === undefined) ok = false
    else retry[field] = ms
  }
  return ok ? retry : undefined
}

function readCancel(node: Node | null, path: string[], problems: ProblemList): CancelRule | undefined {
  const example =
    '{ event: user.active, match: user_id } or { event: [user.active, account.deleted], match: user_id }'
  if (!expectMap(node, path, problems, example)) return undefined
  if (!checkKeys(node, CANCEL_KEYS, 'cancel_on', path, problems)) return undefined
  const eventNode = valueAt(node, 'event') ?? node
  const events = isSeq(eventNode)
    ? (eventNode.items as Array<Node | null>).map((item) =>
        readText(item, [...path, 'event'], problems, example),
      )
    : [readText(eventNode, [...path, 'event'], problems, example)]
  const match = readText(valueAt(node, 'match') ?? node, [...path, 'match'], problems, example)
  if (events.length === 0)
    problems.error(eventNode, [...path, 'event'], 'cancel_on names no event', `write it like ${example}`)
  const named = events.filter((event): event is string => event !== undefined)
  return match && named.length === events.length && named.length > 0 ? { events: named, match } : undefined
}

function readAction(map: YAMLMap, path: string[], problems: ProblemList): StepAction | undefined {
  const call = valueAt(map, 'call')
  const publish = valueAt(map, 'publish')
  if (call !== undefined && publish !== undefined) {
    problems.error(
      map,
      path,
      'a step either calls or publishes, not both',
      'make two steps: one with call:, one with publish:',
    )
    return undefined
  }
  if (call === undefined && publish === undefined) {
    problems.error(
      map,
      path,
      'a step needs call: or publish:',
      'write call: email.send_welcome or publish: sales.new_lead',
    )
    return undefined
  }
  if (call !== undefined) {
    const target = readText(call, [...path, 'call'], problems, 'call: email.send_welcome')
    if (target === undefined) return undefined
    const dot = target.lastIndexOf('.')
    if (dot <= 0 || dot === target.length - 1) {
      problems.error(
        call,
        [...path, 'call'],
        `"${target}" names no action`,
        'write call: service.action, e.g. call: email.send_welcome',
      )
      return undefined
    }
    return { kind: 'call', target }
  }
  const target = readText(publish, [...path, 'publish'], problems, 'publish: sales.new_lead')
  return target === undefined ? undefined : { kind: 'publish', target }
}

/** Reads one step of a route; undefined after reporting what is wrong with it. */
export function readStep(
  node: Node | null,
  path: string[],
  defaults: StepDefaults,
  problems: ProblemList,
): Step | undefined {
  if (!isMap(node)) {
    problems.error(node, path, 'a step is a map of keys', 'write it like - call: email.send_welcome')
    return undefined
  }
  const keysOk = checkKeys(node, STEP_KEYS, 'a step', path, problems)
  const action = readAction(node, path, problems)
  const given = (key: string) => valueAt(node, key)
  const nameNode = given('name')
  const name =
    nameNode === undefined
      ? undefined
      : readText(nameNode, [...path, 'name'], problems, 'name: welcome email')
  const whenNode = given('when')
  const when = whenNode === undefined ? undefined : readCondition(whenNode, [...path, 'when'], problems)
  const afterNode = given('after')
  const afterMs = afterNode === undefined ? undefined : readDuration(afterNode, [...path, 'after'], problems)
  const retryNode = given('retry')
  const retry =
    retryNode === undefined
      ? defaults.retry
      : readRetry(retryNode, defaults.retry, [...path, 'retry'], problems)
  const timeoutNode = given('timeout')
  const timeoutMs =
    timeoutNode === undefined ? defaults.timeoutMs : readTimeout(timeoutNode, [...path, 'timeout'], problems)
  const cancelNode = given('cancel_on')
  const cancelOn =
    cancelNode === undefined ? undefined : readCancel(cancelNode, [...path, 'cancel_on'], problems)
  if (cancelNode !== undefined && afterNode === undefined) {
    problems.error(
      cancelNode,
      [...path, 'cancel_on'],
      'cancel_on cancels a step that waits, and this one runs at once',
      'add after: (e.g. after: 7 days), or remove cancel_on',
    )
    return undefined
  }
  const failed =
    !keysOk ||
    !action ||
    (nameNode !== undefined && !name) ||
    (whenNode !== undefined && !when) ||
    (afterNode !== undefined && afterMs === undefined) ||
    !retry ||
    timeoutMs === undefined ||
    (cancelNode !== undefined && !cancelOn)
  if (failed) return undefined
  const at = problems.positionOf(node)
  return {
    ...(at && { at }),
    name: name ?? `${action.kind} ${action.target}`,
    action,
    retry,
    timeoutMs,
    ...(when && { when }),
    ...(afterMs !== undefined && { afterMs }),
    ...(cancelOn && { cancelOn }),
  }
}
