import { InvalidArgumentError } from '../errors.js'
import { checkOverflowPolicy, OverflowPolicy } from './overflow-policy.js'

/**
 * What push() did: 'ok' (queued), 'dropped' (one item lost, the oldest or this one, per the
 * policy) or 'overflow' (policy 'error': refused, and the owner decides what that means).
 */
export type PushOutcome = 'ok' | 'dropped' | 'overflow'

/**
 * The capacity of a queue whose bound is enforced by its owner rather than by the queue. Each use
 * says at its call site what bounds it.
 */
export const UNBOUNDED = Number.POSITIVE_INFINITY

/**
 * Slots an empty queue may keep (128 KiB). A queue that a burst grew past this lets its array go
 * once it is empty again, so that one burst does not pin its memory for the life of the queue.
 * Below it the ring stays, so that a queue that fills and drains over and over (a default
 * subscription buffer holds 10,000) does not regrow it every time.
 */
const KEEP_SLOTS = 16_384

/**
 * A FIFO on a ring of slots: push and shift are O(1) and allocate nothing once the ring is big
 * enough. The ring grows on demand up to `capacity`, so a queue allowed 10,000 items that never
 * holds more than 10 costs 10 slots, and a queue that is never used costs no array. At capacity
 * the overflow policy decides. Items can also be read and replaced by their index from the
 * oldest (at, set), and taken out of the middle in O(n) (remove).
 */
export class BoundedQueue<T> {
  /** Items held at most: a whole number, or UNBOUNDED. */
  readonly capacity: number
  readonly policy: OverflowPolicy
  #slots: Array<T | undefined> = []
  #head = 0
  #length = 0

  constructor(capacity: number, policy: OverflowPolicy = OverflowPolicy.DropOldest) {
    if (!(capacity === UNBOUNDED || (Number.isInteger(capacity) && capacity >= 0))) {
      throw new InvalidArgumentError(`a queue's capacity must be a whole number ≥ 0, got ${capacity}`)
    }
    this.capacity = capacity
    this.policy = checkOverflowPolicy(policy)
  }

  get length(): number {
    return this.#length
  }

  /** Slots in the ring, whatever they hold: what the queue costs in memory, give or take V8's slack (for tests). */
  get slots(): number {
    return this.#slots.length
  }

  /** Queues an item at the back, unless the queue is at capacity and its policy says otherwise. */
  push(item: T): PushOutcome {
    const length = this.#length
    if (length === this.#slots.length) {
      if (length >= this.capacity) return this.#overflow(item)
      if (this.#head === 0) {
        // The ring is full and in order from slot 0: it grows by appending, as an array does.
        this.#slots.push(item)
        this.#length = length + 1
        return 'ok'
      }
      this.#unwrap()
    }
    this.#slots[this.#slot(length)] = item
    this.#length = length + 1
    return 'ok'
  }

  /** Takes the oldest item: undefined when the queue is empty. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined
    const slots = this.#slots
    const head = this.#head
    const item = slots[head]
    slots[head] = undefined
    this.#length -= 1
    if (this.#length === 0) {
      this.#head = 0
      if (slots.length > KEEP_SLOTS) this.#slots = []
    } else {
      this.#head = head + 1 === slots.length ? 0 : head + 1
    }
    return item
  }

  /** The oldest item, left in place. */
  peek(): T | undefined {
    return this.#length === 0 ? undefined : this.#slots[this.#head]
  }

  /** The item `index` places behind the oldest (0 is the oldest); undefined past the end. */
  at(index: number): T | undefined {
    if (!(index >= 0 && index < this.#length)) return undefined
    return this.#slots[this.#slot(index)]
  }

  /** Replaces the item `index` places behind the oldest, keeping its place in the order. */
  set(index: number, item: T): void {
    if (!(Number.isInteger(index) && index >= 0 && index < this.#length)) {
      throw new RangeError(`index ${index} is outside a queue of ${this.#length}`)
    }
    this.#slots[this.#slot(index)] = item
  }

  /** Takes an item out wherever it is, in O(n), keeping the others in order; true when it was there. */
  remove(item: T): boolean {
    const length = this.#length
    let index = 0
    while (index < length && this.#slots[this.#slot(index)] !== item) index += 1
    if (index === length) return false
    // Close the gap from behind, then give up the last slot.
    for (let i = index; i < length - 1; i++) this.#slots[this.#slot(i)] = this.#slots[this.#slot(i + 1)]
    this.#slots[this.#slot(length - 1)] = undefined
    this.#length = length - 1
    if (this.#length === 0) this.#head = 0
    return true
  }

  /** Empties the queue, letting its slots go. */
  clear(): void {
    this.#slots = []
    this.#head = 0
    this.#length = 0
  }

  /** Empties the queue, returning its items oldest first. */
  drain(): T[] {
    const items: T[] = []
    for (let i = 0; i < this.#length; i++) items.push(this.#slots[this.#slot(i)] as T)
    this.clear()
    return items
  }

  /** The slot of the item `index` places behind the oldest; a comparison instead of `%`. */
  #slot(index: number): number {
    const slot = this.#head + index
    return slot >= this.#slots.length ? slot - this.#slots.length : slot
  }

  /** At capacity: the policy decides. */
  #overflow(item: T): PushOutcome {
    if (this.policy === OverflowPolicy.Error) return 'overflow'
    if (this.policy === OverflowPolicy.DropNewest || this.#length === 0) return 'dropped'
    // Drop-oldest on a full ring: the new item takes the oldest one's slot, which is the back.
    this.#slots[this.#head] = item
    this.#head = this.#head + 1 === this.#slots.length ? 0 : this.#head + 1
    return 'dropped'
  }

  /**
   * Lays a full ring that wraps out from slot 0, with as many free slots again (up to capacity):
   * without them, a queue that keeps growing by one while its head moves would copy everything
   * each time. Free slots are added by push, so that V8 keeps the array packed.
   */
  #unwrap(): void {
    const old = this.#slots
    const slots = old.slice(this.#head).concat(old.slice(0, this.#head))
    const size = Math.min(old.length * 2, this.capacity)
    while (slots.length < size) slots.push(undefined)
    this.#slots = slots
    this.#head = 0
  }
}
