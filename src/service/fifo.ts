/**
 * A first-in first-out queue: an array and a head index, because Array#shift on a long array
 * moves every element. Items can be taken out of the middle (cancelled) in O(n).
 */
export class Fifo<T> {
  #items: (T | undefined)[] = []
  #head = 0
  #size = 0

  get size(): number {
    return this.#size
  }

  push(item: T): void {
    this.#items.push(item)
    this.#size += 1
  }

  /** The oldest item, without taking it. */
  peek(): T | undefined {
    while (this.#head < this.#items.length && this.#items[this.#head] === undefined) this.#head += 1
    return this.#items[this.#head]
  }

  shift(): T | undefined {
    if (this.#size === 0) {
      // Called once per finished request: an empty queue stays as it is, without a new array.
      if (this.#items.length > 0) this.#reset()
      return undefined
    }
    const item = this.peek()
    if (item === undefined) {
      this.#reset()
      return undefined
    }
    this.#items[this.#head] = undefined
    this.#head += 1
    this.#size -= 1
    this.#compact()
    return item
  }

  /** Takes an item out wherever it is; true when it was there. */
  remove(item: T): boolean {
    const index = this.#items.indexOf(item, this.#head)
    if (index < 0) return false
    this.#items[index] = undefined
    this.#size -= 1
    this.#compact()
    return true
  }

  /** Empties the queue, returning its items in order. */
  clear(): T[] {
    const items = this.#items.slice(this.#head).filter((item): item is T => item !== undefined)
    this.#reset()
    return items
  }

  #reset(): void {
    this.#items = []
    this.#head = 0
    this.#size = 0
  }

  #compact(): void {
    if (this.#size === 0) this.#reset()
    else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
  }
}
