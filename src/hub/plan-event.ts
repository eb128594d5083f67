import { evaluate, fieldValue, isPresent } from './conditions.js'
import type { Route, Routes, Step } from './routes-model.js'

/** What becomes of one step for one event. */
export type StepDecision =
  | { readonly kind: 'run'; readonly route: Route; readonly step: Step; readonly key?: string }
  | { readonly kind: 'skip'; readonly route: Route; readonly step: Step; readonly because: string }
  | { readonly kind: 'error'; readonly route: Route; readonly step: Step; readonly error: string }

/** A waiting step an event cancels: by its key, or an error when the event lacks the field to match. */
export type CancelDecision =
  | {
      readonly kind: 'cancel'
      readonly route: Route
      readonly step: Step
      readonly key: string
      readonly value: unknown
    }
  | { readonly kind: 'error'; readonly route: Route; readonly step: Step; readonly error: string }

/** Everything an event sets off: its route's steps, and the waiting steps it cancels. */
export interface EventPlan {
  readonly event: string
  readonly route: Route | undefined
  readonly steps: readonly StepDecision[]
  readonly cancels: readonly CancelDecision[]
}

/**
 * The key a waiting step is scheduled under, so that its cancel event finds it: the hub, the
 * route, the step and the matched value. Both events compute the same one.
 */
export function waitingKey(hub: string, route: Route, step: Step, value: unknown): string {
  return `hub:${hub}:${route.event}:${step.name}:${JSON.stringify(value)}`
}

function decide(routes: Routes, route: Route, step: Step, data: unknown): StepDecision {
  if (step.when) {
    const verdict = evaluate(step.when, data)
    if ('error' in verdict) return { kind: 'error', route, step, error: verdict.error }
    if (!verdict.holds) return { kind: 'skip', route, step, because: verdict.because }
  }
  if (!step.cancelOn) return { kind: 'run', route, step }
  const value = fieldValue(data, step.cancelOn.match)
  if (!isPresent(value)) {
    return {
      kind: 'error',
      route,
      step,
      error: `${route.event} has no ${step.cancelOn.match}, which cancel_on matches ${step.cancelOn.events.join(' or ')} by`,
    }
  }
  return { kind: 'run', route, step, key: waitingKey(routes.name, route, step, value) }
}

/** What `event` with `data` sets off under `routes`. Pure: explain prints it, the hub does it. */
export function planEvent(routes: Routes, event: string, data: unknown): EventPlan {
  const route = routes.routes.find((each) => each.event === event)
  const steps = route ? route.steps.map((step) => decide(routes, route, step, data)) : []
  const cancels: CancelDecision[] = []
  for (const other of routes.routes) {
    for (const step of other.steps) {
      if (!step.cancelOn?.events.includes(event)) continue
      const value = fieldValue(data, step.cancelOn.match)
      cancels.push(
        isPresent(value)
          ? { kind: 'cancel', route: other, step, key: waitingKey(routes.name, other, step, value), value }
          : {
              kind: 'error',
              route: other,
              step,
              error: `${event} has no ${step.cancelOn.match} to cancel by`,
            },
      )
    }
  }
  return { event, route, steps, cancels }
}

/** The events a hub must hear: every route's, and every cancel_on event. */
export function eventsOf(routes: Routes): string[] {
  const events = new Set<string>()
  for (const route of routes.routes) {
    events.add(route.event)
    for (const step of route.steps) for (const event of step.cancelOn?.events ?? []) events.add(event)
  }
  return [...events]
}
