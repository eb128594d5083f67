import { compareIds, type EntryFields } from '../entry.js'
import type { Retention } from '../topic-store.js'

export interface MemoryEntry {
  readonly id: string
  readonly fields: EntryFields
}

/**
 * One stream of the embedded broker, with Redis's id rules (`<ms>-<seq>`, increasing) and
 * trimming. Entries are kept oldest first; `offset` counts those trimmed away, so that a
 * position (offset + index) stays valid as the front is cut.
 */
export class MemoryStream {
  /** Oldest first; a deleted entry leaves a hole (undefined) so that later positions hold. */
  entries: Array<MemoryEntry | undefined> = []
  offset = 0
  #deleted = 0
  #lastMs = 0
  #lastSeq = 0
  readonly #waiters = new Set<() => void>()

  get length(): number {
    return this.entries.length - this.#deleted
  }

  /** The position after the last entry. */
  get end(): number {
    return this.offset + this.entries.length
  }

  add(fields: EntryFields, retention: Retention, now = Date.now()): string {
    if (now > this.#lastMs) {
      this.#lastMs = now
      this.#lastSeq = 0
    } else {
      this.#lastSeq += 1
    }
    const id = `${this.#lastMs}-${this.#lastSeq}`
    this.entries.push({ id, fields })
    this.#trim(retention, now)
    for (const wake of [...this.#waiters]) wake()
    return id
  }

  at(position: number): MemoryEntry | undefined {
    return this.entries[position - this.offset]
  }

  /** The position of the first entry at or after `id`. */
  positionOf(id: string): number {
    const index = this.entries.findIndex((entry) => entry !== undefined && compareIds(entry.id, id) >= 0)
    return this.offset + (index === -1 ? this.entries.length : index)
  }

  delete(id: string): boolean {
    const index = this.entries.findIndex((entry) => entry?.id === id)
    if (index === -1) return false
    this.entries[index] = undefined
    this.#deleted += 1
    while (this.entries.length > 0 && this.entries[0] === undefined) {
      this.entries.shift()
      this.offset += 1
      this.#deleted -= 1
    }
    return true
  }

  /** Resolves once an entry is added or after ms, whichever comes first. */
  waitForAdd(ms: number, cancel: { closed: boolean; wake?: () => void }): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        this.#waiters.delete(done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.#waiters.add(done)
      cancel.wake = done
    })
  }

  #trim(retention: Retention, now: number): void {
    let cut = 0
    if (retention.kind === 'maxLen') cut = Math.max(0, this.entries.length - retention.count)
    if (retention.kind === 'maxAge') {
      const minId = `${now - retention.ms}-0`
      while (cut < this.entries.length && compareIds(this.entries[cut]?.id ?? '0-0', minId) < 0) cut += 1
    }
    if (cut === 0) return
    this.#deleted -= this.entries.slice(0, cut).filter((entry) => entry === undefined).length
    this.entries.splice(0, cut)
    this.offset += cut
  }
}
