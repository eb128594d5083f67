import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { RoutesProblem } from '../../src/errors.js'
import { evaluate } from '../../src/hub/conditions.js'
import { closest } from '../../src/hub/did-you-mean.js'
import { formatDuration, parseDuration } from '../../src/hub/duration.js'
import { explainPlan } from '../../src/hub/explain.js'
import { retryDelay } from '../../src/hub/hub-job.js'
import { Occurrences } from '../../src/hub/occurrences.js'
import { parseRoutes } from '../../src/hub/parse-routes.js'
import { eventsOf, planEvent } from '../../src/hub/plan-event.js'
import type { Routes } from '../../src/hub/routes-model.js'
import { formatProblem } from '../../src/hub/routes-problems.js'

/** The example: sign-up, inactivity (cancelled by activity), deletion. */
const SEED = readFileSync(new URL('./fixtures/onboarding.routes.yaml', import.meta.url), 'utf8')

function routesOf(text: string): Routes {
  const reading = parseRoutes(text)
  expect(reading.problems).toEqual([])
  if (!reading.routes) throw new Error('no routes')
  return reading.routes
}

describe('routes file', () => {
  it('reads the seed routes into steps with their retries, delays and cancel rules', () => {
    const routes = routesOf(SEED)
    expect(routes.name).toBe('onboarding')
    expect(routes.routes.map((r) => r.event)).toEqual(['user.signed_up', 'user.inactive', 'account.deleted'])
    const [welcome, lead] = routes.routes[0]?.steps ?? []
    expect(welcome).toMatchObject({
      name: 'call email.send_welcome',
      action: { kind: 'call', target: 'email.send_welcome' },
      retry: { attempts: 5, backoff: 'exponential', firstMs: 1000 },
    })
    expect(lead).toMatchObject({
      action: { kind: 'publish', target: 'sales.new_lead' },
      when: { plan: { equals: 'pro' } },
    })
    expect(routes.routes[1]?.steps[0]).toMatchObject({
      afterMs: 7 * 86_400_000,
      cancelOn: { events: ['user.active'], match: 'user_id' },
    })
    expect(eventsOf(routes).sort()).toEqual([
      'account.deleted',
      'user.active',
      'user.inactive',
      'user.signed_up',
    ])
  })

  it('cancel_on takes one event or a list of them', () => {
    const routes = routesOf(
      'routes:\n  user.inactive:\n    - call: notify.reminder\n      after: 2 hours\n      cancel_on: { event: [user.active, account.deleted], match: user_id }\n',
    )
    expect(routes.routes[0]?.steps[0]?.cancelOn).toEqual({
      events: ['user.active', 'account.deleted'],
      match: 'user_id',
    })
    expect(eventsOf(routes).sort()).toEqual(['account.deleted', 'user.active', 'user.inactive'])
    expect(explainPlan(planEvent(routes, 'account.deleted', { user_id: 2 }))).toEqual([
      'account.deleted cancels user.inactive › call notify.reminder waiting for user_id = 2',
    ])
    expect(explainPlan(planEvent(routes, 'user.inactive', { user_id: 2 }))[1]).toContain(
      'in 2 hours, unless user.active or account.deleted arrives with the same user_id first',
    )
    expect(
      parseRoutes(
        'routes:\n  a:\n    - publish: x\n      after: 1s\n      cancel_on: { event: [], match: id }\n',
      ).problems[0]?.message,
    ).toBe('cancel_on names no event')
  })

  it('JSON is read too, and a routes object gives the same routes', () => {
    const object = { routes: { 'a.b': [{ publish: 'c', when: { n: { gte: 3 } } }] } }
    const fromJson = parseRoutes(JSON.stringify(object)).routes
    // Only text has lines: the steps read from JSON know where they start.
    expect(fromJson?.routes[0]?.steps[0]?.at).toEqual({ line: 1, column: 19 })
    const withoutPlace = (routes: Routes | undefined) =>
      routes?.routes.map((route) => route.steps.map(({ at: _, ...step }) => step))
    expect(withoutPlace(fromJson)).toEqual(withoutPlace(parseRoutes(object).routes))
    expect(parseRoutes(object).routes?.routes[0]?.steps[0]?.when).toEqual({ n: { gte: 3 } })
  })

  it('every error has its line, column and what to write instead', () => {
    const text = `routes:
  user.signed_up:
    - call: email.send_welcome
      retyr: { attempts: 5 }
    - publish: sales.new_lead
      when: { seats: { gte: ten }, plan: [pro, team] }
  user.inactive:
    - call: notify.reminder
      after: 7 dayz
      timeout: 5
  account.deleted:
    - call: support
      retry: { attempts: five, backoff: exp }
    - publish: x
      cancel_on: { event: y, match: z }
`
    const { routes, problems } = parseRoutes(text)
    expect(routes).toBeUndefined()
    expect(problems.map((p) => formatProblem(p, 'routes.yaml'))).toEqual([
      'routes.yaml:4:7 error: unknown key "retyr" in a step\n  → did you mean retry?',
      'routes.yaml:6:29 error: gte compares numbers; got "ten"\n  → write gte: 10',
      'routes.yaml:6:42 error: a list here is ambiguous\n  → to match any of several values write { in: [a, b] }',
      'routes.yaml:9:14 error: after: "dayz" is not a unit of time\n  → did you mean 7 days?',
      'routes.yaml:10:16 error: timeout: a duration needs a unit\n  → write 5s, 5ms or 5 minutes',
      'routes.yaml:12:13 error: "support" names no action\n  → write call: service.action, e.g. call: email.send_welcome',
      'routes.yaml:13:26 error: attempts must be a whole number from 1 to 100; got "five"\n  → write attempts: 5 (tries in all, the first included)',
      'routes.yaml:13:41 error: backoff is fixed or exponential; got "exp"\n  → write backoff: exponential',
      'routes.yaml:15:18 error: cancel_on cancels a step that waits, and this one runs at once\n  → add after: (e.g. after: 7 days), or remove cancel_on',
    ])
  })

  it('a YAML syntax error, a missing routes key and a step with neither call nor publish are errors', () => {
    expect(
      parseRoutes('routes:\n  a:\n    - call: x.y\n      retry: {attempts: 5\n').problems[0],
    ).toMatchObject({
      severity: 'error',
      line: 5,
    })
    expect(parseRoutes('rotues: {}\n').problems.map((p) => p.hint)).toEqual([
      'did you mean routes?',
      expect.stringContaining('routes:'),
    ])
    expect(parseRoutes('routes:\n  a:\n    - when: { x: 1 }\n').problems[0]?.message).toBe(
      'a step needs call: or publish:',
    )
    expect(parseRoutes('routes:\n  "user.*":\n    - publish: x\n').problems[0]?.message).toContain('glob')
    expect(
      parseRoutes('routes:\n  a:\n    - publish: x\n      name: n\n    - publish: y\n      name: n\n')
        .problems[0]?.message,
    ).toBe('two steps of a are named "n"')
  })

  it('a timeout a call cannot have is refused: zero, or longer than a timer waits', () => {
    const { problems } = parseRoutes(
      'defaults:\n  timeout: 0s\nroutes:\n  a:\n    - call: x.y\n      timeout: 30 days\n    - call: x.z\n      timeout: 24 days\n',
    )
    expect(problems.map((p) => formatProblem(p, 'r.yaml'))).toEqual([
      'r.yaml:2:12 error: timeout must be above zero and at most 24 days\n  → write it like timeout: 10s',
      'r.yaml:6:16 error: timeout must be above zero and at most 24 days\n  → write it like timeout: 10s',
    ])
  })

  it('a routes object has no lines: problems say where by keys', () => {
    const { problems } = parseRoutes({ routes: { a: [{ call: 'x.y', after: '3 fortnights' }] } })
    expect(problems).toEqual([
      {
        severity: 'error',
        path: 'routes › a › step 1 › after',
        message: 'after: "fortnights" is not a unit of time',
        hint: 'use ms, s, seconds, minutes, hours, days or weeks',
      },
    ])
    expect(formatProblem(problems[0] as RoutesProblem, 'routes')).toBe(
      'routes (routes › a › step 1 › after) error: after: "fortnights" is not a unit of time\n  → use ms, s, seconds, minutes, hours, days or weeks',
    )
  })
})

