/** A minimal typed event emitter. A listener that throws is reported, never propagated. */
export type EventMap<E> = { [K in keyof E]: unknown[] }
type Listener<A extends unknown[]> = (...args: A) => void

export class TypedEmitter<E extends EventMap<E>> {
  readonly #listeners: { [K in keyof E]?: Set<Listener<E[K]>> } = {}
  readonly #onListenerError: (error: unknown) => void

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
    this.#listeners[event]?.delete(listener)
    return this
  }

  once<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    const wrapper = (...args: E[K]) => {
      this.off(event, wrapper)
      listener(...args)
    }
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
