import { InvalidArgumentError } from '../errors.js'
import type { ActionMap, ActionsOf, ProgressOf } from '../rpc/action-types.js'
import { ACTIONS_ACTION, CANCEL_ACTION } from '../rpc/channels.js'
import type {
  ActionHandler,
  ActionOptions,
  BackgroundOptions,
  BackgroundTaskFn,
  HandlerPayload,
  HandlerResult,
  ListenHandler,
  ListenOptions,
} from './action-context.js'
import type { ActionEntry } from './dispatcher-config.js'

/** A listen() registration. */
export interface ListenEntry {
  readonly names: readonly string[]
  readonly handler: ListenHandler<never>
  readonly options: ListenOptions<unknown>
}

/** A background() registration. */
export interface BackgroundEntry {
  readonly name: string
  readonly intervalMs: number
  readonly fn: BackgroundTaskFn
  readonly options: BackgroundOptions
}

/**
 * A group of actions, listeners and background tasks to add to a service with `app.use()`, as
 * Daebus' blueprints do: `new Blueprint('users').action('create_user', fn).listen('user_events', fn)`.
 * Names are not prefixed. A name that the service already has is refused when the blueprint is
 * used, rather than silently replacing the first handler.
 */
export class Blueprint<A extends ActionsOf<A> = ActionMap> {
  readonly name: string
  /** @internal */ readonly actions = new Map<string, ActionEntry>()
  /** @internal */ readonly listens: ListenEntry[] = []
  /** @internal */ readonly tasks: BackgroundEntry[] = []

  constructor(name: string) {
    if (typeof name !== 'string' || name.length === 0)
      throw new InvalidArgumentError('a blueprint needs a name')
    this.name = name
  }

  /** Adds an action, as Service.action() does; added to the service by `app.use()`. */
  action<K extends keyof A & string, T = HandlerPayload<A, K, unknown>>(
    name: K,
    handler: ActionHandler<HandlerPayload<A, K, T>, HandlerResult<A, K>, ProgressOf<A[K]>>,
    options?: ActionOptions<HandlerPayload<A, K, T>>,
  ): this {
    if (this.actions.has(name))
      throw new InvalidArgumentError(`blueprint "${this.name}" already has an action "${name}"`)
    this.actions.set(name, checkAction(name, handler, options))
    return this
  }

  /** Adds a pub/sub listener, as Service.listen() does. */
  listen<T = unknown>(
    names: string | readonly string[],
    handler: ListenHandler<T>,
    options?: ListenOptions<T>,
  ): this {
    this.listens.push(checkListen(names, handler, options))
    return this
  }

  /** Adds a background task, as Service.background() does. */
  background(name: string, intervalMs: number, fn: BackgroundTaskFn, options?: BackgroundOptions): this {
    if (this.tasks.some((t) => t.name === name)) {
      throw new InvalidArgumentError(`blueprint "${this.name}" already has a background task "${name}"`)
    }
    this.tasks.push({ name, intervalMs, fn, options: options ?? {} })
    return this
  }
}

/** Validates an action registration. */
export function checkAction(
  name: string,
  handler: ActionHandler<never, unknown, never>,
  options: ActionOptions<unknown> | undefined,
): ActionEntry {
  if (typeof name !== 'string' || name.length === 0) throw new InvalidArgumentError('an action needs a name')
  if (name === CANCEL_ACTION || name === ACTIONS_ACTION)
    throw new InvalidArgumentError(`"${name}" is reserved: switchboard's services answer it themselves`)
  if (typeof handler !== 'function')
    throw new InvalidArgumentError(`action "${name}" needs a handler function`)
  return { handler, options: options ?? {} }
}

/** Validates a listen registration. */
export function checkListen<T>(
  names: string | readonly string[],
  handler: ListenHandler<T>,
  options: ListenOptions<T> | undefined,
): ListenEntry {
  const list = typeof names === 'string' ? [names] : [...names]
  if (list.length === 0 || list.some((n) => typeof n !== 'string' || n.length === 0)) {
    throw new InvalidArgumentError(`listen needs one or more channel names, got ${JSON.stringify(names)}`)
  }
  if (typeof handler !== 'function') throw new InvalidArgumentError('listen needs a handler function')
  return { names: list, handler, options: options ?? {} }
}
