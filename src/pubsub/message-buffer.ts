/** What a full buffer does with one more message. */
export const OverflowPolicy = {
  /** Drop the oldest buffered message to make room (the default). */
  DropOldest: 'drop-oldest',
  /** Drop the arriving message. */
  DropNewest: 'drop-newest',
  /** Fail the subscription with BufferOverflowError. */
  Error: 'error',
} as const
export type OverflowPolicy = (typeof OverflowPolicy)[keyof typeof OverflowPolicy]

/**
 * A bounded FIFO: a ring of fixed capacity, so memory never grows past `capacity` items.
 * `push` returns what was dropped, if anything, so the caller can count and report it.
 */
export class MessageBuffer<T> {
  readonly capacity: number
  readonly policy: OverflowPolicy
  readonly #items: Array<T | undefined>
  #head = 0
  #length = 0

  constructor(capacity: number, policy: OverflowPolicy) {
    this.capacity = capacity
    this.policy = policy
    this.#items = []
  }

  get length(): number {
    return this.#length
  }

  /** 'ok', 'dropped' (one message lost, per the policy) or 'overflow' (policy 'error'). */
  push(item: T): 'ok' | 'dropped' | 'overflow' {
    if (this.#length === this.capacity) {
      if (this.policy === 'error') return 'overflow'
      if (this.policy === 'drop-newest') return 'dropped'
      this.shift()
      this.#append(item)
      return 'dropped'
    }
    this.#append(item)
    return 'ok'
  }

  #append(item: T): void {
    this.#items[(this.#head + this.#length) % this.capacity] = item
    this.#length += 1
  }

  shift(): T | undefined {
    if (this.#length === 0) return undefined
    const item = this.#items[this.#head]
    this.#items[this.#head] = undefined
    this.#head = (this.#head + 1) % this.capacity
    this.#length -= 1
    return item
  }

  clear(): void {
    this.#items.length = 0
    this.#head = 0
    this.#length = 0
  }
}
