/**
 * The routes a hub runs, as read from a routes file: for each event, the steps that follow it.
 * Plain data (it travels inside the durable jobs the hub writes), never code.
 */

/** One test on a field of the event: `{ plan: pro }` is `{ plan: { equals: 'pro' } }`. */
export interface FieldTest {
  readonly equals?: Scalar
  readonly not?: Scalar
  readonly in?: readonly Scalar[]
  readonly not_in?: readonly Scalar[]
  readonly exists?: boolean
  readonly gt?: number
  readonly gte?: number
  readonly lt?: number
  readonly lte?: number
}

/** The operators of a FieldTest, in the order explain prints them. */
export const TEST_OPERATORS = ['equals', 'not', 'in', 'not_in', 'exists', 'gt', 'gte', 'lt', 'lte'] as const

/** A value a condition compares with. */
export type Scalar = string | number | boolean | null

/** Every field test must hold: `{ plan: pro, seats: { gte: 10 } }`. Field names may be paths (`user.plan`). */
export interface Condition {
  readonly [field: string]: FieldTest
}

/** How a failed step is tried again. */
export interface RetryPolicy {
  /** Tries in all, the first included (1 = no retry). */
  readonly attempts: number
  readonly backoff: 'fixed' | 'exponential'
  /** The wait after the first failure, in milliseconds; exponential doubles it each time. */
  readonly firstMs: number
  /** The longest wait, in milliseconds. */
  readonly maxMs: number
}

/** What a step does: call a service's action, or publish the event's data to a channel. */
export interface StepAction {
  readonly kind: 'call' | 'publish'
  /** `call`: `service.action`; `publish`: a channel name. */
  readonly target: string
}

/** A scheduled step's cancel rule: any of `events` arriving with the same value of `match` cancels it. */
export interface CancelRule {
  readonly events: readonly string[]
  readonly match: string
}

/** One step of a route. */
export interface Step {
  /** How the hub names it in stats and errors: `name:` from the file, else `call email.send_welcome`. */
  readonly name: string
  readonly action: StepAction
  readonly when?: Condition
  /** Run this long after the event, in milliseconds. */
  readonly afterMs?: number
  readonly cancelOn?: CancelRule
  readonly retry: RetryPolicy
  /** `call`: how long one attempt waits for the reply, in milliseconds. */
  readonly timeoutMs: number
  /** Where the step starts in the routes file (text only), for messages about it. */
  readonly at?: { readonly line: number; readonly column: number }
}

/** The steps one event sets off. */
export interface Route {
  readonly event: string
  readonly steps: readonly Step[]
}

/** A whole routes file, checked. */
export interface Routes {
  /** The hub's name: its durable topic and consumer group derive from it. */
  readonly name: string
  readonly routes: readonly Route[]
}

/** What a routes file leaves out. */
export const ROUTE_DEFAULTS = {
  name: 'hub',
  retry: { attempts: 3, backoff: 'exponential', firstMs: 1000, maxMs: 60_000 },
  timeoutMs: 10_000,
} as const satisfies { name: string; retry: RetryPolicy; timeoutMs: number }
