/** A minimal typed event emitter. A listener that throws is reported, never propagated. */
export type EventMap<E> = { [K in keyof E]: unknown[] }
type Listener<A extends unknown[]> = (...args: A) => void

export class TypedEmitter<E extends EventMap<E>> {
  readonly #listeners: { [K in keyof E]?: Set<Listener<E[K]>> } = {}
  readonly #onListenerError: (error: unknown) => void
  readonly #onceWrappers = new WeakMap<object, Listener<never>>()

  constructor(onListenerError: (error: unknown) => void) {
    this.#onListenerError = onListenerError
  }

  on<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    let set = this.#listeners[event]
    if (!set) {
      set = new Set()
      this.#listeners[event] = set
    }
    set.add(listener)
    return this
  }

  off<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    const wrapper = this.#onceWrappers.get(listener)
    if (wrapper) {
      this.#onceWrappers.delete(listener)
      this.#listeners[event]?.delete(wrapper as Listener<E[K]>)
    }
    this.#listeners[event]?.delete(listener)
    return this
  }

  /** Like on(), for one call; off() with the same listener removes it before then. */
  once<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    const wrapper = (...args: E[K]) => {
      this.off(event, wrapper)
      this.#onceWrappers.delete(listener)
      listener(...args)
    }
    this.#onceWrappers.set(listener, wrapper)
    return this.on(event, wrapper)
  }

  listenerCount(event: keyof E): number {
    return this.#listeners[event]?.size ?? 0
  }

  /** Calls each listener; returns false when there was none. */
  emit<K extends keyof E>(event: K, ...args: E[K]): boolean {
    const set = this.#listeners[event]
    if (!set || set.size === 0) return false
    for (const listener of [...set]) {
      try {
        listener(...args)
      } catch (error) {
        this.#onListenerError(error)
      }
    }
    return true
  }
}
