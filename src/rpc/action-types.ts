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

export type PayloadOf<S> = S extends { payload: infer P } ? P : unknown
export type ResultOf<S> = S extends { result: infer R } ? R : unknown
export type ProgressOf<S> = S extends { progress: infer P } ? P : unknown

/** True for the default map, whose keys are any string. */
export type IsUntyped<A> = string extends keyof A ? true : false
