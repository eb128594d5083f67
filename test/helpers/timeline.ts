/**
 * What happened when, in milliseconds since the timeline started: a measurement for reports and
 * failure messages, never for assertions (times swing with the load of the machine).
 */
export class Timeline {
  #start = performance.now()
  readonly events: Array<{ atMs: number; what: string }> = []

  /** Records `what` now and returns its time. */
  mark(what: string): number {
    const atMs = Math.round(performance.now() - this.#start)
    this.events.push({ atMs, what })
    return atMs
  }

  /** The time of the first event whose text includes `what`, if any. */
  at(what: string): number | undefined {
    return this.events.find((e) => e.what.includes(what))?.atMs
  }

  toString(): string {
    return this.events.map((e) => `${e.atMs} ms ${e.what}`).join('; ') || 'nothing happened'
  }

  /** Rejects with `error`'s message and this timeline, so that a failed wait says what did happen. */
  async explain<T>(promise: Promise<T>): Promise<T> {
    try {
      return await promise
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)} (timeline: ${this})`, {
        cause: error,
      })
    }
  }
}