describe('durations', () => {
  it('reads what people write and refuses the rest with a suggestion', () => {
    expect(parseDuration('500ms')).toEqual({ ms: 500 })
    expect(parseDuration('1s')).toEqual({ ms: 1000 })
    expect(parseDuration('2 hours')).toEqual({ ms: 7_200_000 })
    expect(parseDuration('7 days')).toEqual({ ms: 604_800_000 })
    expect(parseDuration('1.5 minutes')).toEqual({ ms: 90_000 })
    expect(parseDuration('7 dayz')).toEqual({
      error: '"dayz" is not a unit of time',
      hint: 'did you mean 7 days?',
    })
    expect(parseDuration(30)).toMatchObject({ hint: 'write 30s, 30ms or 30 minutes' })
    expect(parseDuration('soon')).toMatchObject({ error: '"soon" is not a duration' })
    expect(parseDuration('400 days')).toMatchObject({ error: '"400 days" is longer than a year' })
    expect([1000, 604_800_000, 250, 90_000].map(formatDuration)).toEqual(['1s', '1 week', '250ms', '90s'])
    expect(closest('retyr', ['retry', 'name'])).toBe('retry')
    expect(closest('zzz', ['retry', 'name'])).toBeUndefined()
  })

  it('backoff doubles from the first wait up to the max', () => {
    const retry = { attempts: 5, backoff: 'exponential', firstMs: 1000, maxMs: 5000 } as const
    expect([1, 2, 3, 4].map((n) => retryDelay(retry, n))).toEqual([1000, 2000, 4000, 5000])
    expect(retryDelay({ ...retry, backoff: 'fixed' }, 3)).toBe(1000)
  })
})

