import type { StoredEntry } from './entry.js'

/**
 * Acknowledgements gathered over one turn of the event loop and sent as one call (one XACK per
 * stream), the way a hand-written consumer acks a batch.
 */
export class AckBatch {
  readonly #send: (entries: StoredEntry[]) => Promise<void>
  #entries: StoredEntry[] = []
  #flushing: Promise<void> | undefined

  constructor(send: (entries: StoredEntry[]) => Promise<void>) {
    this.#send = send
  }

  add(entry: StoredEntry): void {
    this.#entries.push(entry)
    this.#flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#flush())
  }

  /** Takes what has not been sent yet, for the caller to send with its next command. */
  take(): StoredEntry[] {
    const entries = this.#entries
    this.#entries = []
    return entries
  }

  /** Resolves once everything added so far has been sent (or failed: `send` reports its own errors). */
  async drain(): Promise<void> {
    while (this.#flushing) await this.#flushing
  }

  /** Acks added while a send is out go in the next one, at once. */
  async #flush(): Promise<void> {
    while (this.#entries.length > 0) {
      const entries = this.#entries
      this.#entries = []
      await this.#send(entries).catch(() => undefined)
    }
    this.#flushing = undefined
  }
}
