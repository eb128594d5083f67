/**
 * Types that tie an action's name to its payload, result and progress, for typed callers and
 * services: `bus.caller<UserService>('user_service')` with
 * `interface UserService { create_user: { payload: NewUser; result: User } }`.
 */

/** One action: what it takes, what it returns, and what its progress responses carry. */
export interface ActionSpec {
  payload?: unknown
  result?: unknown
  progress?: unknown
}

/** Action names to their specs. The default, untyped map lets any name through with `unknown`. */
export type ActionMap = Record<string, ActionSpec>

/** What a map of actions must be: every key an ActionSpec (interfaces welcome, unlike ActionMap). */
export type ActionsOf<A> = { [K in keyof A]: ActionSpec }

/** The payload an action takes; `unknown` when its spec names none. */
export type PayloadOf<S> = S extends { payload?: infer P } ? P : unknown
/** What an action's final response carries; `unknown` when its spec names none. */
export type ResultOf<S> = S extends { result?: infer R } ? R : unknown
/**
 * What an action's progress responses carry; `unknown` when its spec names none. An optional
 * `progress?: T` (an action that may send none) still types each value that is sent as `T`.
 */
export type ProgressOf<S> = S extends { progress?: infer P } ? Exclude<P, undefined> : unknown

/** True for the default map, whose keys are any string. */
export type IsUntyped<A> = string extends keyof A ? true : false
