/**
 * Runs tasks one after another, in the order they were pushed. Status events go through it so
 * that a check that needs a round trip (is this drop a slow consumer?) lands between
 * `disconnected` and `reconnected` instead of racing them.
 */
export class SerialQueue {
  #tail: Promise<void> = Promise.resolve()

  /** Queues `task`; the promise settles when it has run. A failing task does not stop the queue. */
  push(task: () => void | Promise<void>): Promise<void> {
    const run = this.#tail.then(task)
    this.#tail = run.catch(() => undefined)
    return run
  }
}