describe('conditions', () => {
  const data = { plan: 'pro', seats: 12, user: { country: 'FR' }, count: '3' }
  it('equals, in, exists and numeric comparisons; dotted paths reach nested fields', () => {
    expect(evaluate({ plan: { equals: 'pro' } }, data)).toEqual({ holds: true })
    expect(evaluate({ plan: { in: ['team', 'pro'] }, seats: { gte: 10, lt: 100 } }, data)).toEqual({
      holds: true,
    })
    expect(evaluate({ 'user.country': { not_in: ['US'] }, coupon: { exists: false } }, data)).toEqual({
      holds: true,
    })
    expect(evaluate({ count: { equals: 3 } }, data)).toEqual({ holds: true })
    expect(evaluate({ plan: { equals: 'free' } }, data)).toEqual({
      holds: false,
      because: 'plan is "pro", not "free"',
    })
    expect(evaluate({ seats: { gt: 20 } }, data)).toEqual({ holds: false, because: 'seats is 12, not > 20' })
    expect(evaluate({ coupon: { exists: true } }, data)).toEqual({
      holds: false,
      because: 'coupon is missing',
    })
  })

  it('data that does not fit a condition is an error, not a silent skip', () => {
    expect(evaluate({ plan: { gt: 3 } }, data)).toEqual({
      error: 'plan > 3 needs a number; the event has "pro"',
    })
    expect(evaluate({ plan: { equals: 'pro' } }, 'a string')).toEqual({
      holds: false,
      because: 'plan is missing, not "pro"',
    })
  })

  it('a value that looks like code is only ever compared as text', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the point is a string that looks like code
    const routes = routesOf('routes:\n  e:\n    - publish: x\n      when: { name: "${process.exit(1)}" }\n')
    expect(planEvent(routes, 'e', { name: 'x' }).steps[0]?.kind).toBe('skip')
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the same text
    expect(planEvent(routes, 'e', { name: '${process.exit(1)}' }).steps[0]?.kind).toBe('run')
  })

  it('a tag (!!js/function) or an alias (*steps) is refused where it is, never taken for code or a copy', () => {
    const { routes, problems } = parseRoutes(`routes:
  a: &steps
    - call: !!js/function "function () { process.exit(1) }"
      when: { plan: !!js/regexp /pro/ }
  b: *steps
`)
    expect(routes).toBeUndefined()
    expect(problems.map((p) => formatProblem(p, 'r.yaml'))).toEqual([
      'r.yaml:3:13 error: the tag !!js/function is not read: a routes file holds plain values, never code\n  → remove the tag and write the value itself',
      'r.yaml:4:21 error: the tag !!js/regexp is not read: a routes file holds plain values, never code\n  → remove the tag and write the value itself',
      'r.yaml:5:6 error: the alias *steps is not read in a routes file\n  → write the value out where it is used (each route lists its own steps)',
    ])
  })
})

describe('explain', () => {
  const routes = routesOf(SEED)
  it('says what each step would do, and why one is skipped', () => {
    expect(explainPlan(planEvent(routes, 'user.signed_up', { user_id: 7, plan: 'free' }))).toEqual([
      'user.signed_up: 2 steps',
      '  1. call email.send_welcome (up to 5 attempts, exponential from 1s, 10s each): now, through the durable queue',
      '  2. skipped: plan is "free", not "pro"',
    ])
    expect(explainPlan(planEvent(routes, 'user.signed_up', { plan: 'pro' }))[2]).toBe(
      '  2. publish to sales.new_lead (up to 3 attempts, exponential from 1s): now, through the durable queue because plan = "pro"',
    )
  })

  it('a delayed step, its cancel event, an event without the field to match, and an unknown event', () => {
    expect(explainPlan(planEvent(routes, 'user.inactive', { user_id: 7 }))[1]).toBe(
      '  1. call notify.reminder (up to 3 attempts, exponential from 1s, 10s each): in 1 week, unless user.active arrives with the same user_id first (a newer user.inactive replaces it)',
    )
    expect(explainPlan(planEvent(routes, 'user.active', { user_id: 7 }))).toEqual([
      'user.active cancels user.inactive › call notify.reminder waiting for user_id = 7',
    ])
    expect(explainPlan(planEvent(routes, 'user.inactive', {}))[1]).toBe(
      '  1. fails: user.inactive has no user_id, which cancel_on matches user.active by (counted as failed; the other steps go on)',
    )
    expect(explainPlan(planEvent(routes, 'user.unknown', {}))).toEqual([
      'user.unknown: no route, and it cancels nothing: the hub ignores it',
    ])
  })
})

describe('occurrences', () => {
  it('counts repeats of the same bytes, forgets them after a pause, and sweeps what it forgot', () => {
    let now = 0
    const seen = new Occurrences(1000, () => now)
    expect([seen.next('a'), seen.next('a'), seen.next('b'), seen.next('a')]).toEqual([1, 2, 1, 3])
    now = 999
    expect(seen.next('a')).toBe(4)
    now = 2000
    expect(seen.next('a')).toBe(1)
    expect(seen.size).toBe(1)
  })
})
